/**
 * exec: a process.json beside the bundle and a foreground `runtime exec --process` with piped
 * stdio; runc's exit code is the process's (128+n when signalled). When runc itself fails to
 * start the process it exits 255 and logs the error; that becomes 127 (not found) or 126 (cannot
 * invoke), and runc's message is on stderr. Throws 'conflict' if the container is not running.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { conflict, internal } from '../core/index.js';
import type { ExecProcess, ExecSpec } from './types.js';
import type { RuntimeContext } from './context.js';
import { pathsOf } from './context.js';
import type { OciProcess, OciSpec } from './oci-types.js';
import { USER_ANNOTATION, buildProcess } from './spec.js';
import { resolveUserInRootfs } from './user.js';
import { runtimeMessage } from './runc-error.js';
import { parseSignal } from './signals.js';
import { readExitStatus } from './exit.js';
import { containerPid } from './monitor.js';

/** Container env overridden by exec env (same key → exec wins), order preserved. */
export function mergeEnv(base: string[], extra: string[]): string[] {
  const key = (e: string): string => e.split('=', 1)[0] ?? e;
  const over = new Set(extra.map(key));
  return [...base.filter((e) => !over.has(key(e))), ...extra];
}

/** The exec process spec: container's capabilities and env, the exec's args, user and cwd. */
export function execProcessSpec(container: OciSpec, spec: ExecSpec, user: Parameters<typeof buildProcess>[1]): OciProcess {
  const env = mergeEnv(container.process.env.filter((e) => !e.startsWith('HOME=') || !spec.user), spec.env);
  const p = buildProcess(
    { args: spec.args, env, cwd: spec.cwd || container.process.cwd, tty: spec.tty },
    user,
  );
  return { ...p, capabilities: container.process.capabilities };
}

/** Exit code for a finished `runtime exec`. */
export function execExitCode(code: number | null, signal: string | null, runtimeError: string | undefined): number {
  if (runtimeError !== undefined) return /executable file not found|no such file or directory/i.test(runtimeError) ? 127 : 126;
  if (code !== null) return code;
  let n = 9;
  try {
    if (signal) n = parseSignal(signal);
  } catch {
    // unknown name: report as killed
  }
  return 128 + n;
}

/** Starts a process in a running container. */
export async function execInContainer(ctx: RuntimeContext, id: string, spec: ExecSpec): Promise<ExecProcess> {
  const paths = pathsOf(ctx, id);
  const running = (await readExitStatus(paths, id)) === undefined && (await containerPid(ctx.host, paths, false)) !== undefined;
  if (!running) throw conflict(`Container ${id} is not running`);
  let container: OciSpec;
  try {
    container = JSON.parse(await readFile(paths.config, 'utf8')) as OciSpec;
  } catch {
    throw conflict(`Container ${id} is not running`);
  }
  const user = await resolveUserInRootfs(paths.rootfs, spec.user || userSpecOf(container));
  const processSpec = execProcessSpec(container, spec, user);
  await mkdir(paths.execDir, { recursive: true });
  const base = join(paths.execDir, randomBytes(8).toString('hex'));
  const processFile = `${base}.json`;
  const logFile = `${base}.log`;
  await writeFile(processFile, JSON.stringify(processSpec));
  const args = [`--log=${logFile}`, '--log-format=json', ...ctx.cli.execArgs(id, processFile, spec.tty)];
  ctx.log.debug('spawn exec', { container: id, args });
  const detach = spec.detach === true;
  const child = ctx.host.spawn(ctx.cli.path, args, {
    stdin: spec.openStdin && !detach ? 'pipe' : 'ignore',
    output: detach ? 'ignore' : 'pipe',
  });
  if (child.pid < 0) throw internal(`exec in ${id}: could not start ${ctx.cli.path}`);
  const exited = child.exited.then(async ({ code, signal }) => {
    let runtimeErr: string | undefined;
    if (code === 255) runtimeErr = await readRuntimeError(logFile);
    await Promise.all([rm(processFile, { force: true }), rm(logFile, { force: true })]).catch(() => undefined);
    return execExitCode(code, signal, runtimeErr);
  });
  return {
    pid: child.pid,
    stdin: child.stdin,
    stdout: child.stdout ?? endedStream(),
    stderr: child.stderr ?? endedStream(),
    exited,
  };
}

function userSpecOf(c: OciSpec): string {
  return c.annotations?.[USER_ANNOTATION] ?? `${c.process.user.uid}:${c.process.user.gid}`;
}

async function readRuntimeError(logFile: string): Promise<string | undefined> {
  try {
    const lines = (await readFile(logFile, 'utf8')).split('\n').filter((l) => l.includes('"error"'));
    const last = lines.at(-1);
    return last ? runtimeMessage(last) : undefined;
  } catch {
    return undefined;
  }
}

function endedStream(): PassThrough {
  const s = new PassThrough();
  s.end();
  return s;
}
