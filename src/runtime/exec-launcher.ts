/**
 * Runtime processes forked ahead of time, for attached execs. Forking berthd (tens of MB of
 * memory to map into the child) holds its event loop ~1.2 ms per spawn here, on the path of every
 * `docker exec`. So after an exec, a spare `/bin/sh` is forked while nothing waits; the next exec
 * writes its command line to the spare's fd 3, and the shell closes that pipe and `exec`s the
 * runtime, which keeps the pid, session and stdio the spare was spawned with. Spares are made for
 * execs whose stdin is /dev/null (the spare's is); others, and any exec finding no spare ready,
 * spawn as before. A spare whose pipe closes (berthd gone) exits at once.
 */
import { CHILD_PATH } from './defaults.js';
import type { Host, HostChild } from './host.js';

/** Read one line from fd 3, close it, run it; EOF (berthd gone) ends the shell. */
const SPARE_SCRIPT = 'IFS= read -r line <&3 || exit 121; exec 3<&-; eval "$line"';

/** How long after taking a spare the next one is forked: the exec taking it is under way by then. */
const REFILL_MS = 20;

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export class ExecLauncher {
  private spare: { child: HostChild; alive: boolean } | undefined;
  private refill: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly host: Host, private readonly shell = '/bin/sh') {}

  /**
   * Starts `file args` in `cwd` in a ready spare (session of its own, stdin /dev/null, stdout and
   * stderr piped, environment PATH only) and has the next one forked. Undefined when no spare is
   * ready: the caller spawns as usual.
   */
  launch(file: string, args: string[], cwd: string): HostChild | undefined {
    const spare = this.takeSpare();
    this.scheduleRefill();
    if (!spare) return undefined;
    const words = [file, ...args];
    if (words.some((w) => w.includes('\n')) || cwd.includes('\n')) {
      spare.control?.destroy(); // one line only: its shell reads EOF and exits
      return undefined;
    }
    spare.control?.end(`cd ${shellQuote(cwd)} && exec ${words.map(shellQuote).join(' ')}\n`);
    return spare;
  }

  /** Ends the spare (its shell exits on EOF) and makes no more. */
  close(): void {
    this.closed = true;
    if (this.refill) clearTimeout(this.refill);
    this.spare?.child.control?.destroy();
    this.spare = undefined;
  }

  private takeSpare(): HostChild | undefined {
    const s = this.spare;
    this.spare = undefined;
    return s?.alive ? s.child : undefined;
  }

  private scheduleRefill(): void {
    if (this.closed || this.refill) return;
    this.refill = setTimeout(() => {
      this.refill = undefined;
      if (this.closed || this.spare) return;
      try {
        const child = this.host.spawn(this.shell, ['-c', SPARE_SCRIPT], {
          cwd: '/', env: { PATH: CHILD_PATH }, stdin: 'ignore', output: 'pipe', detached: true, control: true,
        });
        const entry = { child, alive: true };
        child.control?.on('error', () => undefined);
        void child.exited.then(() => {
          entry.alive = false;
          if (this.spare === entry) this.spare = undefined;
        });
        this.spare = entry;
      } catch {
        // no spare: the next exec spawns as before
      }
    }, REFILL_MS);
    this.refill.unref();
  }
}
