/**
 * create: overlay rootfs → user → config.json → conmon (which runs `runtime create`), waiting on
 * conmon's sync pipe for the container pid or the runtime's error. Cleans up on failure.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { EngineError, internal } from '../core/index.js';
import type { Logger } from '../core/index.js';
import type { ContainerPlan, CreatedContainer } from './types.js';
import type { RuntimeContext } from './context.js';
import { cliNamed, pathsOf } from './context.js';
import { CHILD_PATH, DEFAULT_SHM_SIZE } from './defaults.js';
import { conmonArgs } from './conmon-args.js';
import { mountOverlay } from './overlay.js';
import { bundlePaths } from './paths.js';
import type { BundlePaths } from './paths.js';
import { runtimeErrorKind, runtimeMessage } from './runc-error.js';
import { buildSpec } from './spec.js';
import { parseSyncLine } from './sync-pipe.js';
import { readInRootfs, resolveUserInRootfs } from './user.js';
import { additionalGroups, resolveSecurity } from './security.js';
import { cleanupContainer } from './cleanup.js';

const SAFE_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Creates the container; see ContainerRuntime.create. */
export async function createContainer(
  ctx: RuntimeContext,
  plan: ContainerPlan,
  opts: { signal?: AbortSignal } = {},
): Promise<CreatedContainer> {
  if (!SAFE_ID.test(plan.id)) throw new EngineError('invalid-argument', `invalid container id: ${plan.id}`);
  const log = ctx.log.child({ container: plan.id, op: 'create' });
  const paths = bundlePaths(plan.bundleDir);
  ctx.bundles.set(plan.id, plan.bundleDir);
  try {
    const t0 = performance.now();
    const learnSeccomp = await prepareBundle(ctx, plan, paths, opts.signal);
    const t1 = performance.now();
    const created = await startMonitor(ctx, plan, paths, log);
    if (learnSeccomp !== undefined) await ctx.seccompBpf?.learn(learnSeccomp, plan.id);
    log.debug('created', { ...created, bundleMs: Math.round(t1 - t0), conmonMs: Math.round(performance.now() - t1) });
    return created;
  } catch (err) {
    await cleanupContainer(ctx, plan.id).catch((e: unknown) => log.warn('cleanup after failed create', { err: e }));
    ctx.bundles.delete(plan.id);
    if (err instanceof EngineError) throw err;
    throw internal(`create container ${plan.id}: ${err instanceof Error ? err.message : String(err)}`, err);
  }
}

/**
 * Bundle dir, overlay rootfs, user resolution and config.json. Returns the seccomp cache key to
 * learn the compiled filter under once the runtime made it (see SeccompBpfCache).
 */
async function prepareBundle(ctx: RuntimeContext, plan: ContainerPlan, paths: BundlePaths, signal?: AbortSignal): Promise<string | undefined> {
  await mkdir(paths.exitDir, { recursive: true });
  await mountOverlay(ctx.host, plan, paths.rootfs, paths.layerLinks, ctx.busybox);
  signal?.throwIfAborted();
  const user = await resolveUserInRootfs(paths.rootfs, plan.process.user);
  const sec = await resolveSecurity(plan.security, {
    ...(ctx.seccomp ? { filter: ctx.seccomp } : {}),
    ...(ctx.seccompProfile !== undefined ? { profile: ctx.seccompProfile } : {}),
    ...(ctx.unsupportedArches ? { unsupportedArches: ctx.unsupportedArches } : {}),
  });
  const shmSource = await ipcShm(ctx, plan, paths);
  const groupAdd = plan.security?.groupAdd?.length
    ? additionalGroups(plan.security.groupAdd, await readInRootfs(paths.rootfs, '/etc/group'))
    : [];
  const spec = buildSpec(plan, {
    user,
    cgroupParent: ctx.cgroupParent,
    ...(ctx.initPath ? { initPath: ctx.initPath } : {}),
    ...(sec.seccomp ? { seccomp: sec.seccomp } : {}),
    capabilities: sec.capabilities,
    devices: sec.devices,
    deviceRules: sec.deviceRules,
    groupAdd,
    ...(shmSource !== undefined ? { shmSource } : {}),
  });
  const learnSeccomp = cliNamed(ctx, plan.runtime).name === 'crun' ? ctx.seccompBpf?.apply(spec) : undefined;
  // synchronous: a small file on every start, cheaper than the thread pool's round trips
  writeFileSync(paths.config, JSON.stringify(spec));
  signal?.throwIfAborted();
  return learnSeccomp;
}

/**
 * The host directory bound at /dev/shm, if any: for --ipc shareable, a tmpfs mounted now under
 * the bundle (moby mounts it under the container's directory the same way; cleanup unmounts it);
 * when joining a container's IPC namespace, that container's (or the host's /dev/shm).
 */
async function ipcShm(ctx: RuntimeContext, plan: ContainerPlan, paths: BundlePaths): Promise<string | undefined> {
  const ipc = plan.security?.ipc;
  if (ipc?.mode === 'shareable') {
    await mkdir(paths.shm, { recursive: true, mode: 0o700 });
    const size = plan.shmSize ?? DEFAULT_SHM_SIZE;
    const r = await ctx.host.run('mount', ['-t', 'tmpfs', '-o', `mode=1777,size=${size},nosuid,nodev,noexec`, 'shm', paths.shm]);
    if (r.code !== 0) throw internal(`mounting shm tmpfs: ${r.stderr.trim() || `exit ${r.code}`}`);
    return paths.shm;
  }
  if (ipc?.mode !== 'path' || !('shm' in ipc)) return undefined;
  if ('host' in ipc.shm) return '/dev/shm';
  const shared = pathsOf(ctx, ipc.shm.container).shm;
  if (!existsSync(shared)) throw new EngineError('invalid-argument', `container ${ipc.shm.container}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
  return shared;
}

/** Spawns conmon (detached: it double-forks and calls setsid) and reads the sync pipe. */
async function startMonitor(ctx: RuntimeContext, plan: ContainerPlan, paths: BundlePaths, log: Logger): Promise<CreatedContainer> {
  const runtime = cliNamed(ctx, plan.runtime).createCommand();
  const args = conmonArgs({
    id: plan.id,
    name: plan.id,
    runtimePath: runtime.path,
    runtimeArgs: runtime.args,
    paths,
    logPath: plan.logPath,
    tty: plan.process.tty,
    openStdin: plan.process.openStdin,
    stdinOnce: plan.process.stdinOnce ?? false,
    logLevel: ctx.conmonLogLevel,
  });
  log.debug('spawn conmon', { path: ctx.conmonPath, args });
  // cwd = bundle: conmon creates its `oom` file relative to its working directory.
  const started = await ctx.host.spawnMonitor(ctx.conmonPath, args, {
    cwd: paths.dir,
    env: { PATH: CHILD_PATH },
    syncEnv: '_OCI_SYNCPIPE',
  });
  const result = parseSyncLine(started.syncLine);
  if (!result.ok) {
    // No sync line at all means conmon itself failed (bad flags, missing runtime): use its stderr.
    const conmonErr = started.exit.stderr.trim();
    const message =
      started.syncLine === undefined && conmonErr !== ''
        ? `conmon failed: ${runtimeMessage(conmonErr)}`
        : runtimeMessage(result.message, plan.process.args[0]) || result.message;
    throw new EngineError(runtimeErrorKind(message), message);
  }
  const conmonPid = Number(readFileSync(paths.conmonPid, 'utf8').trim());
  if (!Number.isInteger(conmonPid) || conmonPid <= 0) throw internal('conmon did not write its pid file');
  return { pid: result.pid, conmonPid };
}
