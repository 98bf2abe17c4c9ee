/**
 * The Host seam: every child process, mount and process probe the runtime needs goes through
 * this interface, so the pure logic around it can be unit-tested with a recording fake.
 */
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync, unlinkSync, writeSync } from 'node:fs';
import { readFile, statfs } from 'node:fs/promises';
import type { Duplex, Readable, Writable } from 'node:stream';
import { CHILD_PATH } from './defaults.js';

/** Result of a finished command. */
export interface RunResult {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** What the first (short-lived) conmon process left behind. */
export interface MonitorStart {
  /** Exit of the process we spawned (conmon's parent half; it exits after forking). */
  exit: RunResult;
  /** The first line conmon wrote on the sync pipe, or undefined at EOF without one. */
  syncLine: string | undefined;
}

/** A monitor spawned with extra pipes (conmon's exec mode: sync, start and attach pipes). */
export interface MonitorPipes {
  /** Pid of the spawned process (conmon's parent half; it exits after forking). */
  pid: number;
  /** Settles when the spawned process exited; `stderr` holds what it wrote (conmon's own errors). */
  exit: Promise<RunResult>;
  /** Our ends of the pipes, in the order of `opts.pipes` (the monitor sees them at fds 3, 4, …). */
  pipes: Duplex[];
}

/** A child process with piped or ignored stdio. */
export interface HostChild {
  pid: number;
  stdin: Writable | null;
  /** The pipe at the child's fd 3, when spawned with `control`. */
  control?: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Settles when the process exited (its stdio may still be open: a child of it can hold it). */
  exited: Promise<{ code: number | null; signal: string | null }>;
}

export interface Host {
  /** Runs a command to completion and collects its output. Never rejects for a non-zero exit. */
  run(file: string, args: string[], opts?: { cwd?: string; env?: Record<string, string> }): Promise<RunResult>;
  /**
   * Spawns a monitor (conmon) in its own session with a sync pipe at fd 3 (`syncEnv`=3 in its
   * environment); resolves once the spawned process exited and the first sync line (or EOF) arrived.
   */
  spawnMonitor(
    file: string,
    args: string[],
    opts: { cwd: string; env: Record<string, string>; syncEnv: string; signal?: AbortSignal },
  ): Promise<MonitorStart>;
  /**
   * Spawns a monitor in its own session with one pipe per name in `pipes`, at fds 3, 4, … and
   * announced as `<name>=<fd>` in its environment. Returns at once; nothing is read or written.
   */
  spawnMonitorPipes(file: string, args: string[], opts: { cwd: string; env: Record<string, string>; pipes: string[] }): MonitorPipes;
  /**
   * Spawns a long-running child with piped or ignored stdio (an attached exec without a TTY);
   * `detached` gives it a session of its own, `control` a pipe from us at its fd 3. Throws if it
   * cannot be started.
   */
  spawn(
    file: string,
    args: string[],
    opts: {
      cwd?: string; env?: Record<string, string>; stdin: 'pipe' | 'ignore'; output: 'pipe' | 'ignore'; detached?: boolean; control?: boolean;
    },
  ): HostChild;
  /** Sends a signal to a process; false if it does not exist (any more). */
  kill(pid: number, signal: NodeJS.Signals): boolean;
  /** True if a process with this pid exists (signal 0). */
  processAlive(pid: number): boolean;
  /** /proc/<pid>/cmdline with NULs as spaces, or undefined if gone. */
  cmdline(pid: number): Promise<string | undefined>;
  /** statfs(2) f_type of a path, or undefined if it does not exist. */
  fsType(path: string): Promise<number | undefined>;
  /** A small text file's contents (e.g. under /sys), or undefined if it cannot be read. */
  readText(path: string): Promise<string | undefined>;
  /**
   * Writes one byte into a FIFO that a process holds open for reading, then removes the FIFO.
   * Never blocks: false if the FIFO is missing or nobody reads it.
   */
  releaseFifo(path: string): Promise<boolean>;
}

function collect(stream: Readable | null): Promise<string> {
  if (!stream) return Promise.resolve('');
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => resolve(Buffer.concat(chunks).toString()));
    stream.on('close', () => resolve(Buffer.concat(chunks).toString()));
  });
}

/** Reads up to the first newline from a stream; resolves undefined at EOF without a full line. */
function firstLine(stream: Readable): Promise<string | undefined> {
  return new Promise((resolve) => {
    let buf = '';
    let done = false;
    const finish = (v: string | undefined): void => {
      if (done) return;
      done = true;
      stream.destroy();
      resolve(v);
    };
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      buf += c;
      const nl = buf.indexOf('\n');
      if (nl >= 0) finish(buf.slice(0, nl));
    });
    stream.on('end', () => finish(buf.length > 0 ? buf : undefined));
    stream.on('error', () => finish(buf.length > 0 ? buf : undefined));
    stream.on('close', () => finish(buf.length > 0 ? buf : undefined));
  });
}

