/**
 * An exec session through conmon's exec mode (conmon 2.1 src/conmon.c, driven as Podman's
 * libpod/oci_conmon_exec_common.go does). Three pipes, announced in conmon's environment:
 *
 * - `_OCI_STARTPIPE`: conmon's first half reads one byte before it forks (the hook for moving it
 *   into a cgroup); with --exec-attach the child that runs the runtime reads a second byte before
 *   `runtime exec`, so we can connect to the attach socket first and lose no output.
 * - `_OCI_ATTACHPIPE`: `{"data": 0}` once the session's attach socket and ctl FIFO exist.
 * - `_OCI_SYNCPIPE`: `{"data": <pid>}` once `runtime exec --detach` returned, or `{"data": -N,
 *   "message": <runtime stderr>}` if it failed (then conmon exits); later `{"data": <exit code>}`
 *   (128+n when signalled) after the process exited, conmon drained its output, closed the
 *   attach connections and wrote the exit file (`<exit-dir>/<container id>`).
 */
import { readFile, rm } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { internal } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { ExecProcess, ExecSpec } from './types.js';
import type { RuntimeContext } from './context.js';
import { cliFor } from './context.js';
import { CHILD_PATH } from './defaults.js';
import type { AttachSocket } from './attach.js';
import { connectAttach } from './attach.js';
import { execConmonArgs } from './conmon-args.js';
import { resizeTerminal } from './ctl.js';
import { endedStream, execStreams } from './exec-streams.js';
import { parseExitFile } from './exit.js';
import type { MonitorPipes } from './host.js';
import { readPid } from './monitor.js';
import type { ExecSessionPaths } from './paths.js';
import { runtimeMessage } from './runc-error.js';
import { PipeLines, parseSyncMessage } from './sync-pipe.js';

const PIPES = ['_OCI_SYNCPIPE', '_OCI_STARTPIPE', '_OCI_ATTACHPIPE'];
/** Reported when conmon vanished without telling the exit code and left no exit file. */
const UNKNOWN_EXIT = 137;

/** What the caller needs to turn a runtime failure into an exit code. */
export interface SessionInput {
  containerId: string;
  sessionId: string;
  session: ExecSessionPaths;
  spec: ExecSpec;
  /** Maps the runtime's message (exec failed) to an exit code (127 not found, 126 cannot invoke). */
  failureCode: (message: string) => number;
}

/**
 * Starts conmon for the session (process.json must be written) and resolves once the process runs
 * (or the runtime refused it: then stderr carries the runtime's message and `exited` its code).
 * Throws 'internal' if conmon itself fails. Removes the session dir once the process exited.
 */
export async function startExecSession(ctx: RuntimeContext, input: SessionInput): Promise<ExecProcess> {
  const { spec, session } = input;
  const log = ctx.log.child({ container: input.containerId, op: 'exec', exec: input.sessionId });
  const detach = spec.detach === true;
  const args = execConmonArgs({
    containerId: input.containerId,
    sessionId: input.sessionId,
    runtimePath: cliFor(ctx, input.containerId).path,
    runtimeArgs: [...cliFor(ctx, input.containerId).globalArgs(), `--log=${session.runtimeLog}`, '--log-format=json'],
    session,
    tty: spec.tty,
    openStdin: spec.openStdin && !detach,
    // conmon's runtime child logs "waiting for start message" at debug level on its stderr, which
    // is already the process's stderr pipe by then: debug would leak into the exec's output
    logLevel: ctx.conmonLogLevel === 'debug' ? 'info' : ctx.conmonLogLevel,
  });
  log.debug('spawn exec conmon', { path: ctx.conmonPath, args });
  const mon = ctx.host.spawnMonitorPipes(ctx.conmonPath, args, { cwd: session.dir, env: { PATH: CHILD_PATH }, pipes: PIPES });
  const [syncPipe, startPipe, attachPipe] = mon.pipes;
  if (!syncPipe || !startPipe || !attachPipe || mon.pid < 0) throw await conmonFailed(mon, input, 'could not start conmon');
  startPipe.on('error', () => undefined);
  const sync = new PipeLines(syncPipe);
  let conn: AttachSocket | undefined;
  try {
    startPipe.write(Buffer.of(0));
    const attachLines = new PipeLines(attachPipe);
    const ready = parseSyncMessage(await attachLines.next());
    attachLines.close();
    if (ready?.data !== 0) throw await conmonFailed(mon, input, 'no attach socket');
    if (!detach) {
      conn = await connectAttach(session.attach, session.dir).catch((e: unknown) => {
        throw internal(`exec in ${input.containerId}: ${e instanceof Error ? e.message : String(e)}`, e);
      });
    }
    startPipe.end(Buffer.of(0), () => startPipe.destroy());
    const first = parseSyncMessage(await sync.next());
    if (first === undefined || first.data <= 0 || first.message !== undefined) {
      const logged = runtimeMessage(await readFile(session.runtimeLog, 'utf8').catch(() => ''), spec.args[0]);
      if (first === undefined && logged === '') throw await conmonFailed(mon, input, 'no pid from conmon');
      conn?.close();
      sync.close();
      const reported = runtimeMessage(first?.message ?? '', spec.args[0]);
      return refused(reported || logged || `runtime exec failed (${first?.data ?? 'no pid'})`, input, session);
    }
    return running(input, first.data, sync, conn, log);
  } catch (err) {
    // conmon's runtime child treats EOF on the start pipe as "go": stop conmon first
    await stopMonitor(ctx, input, mon);
    conn?.close();
    sync.close();
    startPipe.destroy();
    throw err;
  }
}

