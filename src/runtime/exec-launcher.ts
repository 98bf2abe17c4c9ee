/**
 * Runtime processes forked ahead of time, for attached execs. Forking berthd (tens of MB of
 * memory to map into the child) holds its event loop ~1.2 ms per spawn here, on the path of every
 * `docker exec`. So after an exec, a spare `/bin/sh` is forked while nothing waits; the next exec
 * writes its command line to the spare's fd 3, and the shell closes that pipe and `exec`s the
 * runtime, which keeps the pid, session and stdio the spare was spawned with. Spares are made for
 * execs whose stdin is /dev/null (the spare's is); others, and any exec finding no spare ready,
 * spawn as before. A spare whose pipe closes (berthd gone) exits at once.
 *
 * A spare shell still has to load the runtime, which then reads the container's state, config
 * and seccomp program before it can join the container: ~2 ms of a ~6 ms exec when the CPU has been
 * idle. So when two execs in a row went into the same container, a runtime exec for that
 * container is primed as well (exec-direct.ts makes it): forked while nothing waits, it does all
 * of that and then waits for its process file, which the next exec into that container writes.
 * A primed runtime is tied to the container's init (its pid is part of the key), and one exists
 * at a time.
 */
import { CHILD_PATH } from './defaults.js';
import type { Host, HostChild } from './host.js';

/** How a spare shell exits when its pipe ends before a line came (berthd gone, or the spare discarded). */
export const SPARE_LOST = 121;

/** Read one line from fd 3, close it, run it; EOF (berthd gone) ends the shell. */
const SPARE_SCRIPT = `IFS= read -r line <&3 || exit ${SPARE_LOST}; exec 3<&-; eval "$line"`;

/** How long after taking a spare the next one is forked: the exec taking it is under way by then. */
const REFILL_MS = 20;

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** How long after an exec's process exited the next runtime is primed: its answer has gone out by then. */
const PRIME_MS = 3;

/** A runtime forked for one container's next exec, with what the caller made for it. */
export interface Primed<T> {
  child: HostChild;
  value: T;
  /** Ends the runtime if it still waits, and removes what was made for it. */
  dispose(): void;
}

interface PrimedEntry extends Primed<unknown> {
  key: string;
  alive: boolean;
}

export class ExecLauncher {
  private spare: { child: HostChild; alive: boolean } | undefined;
  private refill: NodeJS.Timeout | undefined;
  private primed: PrimedEntry | undefined;
  private priming: NodeJS.Timeout | undefined;
  private lastKey: string | undefined;
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

  /**
   * The runtime primed under `key` (container and init pid), if it is still alive; it is the
   * caller's from then on. Any other primed runtime is disposed of.
   */
  takePrimed<T>(key: string): Primed<T> | undefined {
    const p = this.primed;
    if (!p) return undefined;
    this.primed = undefined;
    if (p.key === key && p.alive) return p as Primed<T>;
    discard(p);
    return undefined;
  }

  /**
   * Called when an exec under `key` started: if the one before it had the same key, `make()`
   * primes a runtime for the next once this exec's process exited (`done`).
   */
  primeAfter<T>(key: string, done: Promise<unknown>, make: () => Promise<Primed<T>>): void {
    const repeat = this.lastKey === key;
    this.lastKey = key;
    if (!repeat || this.closed) return;
    void done.then(() => {
      if (this.closed || this.priming || this.primedFor(key)) return;
      this.priming = setTimeout(() => void this.prime(key, make), PRIME_MS);
      this.priming.unref();
    });
  }

  private async prime<T>(key: string, make: () => Promise<Primed<T>>): Promise<void> {
    if (this.closed || this.primedFor(key)) {
      this.priming = undefined;
      return;
    }
    if (this.primed) discard(this.primed);
    this.primed = undefined;
    let made: Primed<T>;
    try {
      made = await make();
    } catch {
      return; // nothing primed: the next exec launches as before
    } finally {
      this.priming = undefined;
    }
    const entry: PrimedEntry = { key, child: made.child, value: made.value, dispose: made.dispose, alive: true };
    void made.child.exited.then(() => {
      entry.alive = false;
      if (this.primed !== entry) return;
      this.primed = undefined;
      discard(entry);
    });
    if (this.closed) discard(entry);
    else this.primed = entry;
  }

  private primedFor(key: string): boolean {
    return this.primed?.key === key && this.primed.alive;
  }

  /** Disposes of a runtime primed for container `id` (it is being removed). */
  dropPrimed(id: string): void {
    if (!this.primed?.key.startsWith(`${id}:`)) return;
    discard(this.primed);
    this.primed = undefined;
  }

  /** Ends the spare (its shell exits on EOF) and any primed runtime, and makes no more. */
  close(): void {
    this.closed = true;
    if (this.refill) clearTimeout(this.refill);
    if (this.priming) clearTimeout(this.priming);
    this.spare?.child.control?.destroy();
    this.spare = undefined;
    if (this.primed) discard(this.primed);
    this.primed = undefined;
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

/** A primed runtime that is not wanted: its output drained, then disposed of. */
function discard(p: PrimedEntry): void {
  if (p.alive) {
    p.child.stdout?.resume();
    p.child.stderr?.resume();
  }
  p.dispose();
}
