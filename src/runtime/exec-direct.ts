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
 */
import { watch, existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import type { ExecProcess } from './types.js';
import type { RuntimeContext } from './context.js';
import { cliFor } from './context.js';
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

export async function startDirectExec(ctx: RuntimeContext, input: SessionInput): Promise<ExecProcess> {
  const { spec, session } = input;
  const log = ctx.log.child({ container: input.containerId, op: 'exec', exec: input.sessionId });
  const cli = cliFor(ctx, input.containerId);
  // watch before spawning: the pid file can appear before spawn() returns
  const pid = pidFile(session.dir, session.pid);
  const args = [
    ...cli.globalArgs(), `--log=${session.runtimeLog}`, '--log-format=json', 'exec', '--process', session.process, '--pid-file', session.pid, input.containerId,
  ];
  let child;
  try {
    child = (spec.openStdin ? undefined : ctx.launcher?.launch(cli.path, args, session.dir))
      ?? ctx.host.spawn(cli.path, args, { cwd: session.dir, env: { PATH: CHILD_PATH }, stdin: spec.openStdin ? 'pipe' : 'ignore', output: 'pipe', detached: true });
  } catch (err) {
    pid.close();
    throw err;
  }
  child.stdin?.on('error', () => undefined);
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const drained = Promise.all([forward(child.stdout, stdout), forward(child.stderr, stderr)]);

  const started = await Promise.race([pid.ready, child.exited.then(() => undefined)]);
  pid.close();
  const hostPid = started ?? readPidSync(session.pid);
  if (hostPid === undefined) {
    // the runtime exited and never wrote the pid file: it refused the process
    await drained;
    const logged = runtimeMessage(await readFile(session.runtimeLog, 'utf8').catch(() => ''), spec.args[0]);
    const code = await child.exited;
    return refused(logged || `runtime exec failed (exit ${code.code ?? code.signal ?? '?'})`, input, session);
  }

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
  return { pid: hostPid, stdin: child.stdin, stdout, stderr, exited };
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
