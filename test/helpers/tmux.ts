/**
 * A real terminal for interactive-client tests: a tmux server on a private socket (so nothing
 * touches the user's tmux), one detached session per client command, with a fixed size.
 * The command runs as `bash -c 'CMD; rc=$?; printf "\\nEXIT=%s\\n" $rc; sleep 3600'`, so the pane stays readable
 * after the client exits and `waitExit()` reads the client's exit code from the screen.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Quotes a string for a POSIX shell. */
export function shq(s: string): string {
  return /^[A-Za-z0-9_./:=@%+,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export class TmuxServer {
  readonly dir: string;
  readonly socket: string;
  private seq = 0;
  private sessions = new Set<string>();

  constructor() {
    this.dir = mkdtempSync(join(tmpdir(), 'berth-test-tmux-'));
    this.socket = join(this.dir, 'tmux.sock');
  }

  /** Runs `tmux -S <private socket> …args`. */
  async tmux(...args: string[]): Promise<string> {
    const { stdout } = await run('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], { timeout: 10_000 });
    return stdout;
  }

  /**
   * Starts `cmd` (a shell command line) in a new detached session of `cols`×`rows`.
   * `env` is exported inside the session (tmux sessions otherwise inherit the server's env).
   */
  async session(cmd: string, opts: { cols?: number; rows?: number; env?: Record<string, string> } = {}): Promise<TmuxSession> {
    const name = `berth-${process.pid}-${this.seq++}`;
    const env = Object.entries(opts.env ?? {})
      .map(([k, v]) => `export ${k}=${shq(v)}; `)
      .join('');
    const script = `${env}${cmd}; rc=$?; printf '\\nEXIT=%s\\n' "$rc"; sleep 3600`;
    const args = [
      'new-session', '-d', '-s', name,
      '-x', String(opts.cols ?? 100), '-y', String(opts.rows ?? 30),
      'bash', '--norc', '--noprofile', '-c', script,
    ];
    // a tmux server whose last session just ended exits; a new session racing that exit gets
    // "server exited unexpectedly" and succeeds when tried again (with a new server)
    await this.tmux(...args).catch(async (err: unknown) => {
      if (!/server exited unexpectedly/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 200));
      await this.tmux(...args);
    });
    this.sessions.add(name);
    // a scrollback large enough that output never scrolls away between captures
    await this.tmux('set-option', '-t', name, 'history-limit', '5000').catch(() => {});
    return new TmuxSession(this, name, () => this.sessions.delete(name));
  }

  /** Kills every session this server still has, then the server, and deletes its dir. */
  async close(): Promise<void> {
    for (const s of this.sessions) await this.tmux('kill-session', '-t', s).catch(() => {});
    this.sessions.clear();
    await this.tmux('kill-server').catch(() => {});
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class TmuxSession {
  constructor(
    private readonly server: TmuxServer,
    readonly name: string,
    private readonly onKill: () => void,
  ) {}

  /** `send-keys` (tmux key names such as Enter, C-p, C-c; plain words are typed). */
  async keys(...keys: string[]): Promise<void> {
    await this.server.tmux('send-keys', '-t', this.name, ...keys);
  }

  /** Types `text` literally, then Enter. */
  async line(text: string): Promise<void> {
    await this.server.tmux('send-keys', '-t', this.name, '-l', text);
    await this.server.tmux('send-keys', '-t', this.name, 'Enter');
  }

  /** The pane's text, scrollback included, with trailing blanks trimmed. */
  async screen(): Promise<string> {
    const out = await this.server.tmux('capture-pane', '-p', '-J', '-S', '-', '-t', this.name);
    return out
      .split('\n')
      .map((l) => l.trimEnd())
      .join('\n')
      .trimEnd();
  }

  /**
   * Polls the pane until `pattern` matches its text (from `from` chars on, see `mark()`);
   * returns the match. Throws with the screen on timeout.
   */
  async waitFor(pattern: RegExp, opts: { timeoutMs?: number; from?: number; what?: string } = {}): Promise<RegExpMatchArray> {
    const deadline = Date.now() + (opts.timeoutMs ?? 5000);
    let text = '';
    for (;;) {
      text = await this.screen().catch(() => text);
      const m = text.slice(opts.from ?? 0).match(pattern);
      if (m) return m;
      if (Date.now() > deadline) {
        throw new Error(
          `${opts.what ?? 'terminal'}: ${String(pattern)} did not appear within ${opts.timeoutMs ?? 5000} ms; screen:\n` +
            `----\n${text}\n----`,
        );
      }
      await sleep(50);
    }
  }

  /** The current length of the pane text: pass it as `from` to match only later output. */
  async mark(): Promise<number> {
    return (await this.screen()).length;
  }

  /** Waits for the `EXIT=<n>` line printed after the client exits, and returns n. */
  async waitExit(timeoutMs = 10_000): Promise<number> {
    const m = await this.waitFor(/^EXIT=(\d+)$/m, { timeoutMs, what: 'client exit' });
    return Number(m[1]);
  }

  /** Resizes the window (and so the pane and the client's terminal) to cols×rows. */
  async resize(cols: number, rows: number): Promise<void> {
    await this.server.tmux('resize-window', '-t', this.name, '-x', String(cols), '-y', String(rows));
  }

  async kill(): Promise<void> {
    await this.server.tmux('kill-session', '-t', this.name).catch(() => {});
    this.onKill();
  }
}
