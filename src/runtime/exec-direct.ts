/**
 * An attached exec without a TTY on crun, run as `crun exec` (not `--detach`) straight from
 * berthd: crun waits for the process and exits with its code (128+n when signalled), and the
 * process writes into pipes that berthd reads. This skips conmon and its exec-mode handshakes,
 * about 4 ms of the ~9 ms an exec takes through conmon (exec-session.ts, still used for TTYs and
 * for `exec -d`, whose processes must outlive berthd, and for runc, whose `exec` also waits until
 * the pipes close, so that a background child the process left would hold it).
 *
 * The trade-off: such a process has berthd's pipes as its stdio, so if berthd dies meanwhile the
 * process gets EPIPE on its next write, as it would if the client went away; the client of an
 * attached exec loses its connection with berthd anyway.
 *
 * Telling a refused process from one that ran: the runtime writes `--pid-file` only after the
 * process started, and its own error (e.g. executable not found) goes to `--log` as well as to the
 * stderr pipe. So the process "runs" once the pid file appears; if the runtime exits without one,
 * whatever reached stderr was the runtime's and its log gives the message.
 *
 * The runtime is launched in one of three ways, fastest first: one primed for this container
 * (primeDirectExec, below: forked after earlier execs, waiting for its process file), a spare
 * shell that `exec`s it, or a plain spawn (exec-launcher.ts has the reasons).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, existsSync, fstatSync, openSync, readdirSync, rmSync, statSync, watch, writeFileSync, writeSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ExecProcess } from './types.js';
import type { RuntimeContext } from './context.js';
import { cliFor, pathsOf } from './context.js';
import { SPARE_LOST, type Primed } from './exec-launcher.js';
import type { HostChild } from './host.js';
import { execSessionPaths, type ExecSessionPaths } from './paths.js';
import type { RuntimeCli } from './runc.js';
import { refused, type SessionInput } from './exec-session.js';
import { runtimeMessage } from './runc-error.js';
import { CHILD_PATH } from './defaults.js';
import { execExitCode } from './exit.js';
import { readPidSync } from './monitor.js';

/**
 * After the process exited, how long its output pipes may stay open (a background child it left
 * holds them): what arrived by then is delivered, then the pipes are closed, as conmon does.
 */
const DRAIN_MS = 100;

/** A runtime exec primed for a container (see exec-launcher.ts), waiting for its process file. */
export interface PrimedDirectExec {
  sessionId: string;
  /**
   * Hands it the process (JSON) and closes our end. False if the FIFO did not take all of it at
   * once (over 64 KiB): the runtime then reads a cut-off file, refuses it and exits.
   */
  feed(processSpec: string): boolean;
}

/** How long a primed runtime may take to reach its read before it is given up. */
const PRIME_READY_MS = 2000;

/**
 * Forks `crun exec` for container `id` in a new session dir, its process file a FIFO that berthd
 * holds open (read-write, so neither side's open blocks): crun loads, reads the container's state
 * and config, opens the FIFO and waits in the read until berthd writes the process and closes its
 * end. Resolves once crun holds the FIFO open: from then on the data cannot be lost (a FIFO that
 * nobody holds open drops what was written to it, and its next reader would wait for a writer
 * forever). `setpriv --pdeathsig KILL` ends it with berthd, even before it reached the FIFO.
 * (A FIFO, because the pipes Node gives a child are socketpairs, which cannot be opened by path.)
 */
