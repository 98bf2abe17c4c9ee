/** Client-side terminal handling for `-t`: raw mode with guaranteed restore, and resize tracking. */

let restoreHooked = false;

/** Puts stdin in raw mode (when it is a TTY) and restores it on every exit path. */
export function setRawTerminal(stdin: NodeJS.ReadStream): void {
  if (!stdin.isTTY) return;
  stdin.setRawMode(true);
  if (!restoreHooked) {
    restoreHooked = true;
    const restore = (): void => {
      try {
        stdin.setRawMode(false);
      } catch {
        // terminal already gone
      }
    };
    process.on('exit', restore);
    // signals that would otherwise end the process without running 'exit' handlers
    const codes: Array<[NodeJS.Signals, number]> = [['SIGTERM', 143], ['SIGHUP', 129], ['SIGQUIT', 131]];
    for (const [sig, code] of codes) {
      if (process.listenerCount(sig) === 0) process.once(sig, () => process.exit(code));
    }
  }
}

/** Restores cooked mode now. */
export function restoreTerminal(stdin: NodeJS.ReadStream): void {
  if (stdin.isTTY) stdin.setRawMode(false);
}

/** Current [rows, columns] of stdout, or undefined when it is not a terminal. */
export function terminalSize(stdout: NodeJS.WriteStream): [number, number] | undefined {
  if (!stdout.isTTY) return undefined;
  return [stdout.rows, stdout.columns];
}

/**
 * Sends the size now (retrying like docker's initTtySize) and on every SIGWINCH.
 * Returns a function that stops watching.
 */
export function monitorTtySize(stdout: NodeJS.WriteStream, stderr: NodeJS.WriteStream, resize: (h: number, w: number) => Promise<void>): () => void {
  const send = async (retries: number): Promise<void> => {
    const size = terminalSize(stdout);
    if (size === undefined) return;
    for (let i = 0; i <= retries; i++) {
      try {
        await resize(size[0], size[1]);
        return;
      } catch {
        if (i === retries) stderr.write('failed to resize tty, using default size\n');
        else await new Promise((r) => setTimeout(r, 10 * (i + 1)));
      }
    }
  };
  void send(10);
  const onWinch = (): void => void send(0);
  process.on('SIGWINCH', onWinch);
  return () => process.removeListener('SIGWINCH', onWinch);
}