/** SIGKILLs the session's conmon (its runtime child dies with it: PDEATHSIG), if it still runs. */
async function stopMonitor(ctx: RuntimeContext, input: SessionInput, mon: MonitorPipes): Promise<void> {
  await mon.exit; // its parent half writes the pid file, then exits
  const pid = await readPid(input.session.conmonPid);
  if (pid === undefined) return;
  const cmd = await ctx.host.cmdline(pid);
  if (cmd?.includes('conmon') && cmd.includes(input.sessionId)) ctx.host.kill(pid, 'SIGKILL');
}

/** The process runs: streams from the attach connection, exit code from the sync pipe. */
function running(input: SessionInput, pid: number, sync: PipeLines, conn: AttachSocket | undefined, log: Logger): ExecProcess {
  const { spec, session } = input;
  const streams = conn ? execStreams(conn, { tty: spec.tty, stdin: spec.openStdin }) : undefined;
  const exited = (async (): Promise<number> => {
    const msg = parseSyncMessage(await sync.next());
    sync.close();
    let code = msg !== undefined && msg.data >= 0 ? msg.data : undefined;
    if (msg?.message !== undefined) log.warn('exec ended', { message: msg.message });
    code ??= await readExitFile(session.exit);
    log.debug('exec exited', { pid, exitCode: code });
    await rm(session.dir, { recursive: true, force: true }).catch(() => undefined);
    return code ?? UNKNOWN_EXIT;
  })();
  const proc: ExecProcess = {
    pid,
    stdin: streams?.stdin ?? null,
    stdout: streams?.stdout ?? endedStream(),
    stderr: streams?.stderr ?? endedStream(),
    exited,
  };
  if (spec.tty) {
    proc.resize = (height, width) => resizeTerminal(session.ctl, height, width, `exec session ${input.sessionId} is not running`);
  }
  return proc;
}

/** The runtime refused the process: its message on stderr, the matching exit code. */
export function refused(message: string, input: SessionInput, session: ExecSessionPaths): ExecProcess {
  const stderr = new PassThrough();
  stderr.end(`${message}\n`);
  const code = input.failureCode(message);
  const exited = rm(session.dir, { recursive: true, force: true }).then(
    () => code,
    () => code,
  );
  return { pid: 0, stdin: null, stdout: endedStream(), stderr, exited };
}

async function conmonFailed(mon: MonitorPipes, input: SessionInput, what: string): Promise<Error> {
  const exit = await mon.exit;
  const detail = runtimeMessage(exit.stderr.trim());
  return internal(`exec in ${input.containerId}: ${what}${detail ? `: ${detail}` : ` (conmon exit ${exit.code ?? exit.signal ?? '?'})`}`);
}

async function readExitFile(file: string): Promise<number | undefined> {
  try {
    const n = parseExitFile(await readFile(file, 'utf8'));
    return n !== undefined && n >= 0 ? n : undefined;
  } catch {
    return undefined;
  }
}
