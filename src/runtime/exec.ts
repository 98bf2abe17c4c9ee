/**
 * exec: a process.json in the session dir (<bundle>/exec/<session>), then either conmon in exec
 * mode (TTYs, `exec -d`, runc), which runs `runtime exec --detach`, holds the process's stdio
 * (pipes, or a pty with a TTY) and reports its exit code (128+n when signalled), or, for an
 * attached exec without a TTY on crun, `crun exec` as berthd's own child (exec-direct.ts). When the
 * runtime refuses to start the process, its message is on stderr and the exit code is 127 (not
 * found) or 126 (cannot invoke). Throws 'conflict' if the container is not running.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { conflict } from '../core/index.js';
import type { ExecProcess, ExecSpec } from './types.js';
import type { RuntimeContext } from './context.js';
import { cliFor, pathsOf } from './context.js';
import type { OciProcess, OciSpec } from './oci-types.js';
import { GROUP_ADD_ANNOTATION, USER_ANNOTATION, buildProcess } from './spec.js';
import { readInRootfs, resolveUserInRootfs } from './user.js';
import { hostCapabilities } from './capabilities.js';
import { additionalGroups } from './security.js';
import { checkTerminalSize } from './ctl.js';
import { startExecSession } from './exec-session.js';
import { primeDirectExec, startDirectExec, type PrimedDirectExec } from './exec-direct.js';
import { execSessionPaths } from './paths.js';
import { readPidSync } from './monitor.js';
import { execExitCode, parseExitFile } from './exit.js';
import type { BundlePaths } from './paths.js';
import { join } from 'node:path';

/** Container env overridden by exec env (same key → exec wins), order preserved. */
export function mergeEnv(base: string[], extra: string[]): string[] {
  const key = (e: string): string => e.split('=', 1)[0] ?? e;
  const over = new Set(extra.map(key));
  return [...base.filter((e) => !over.has(key(e))), ...extra];
}

/**
 * The exec process spec: container's capabilities (every host capability with `privileged`, as
 * Docker's exec --privileged), no-new-privileges and env, the exec's args, user and cwd.
 */
export function execProcessSpec(
  container: OciSpec,
  spec: ExecSpec,
  user: Parameters<typeof buildProcess>[1],
  host: readonly string[] = hostCapabilities(),
): OciProcess {
  const env = mergeEnv(container.process.env.filter((e) => !e.startsWith('HOME=') || !spec.user), spec.env);
  const p = buildProcess(
    {
      args: spec.args,
      env,
      cwd: spec.cwd || container.process.cwd,
      tty: spec.tty,
      ...(spec.tty && spec.consoleSize ? { consoleSize: spec.consoleSize } : {}),
    },
    user,
  );
  const caps = [...host];
  const capabilities = spec.privileged ? { bounding: caps, effective: [...caps], permitted: [...caps] } : container.process.capabilities;
  return { ...p, capabilities, noNewPrivileges: container.process.noNewPrivileges };
}

export { execExitCode } from './exit.js';

/**
 * Starts a process in a running container through conmon's exec mode (see exec-session.ts): with
 * or without a TTY, stdio through the session's attach socket, the exit code from conmon.
 */
export async function execInContainer(ctx: RuntimeContext, id: string, spec: ExecSpec): Promise<ExecProcess> {
  const t0 = performance.now();
  const paths = pathsOf(ctx, id);
  const initPid = runningPid(ctx, paths, id);
  if (initPid === undefined) throw conflict(`Container ${id} is not running`);
  let container: OciSpec;
  try {
    // small files read and written synchronously on every exec: cheaper than the thread pool's round trips
    container = JSON.parse(readFileSync(paths.config, 'utf8')) as OciSpec;
  } catch {
    throw conflict(`Container ${id} is not running`);
  }
  if (spec.tty && spec.consoleSize) checkTerminalSize(...spec.consoleSize);
  const resolved = await resolveUserInRootfs(paths.rootfs, spec.user || userSpecOf(container));
  const groupAdd = container.annotations?.[GROUP_ADD_ANNOTATION]?.split(',').filter((g) => g !== '') ?? [];
  const extra = groupAdd.length > 0 ? additionalGroups(groupAdd, await readInRootfs(paths.rootfs, '/etc/group')) : [];
  const user = { ...resolved, additionalGids: [...new Set([...resolved.additionalGids, ...extra])] };
  const processSpec = JSON.stringify(execProcessSpec(container, spec, user));
  // runc's `exec` waits for the pipes to close, so a background child would hold it: conmon there
  const direct = !spec.tty && spec.detach !== true && cliFor(ctx, id).name === 'crun';
  // a runtime primed for this container's init takes attached execs whose stdin is /dev/null
  const primeKey = direct && !spec.openStdin ? `${id}:${initPid}` : undefined;
  const primed = primeKey ? ctx.launcher?.takePrimed<PrimedDirectExec>(primeKey) : undefined;
  const sessionId = primed?.value.sessionId ?? randomBytes(8).toString('hex');
  const session = execSessionPaths(paths, id, sessionId);
  const t1 = performance.now();
  try {
    if (!primed) {
      mkdirSync(session.dir, { recursive: true });
      writeFileSync(session.process, processSpec);
    }
    const t2 = performance.now();
    const input = { containerId: id, sessionId, session, spec, failureCode: (message: string) => execExitCode(null, null, message) };
    const proc = direct
      ? await startDirectExec(ctx, input, primed ? { runtime: primed, processSpec } : undefined)
      : await startExecSession(ctx, input);
    if (primeKey) ctx.launcher?.primeAfter(primeKey, proc.exited, () => primeDirectExec(ctx, id));
    ctx.log.debug('exec started', {
      container: id, primed: primed !== undefined,
      ms: { prepare: Math.round((t1 - t0) * 10) / 10, session: Math.round((t2 - t1) * 10) / 10, start: Math.round((performance.now() - t2) * 10) / 10 },
    });
    return proc;
  } catch (err) {
    await rm(session.dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * The container's init pid when it has no exit file yet and that process exists: what
 * readExitStatus and containerPid tell, read synchronously (three small files on every exec; the
 * thread pool's round trips cost more). Undefined when it is not running.
 */
function runningPid(ctx: RuntimeContext, paths: BundlePaths, id: string): number | undefined {
  try {
    if (parseExitFile(readFileSync(join(paths.exitDir, id), 'utf8')) !== undefined) return undefined;
  } catch {
    // no exit file: it has not exited
  }
  const pid = readPidSync(paths.containerPid);
  return pid !== undefined && ctx.host.processAlive(pid) ? pid : undefined;
}

function userSpecOf(c: OciSpec): string {
  return c.annotations?.[USER_ANNOTATION] ?? `${c.process.user.uid}:${c.process.user.gid}`;
}