export async function primeDirectExec(ctx: RuntimeContext, id: string): Promise<Primed<PrimedDirectExec>> {
  if (!ctx.setpriv) throw new Error('setpriv not found');
  const sessionId = randomBytes(8).toString('hex');
  const session = execSessionPaths(pathsOf(ctx, id), id, sessionId);
  const cli = cliFor(ctx, id);
  let fd: number | undefined;
  let child: HostChild | undefined;
  const closeFd = (): void => {
    if (fd === undefined) return;
    closeSync(fd);
    fd = undefined;
  };
  const removeDir = (): Promise<void> => rm(session.dir, { recursive: true, force: true }).catch(() => undefined);
  // ends it whether or not it reached the FIFO (it blocks every other signal by then); its
  // session dir goes at once, so that a daemon on its way out leaves none
  const end = (c: HostChild): void => {
    closeFd();
    ctx.host.kill(c.pid, 'SIGKILL');
    rmSync(session.dir, { recursive: true, force: true });
  };
  try {
    await mkdir(session.dir, { recursive: true });
    const made = await ctx.host.run('mkfifo', ['-m', '0600', session.process]);
    if (made.code !== 0) throw new Error(`mkfifo: ${made.stderr.trim()}`);
    fd = openSync(session.process, constants.O_RDWR | constants.O_NONBLOCK);
    const fifo = fstatSync(fd);
    child = ctx.host.spawn(ctx.setpriv, ['--pdeathsig', 'KILL', cli.path, ...directArgs(cli, session, session.process, id)], {
      cwd: session.dir, env: { PATH: CHILD_PATH }, stdin: 'ignore', output: 'pipe', detached: true,
    });
    await holdsOpen(child, fifo);
  } catch (err) {
    if (child) end(child);
    else {
      closeFd();
      await removeDir();
    }
    throw err;
  }
  const runtime = child;
  const feed = (processSpec: string): boolean => {
    if (fd === undefined) return false;
    const data = Buffer.from(processSpec);
    let written = 0;
    try {
      written = writeSync(fd, data);
    } catch {
      // EAGAIN: the FIFO is full
    }
    closeFd();
    return written === data.length;
  };
  return { child: runtime, value: { sessionId, feed }, dispose: () => end(runtime) };
}

/** Resolves once `child` has the FIFO `fifo` open; rejects if it exits or takes too long. */
async function holdsOpen(child: HostChild, fifo: { dev: number; ino: number }): Promise<void> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  const fds = `/proc/${child.pid}/fd`;
  const deadline = performance.now() + PRIME_READY_MS;
  while (!exited && performance.now() < deadline) {
    try {
      for (const name of readdirSync(fds)) {
        const st = statSync(`${fds}/${name}`, { throwIfNoEntry: false });
        if (st && st.ino === fifo.ino && st.dev === fifo.dev) return;
      }
    } catch {
      // exiting
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error(exited ? 'the primed runtime exited' : 'the primed runtime did not open its process file');
}

function directArgs(cli: RuntimeCli, session: ExecSessionPaths, processFile: string, id: string): string[] {
  return [...cli.globalArgs(), `--log=${session.runtimeLog}`, '--log-format=json', 'exec', '--process', processFile, '--pid-file', session.pid, id];
}

/**
 * Runs the exec: in `primed` (handed `processSpec` through its pipe) when given, else in a spare
 * shell or a new child reading session.process. A primed runtime that ends without starting the
 * process (it may have failed before it read ours, e.g. the container was paused when it was
 * forked) is followed by one plain attempt, whose outcome stands.
 */
export async function startDirectExec(ctx: RuntimeContext, input: SessionInput, primed?: { runtime: Primed<PrimedDirectExec>; processSpec: string }): Promise<ExecProcess> {
  if (primed) {
    let first;
    try {
      first = await attempt(ctx, input, () => {
        primed.runtime.value.feed(primed.processSpec);
        return primed.runtime.child;
      });
    } catch (err) {
      primed.runtime.dispose(); // never fed: it would wait on
      throw err;
    }
    if (first.started) return first.started;
    await first.drained;
    const { pid, runtimeLog, process } = input.session;
    await Promise.all([pid, runtimeLog, process].map((f) => rm(f, { force: true })));
    writeFileSync(input.session.process, primed.processSpec);
  }
  const cli = cliFor(ctx, input.containerId);
  const { session, spec } = input;
  const args = directArgs(cli, session, session.process, input.containerId);
  const plain = (): HostChild =>
    ctx.host.spawn(cli.path, args, { cwd: session.dir, env: { PATH: CHILD_PATH }, stdin: spec.openStdin ? 'pipe' : 'ignore', output: 'pipe', detached: true });
  let spare = false;
  let r = await attempt(ctx, input, () => {
    const child = spec.openStdin ? undefined : ctx.launcher?.launch(cli.path, args, session.dir);
    spare = child !== undefined;
    return child ?? plain();
  });
  if (!r.started && spare) {
    // a spare shell that died before it read its line (killed, or its pipe gone): spawn instead
    const { code, signal } = await r.child.exited;
    if (code === SPARE_LOST || signal !== null) {
      await r.drained;
      await rm(session.runtimeLog, { force: true });
      r = await attempt(ctx, input, plain);
    }
  }
  if (r.started) return r.started;
  await r.drained;
  const logged = runtimeMessage(await readFile(session.runtimeLog, 'utf8').catch(() => ''), spec.args[0]);
  const code = await r.child.exited;
  return refused(logged || `runtime exec failed (exit ${code.code ?? code.signal ?? '?'})`, input, session);
}

/** One launch: the running process, or (the runtime exited without a pid file) how it ended. */
async function attempt(
  ctx: RuntimeContext,
  input: SessionInput,
  launch: () => HostChild,
): Promise<{ started: ExecProcess; drained?: undefined; child?: undefined } | { started?: undefined; drained: Promise<unknown>; child: HostChild }> {
  const { session } = input;
  const log = ctx.log.child({ container: input.containerId, op: 'exec', exec: input.sessionId });
  // watch before launching: the pid file can appear before spawn() returns
  const pid = pidFile(session.dir, session.pid);
  let child: HostChild;
  try {
    child = launch();
  } catch (err) {
    pid.close();
    throw err;
  }
  child.stdin?.on('error', () => undefined);
  child.control?.on('error', () => undefined);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const drained = Promise.all([forward(child.stdout, stdout), forward(child.stderr, stderr)]);

  const started = await Promise.race([pid.ready, child.exited.then(() => undefined)]);
  pid.close();
  const hostPid = started ?? readPidSync(session.pid);
  // the runtime exited and never wrote the pid file: it refused the process
  if (hostPid === undefined) return { drained, child };

  const exited = (async (): Promise<number> => {
    const { code, signal } = await child.exited;
    // what the process wrote is in the pipes; a child it left behind may hold them open
    const timer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, DRAIN_MS);
    await drained;
    clearTimeout(timer);
    const exitCode = execExitCode(code, signal, undefined);
    log.debug('exec exited', { pid: hostPid, exitCode });
    // the session dir goes after the answer: the client's stream need not wait for it
    void rm(session.dir, { recursive: true, force: true }).catch(() => undefined);
    return exitCode;
  })();
  return { started: { pid: hostPid, stdin: child.stdin, stdout, stderr, exited } };
}