/** The real host: node:child_process and /proc. */
export function nodeHost(): Host {
  return {
    run(file, args, opts = {}) {
      return new Promise((resolve, reject) => {
        const child = spawn(file, args, {
          cwd: opts.cwd,
          env: opts.env ?? { PATH: CHILD_PATH },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        const out = collect(child.stdout);
        const err = collect(child.stderr);
        child.on('error', reject);
        child.on('close', (code, signal) => {
          void Promise.all([out, err]).then(([stdout, stderr]) => resolve({ code, signal, stdout, stderr }));
        });
      });
    },

    spawnMonitor(file, args, opts) {
      return new Promise((resolve, reject) => {
        const child = spawn(file, args, {
          cwd: opts.cwd,
          env: { ...opts.env, [opts.syncEnv]: '3' },
          stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
          detached: true,
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
        const sync = child.stdio[3] as Readable | null;
        if (!sync) {
          reject(new Error('no sync pipe'));
          return;
        }
        const line = firstLine(sync);
        let stderr = '';
        child.stderr?.setEncoding('utf8');
        child.stderr?.on('data', (c: string) => {
          if (stderr.length < 65536) stderr += c;
        });
        child.on('error', (e) => {
          sync.destroy();
          reject(e);
        });
        child.on('exit', (code, signal) => {
          child.stderr?.destroy();
          void line.then((syncLine) =>
            resolve({ exit: { code, signal, stdout: '', stderr }, syncLine }),
          );
        });
      });
    },

    spawnMonitorPipes(file, args, opts) {
      const env: Record<string, string> = { ...opts.env };
      opts.pipes.forEach((name, i) => {
        env[name] = String(3 + i);
      });
      const child = spawn(file, args, {
        cwd: opts.cwd,
        env,
        stdio: ['ignore', 'ignore', 'pipe', ...opts.pipes.map(() => 'pipe' as const)],
        detached: true,
      });
      const pipes = opts.pipes.map((_, i) => child.stdio[3 + i] as Duplex);
      let stderr = '';
      child.stderr?.setEncoding('utf8');
      child.stderr?.on('data', (c: string) => {
        if (stderr.length < 65536) stderr += c;
      });
      const exit = new Promise<RunResult>((resolve) => {
        child.on('error', (e) => resolve({ code: 127, signal: null, stdout: '', stderr: `${stderr}${e.message}` }));
        child.on('exit', (code, signal) => {
          child.stderr?.destroy();
          resolve({ code, signal, stdout: '', stderr });
        });
      });
      return { pid: child.pid ?? -1, exit, pipes };
    },

    spawn(file, args, opts) {
      const child = spawn(file, args, {
        cwd: opts.cwd,
        env: opts.env ?? { PATH: CHILD_PATH },
        stdio: opts.control ? [opts.stdin, opts.output, opts.output, 'pipe'] : [opts.stdin, opts.output, opts.output],
        detached: opts.detached === true,
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => {
        child.on('error', () => resolve({ code: 127, signal: null }));
        child.on('exit', (code, signal) => resolve({ code, signal }));
      });
      return {
        pid: child.pid ?? -1, stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited,
        ...(opts.control ? { control: child.stdio[3] as Writable | null } : {}),
      };
    },

    kill(pid, signal) {
      try {
        process.kill(pid, signal);
        return true;
      } catch {
        return false;
      }
    },

    processAlive(pid) {
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === 'EPERM';
      }
    },

    async cmdline(pid) {
      try {
        return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).replace(/\0/g, ' ').trim();
      } catch {
        return undefined;
      }
    },

    async fsType(path) {
      try {
        return (await statfs(path)).type;
      } catch {
        return undefined;
      }
    },

    async readText(path) {
      try {
        return await readFile(path, 'utf8');
      } catch {
        return undefined;
      }
    },

    releaseFifo(path) {
      // Synchronous, and never blocking: O_NONBLOCK fails at once (ENXIO) when no process holds
      // the read end, and one byte always fits in an empty pipe. Saves the thread pool's round
      // trips on every start.
      let fd: number;
      try {
        fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch {
        return Promise.resolve(false);
      }
      try {
        // The byte first: a reader that saw the writer go away without data would spin on EOF.
        writeSync(fd, Buffer.from([0]));
      } catch {
        closeSync(fd);
        return Promise.resolve(false);
      }
      closeSync(fd);
      // The reader has its byte and goes on; the FIFO's absence is what marks it started.
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
      return Promise.resolve(true);
    },
  };
}