/** Pipes `from` into `to` (with backpressure) and ends `to` when `from` ends or is destroyed. */
function forward(from: Readable | null, to: PassThrough): Promise<void> {
  if (!from) {
    to.end();
    return Promise.resolve();
  }
  from.pipe(to, { end: false });
  return new Promise((resolve) => {
    const done = (): void => {
      from.unpipe(to);
      to.end();
      resolve();
    };
    from.once('close', done);
    from.on('error', () => undefined);
  });
}

/** Resolves with the pid once `file` (in `dir`) holds one; inotify on the directory. */
function pidFile(dir: string, file: string): { ready: Promise<number>; close(): void } {
  let resolve!: (pid: number) => void;
  const ready = new Promise<number>((r) => (resolve = r));
  const name = file.slice(dir.length + 1);
  const check = (): void => {
    const pid = readPidSync(file);
    if (pid !== undefined) resolve(pid);
  };
  const watcher = watch(dir, { persistent: false }, (_event, changed) => {
    if (changed === name) check();
  });
  watcher.on('error', () => undefined);
  if (existsSync(file)) check();
  return { ready, close: () => watcher.close() };
}

/**
 * Removes the session dirs of runtimes primed by an earlier berthd (their process file is a FIFO;
 * the runtimes died with it) from the bundles under `containersDir`. Conmon's sessions (`exec -d`,
 * whose processes outlive berthd) have a regular process file and stay.
 */
export async function sweepPrimedSessions(containersDir: string): Promise<number> {
  let removed = 0;
  for (const id of await readdir(containersDir).catch(() => [] as string[])) {
    const execDir = join(containersDir, id, 'exec');
    for (const session of await readdir(execDir).catch(() => [] as string[])) {
      const st = await lstat(join(execDir, session, 'process.json')).catch(() => undefined);
      if (!st?.isFIFO()) continue;
      await rm(join(execDir, session), { recursive: true, force: true });
      removed++;
    }
  }
  return removed;
}
