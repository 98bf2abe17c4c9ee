/** ConmonRuntime: the ContainerRuntime on conmon + runc/crun (composition of the operation files). */
import { access, constants, mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../core/index.js';
import { internal } from '../core/index.js';
import type { AttachConnection, ContainerPlan, ContainerRuntime, CreatedContainer, ExecProcess, ExecSpec, ExitStatus } from './types.js';
import type { RuntimeContext } from './context.js';
import { cliFor, pathsOf } from './context.js';
import { connectAttach } from './attach.js';
import { cleanupContainer } from './cleanup.js';
import { mountRootfsFor } from './rootfs-access.js';
import { createContainer } from './create.js';
import { CTL_REOPEN_LOGS, ctlMessage, sendCtl } from './ctl.js';
import { availableRuntimes, busyboxWith, detectRuntime } from './detect.js';
import { readOnlyBinary, readOnlyBinaryPath, unmountReadOnlyBinary } from './readonly-binary.js';
import type { RuntimeChoice } from './detect.js';
import { execInContainer } from './exec.js';
import { readExitStatus, watchExit } from './exit.js';
import { resizeContainer } from './resize.js';
import type { Host } from './host.js';
import { nodeHost } from './host.js';
import { containerPid, monitorAlive } from './monitor.js';
import type { OciResources } from './oci-types.js';
import { RuntimeCli } from './runc.js';
import { parseSignal } from './signals.js';
import { topContainer } from './top.js';
import { DEFAULT_SECCOMP_PROFILE, loadSeccompDefaults } from './seccomp.js';
import type { SeccompDefaults } from './security.js';
import { DEFAULT_CAPABILITIES } from './defaults.js';
import { SeccompBpfCache } from './seccomp-cache.js';
import { ExecLauncher } from './exec-launcher.js';
import { sweepPrimedSessions } from './exec-direct.js';

export interface RuntimeOptions {
  /** Exec root (e.g. /run/berth): bundles under containers/, runtime state under runc/. */
  execRoot: string;
  /** `auto` (default): crun when usable here, else runc. */
  runtime?: RuntimeChoice;
  runtimePath?: string;
  conmonPath?: string;
  /** tini or catatonit for --init (must be static: images may have no libc); default tini-static, then catatonit. */
  initPath?: string;
  cgroupParent?: string;
  logger: Logger;
  host?: Host;
  /**
   * Seccomp profile (moby format) applied to every container: a path, or false for unconfined.
   * Default: containers-common's /usr/share/containers/seccomp.json (Docker's default profile)
   * when present; a profile that cannot be read is logged and leaves containers unconfined.
   */
  seccompProfile?: string | false;
  conmonLogLevel?: 'debug' | 'info' | 'warn' | 'error';
}

async function findExecutable(candidates: string[]): Promise<string | undefined> {
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // next
    }
  }
  return undefined;
}

async function loadDefaultSeccomp(profile: string | false | undefined, log: Logger): Promise<SeccompDefaults | undefined> {
  if (profile === false) return undefined;
  const path = profile ?? DEFAULT_SECCOMP_PROFILE;
  if (profile === undefined && !(await readable(path))) {
    log.warn('no default seccomp profile, containers run unconfined', { path });
    return undefined;
  }
  try {
    return await loadSeccompDefaults(path, DEFAULT_CAPABILITIES);
  } catch (err) {
    if (profile !== undefined) throw internal(`seccomp profile ${path}: ${err instanceof Error ? err.message : String(err)}`, err);
    log.warn('default seccomp profile unusable, containers run unconfined', { path, err });
    return undefined;
  }
}

async function readable(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the runtime: picks runc/crun (crun on hybrid cgroups falls back to runc), checks conmon,
 * and gives the runtime a state root of its own (<execRoot>/runc).
 */
export async function createRuntime(opts: RuntimeOptions): Promise<ContainerRuntime> {
  const host = opts.host ?? nodeHost();
  const log = opts.logger.child({ subsystem: 'runtime' });
  const detected = await detectRuntime({
    host,
    logger: log,
    ...(opts.runtime ? { runtime: opts.runtime } : {}),
    ...(opts.runtimePath ? { runtimePath: opts.runtimePath } : {}),
  });
  const conmonPath = await findExecutable(opts.conmonPath ? [opts.conmonPath] : ['/usr/bin/conmon', '/usr/libexec/podman/conmon', '/usr/local/bin/conmon']);
  if (!conmonPath) throw internal('conmon not found');
  const initPath = await findExecutable(opts.initPath ? [opts.initPath] : ['/usr/bin/tini-static', '/usr/bin/catatonit', '/usr/libexec/podman/catatonit', '/usr/bin/tini']);
  const seccompDefaults = await loadDefaultSeccomp(opts.seccompProfile, log);
  const seccomp = seccompDefaults?.filter;
  const stateRoot = join(opts.execRoot, detected.name);
  await mkdir(join(opts.execRoot, 'containers'), { recursive: true });
  await mkdir(stateRoot, { recursive: true, mode: 0o700 });
  // a test's fake host gets mount(8) by name
  const busybox = opts.host ? undefined : await busyboxWith(host, ['mount', 'umount']);
  const setpriv = opts.host ? undefined : await findExecutable(['/usr/bin/setpriv', '/bin/setpriv']);
  const runtimePath = detected.name === 'crun' ? await readOnlyBinary(host, opts.execRoot, 'crun', detected.path, log) : detected.path;
  log.info('runtime ready', {
    runtime: detected.name,
    path: runtimePath,
    cgroups: detected.cgroups,
    ...(detected.createLauncher ? { createVia: `${basename(detected.createLauncher.path)}: a mount namespace without the v2 mount` } : {}),
    conmon: conmonPath,
    init: initPath,
    seccomp: seccomp ? `${seccomp.syscalls?.length ?? 0} rules` : 'unconfined',
  });
  const ctx: RuntimeContext = {
    host,
    log,
    cli: new RuntimeCli(host, runtimePath, stateRoot, log, detected.name, detected.createLauncher),
    execRoot: opts.execRoot,
    conmonPath,
    initPath,
    cgroupParent: opts.cgroupParent ?? '/berth',
    seccomp,
    ...(seccompDefaults ? { seccompProfile: seccompDefaults.profile, unsupportedArches: seccompDefaults.unsupportedArches } : {}),
    conmonLogLevel: opts.conmonLogLevel ?? 'error',
    bundles: new Map(),
    ...(busybox ? { busybox } : {}),
    // a test's fake host spawns as told: no shells forked ahead
    ...(opts.host ? {} : { launcher: new ExecLauncher(host) }),
    ...(setpriv ? { setpriv } : {}),
    others: await otherRuntimes(host, opts.execRoot, detected.name, log),
  };
  if (!opts.host) {
    // session dirs of runtimes primed by a berthd that died (the runtimes died with it)
    void sweepPrimedSessions(join(opts.execRoot, 'containers'))
      .then((n) => n > 0 && log.debug('removed primed exec sessions left by an earlier daemon', { count: n }))
      .catch((err: unknown) => log.warn('sweeping primed exec sessions failed', { err }));
  }
  const crun = detected.name === 'crun' ? ctx.cli : ctx.others.get('crun');
  if (crun) ctx.seccompBpf = new SeccompBpfCache(crun.root);
  return new ConmonRuntime(ctx);
}

/**
 * The runtimes other than the default that can run here, each with its own state root
 * (<execRoot>/<name>); one that is not installed but left containers behind is logged.
 */
async function otherRuntimes(host: Host, execRoot: string, current: 'runc' | 'crun', log: Logger): Promise<Map<string, RuntimeCli>> {
  const out = new Map<string, RuntimeCli>();
  const available = await availableRuntimes(host);
  for (const name of ['crun', 'runc'] as const) {
    if (name === current) continue;
    const found = available.find((r) => r.name === name);
    const root = join(execRoot, name);
    if (found) {
      const path = name === 'crun' ? await readOnlyBinary(host, execRoot, name, found.path, log) : found.path;
      out.set(name, new RuntimeCli(host, path, root, log, name, found.createLauncher));
      continue;
    }
    const left = await readdir(root).catch(() => [] as string[]);
    if (left.length > 0) log.warn(`containers made by ${name} remain but ${name} cannot run here`, { count: left.length });
  }
  return out;
}

/** The ContainerRuntime over conmon and an OCI runtime CLI. */
export class ConmonRuntime implements ContainerRuntime {
  constructor(private readonly ctx: RuntimeContext) {}

  get name(): string {
    return this.ctx.cli.name;
  }

  get runtimes(): string[] {
    return [this.ctx.cli.name, ...this.ctx.others.keys()];
  }

  async close(): Promise<void> {
    this.ctx.launcher?.close();
    for (const cli of [this.ctx.cli, ...this.ctx.others.values()]) {
      if (cli.path === readOnlyBinaryPath(this.ctx.execRoot, cli.name)) await unmountReadOnlyBinary(this.ctx.host, cli.path);
    }
  }

  create(plan: ContainerPlan, opts?: { signal?: AbortSignal }): Promise<CreatedContainer> {
    return createContainer(this.ctx, plan, opts);
  }

  start(id: string): Promise<void> {
    return cliFor(this.ctx, id).start(id);
  }

  attach(id: string): Promise<AttachConnection> {
    const p = pathsOf(this.ctx, id);
    return connectAttach(p.attach, p.dir);
  }

  async kill(id: string, signal: string | number): Promise<void> {
    await cliFor(this.ctx, id).kill(id, parseSignal(signal));
  }

  async update(id: string, resources: OciResources): Promise<void> {
    const file = join(pathsOf(this.ctx, id).dir, 'update.json');
    await writeFile(file, JSON.stringify(resources));
    try {
      await cliFor(this.ctx, id).update(id, file);
    } finally {
      await rm(file, { force: true });
    }
  }

  pause(id: string): Promise<void> {
    return cliFor(this.ctx, id).pause(id);
  }

  resume(id: string): Promise<void> {
    return cliFor(this.ctx, id).resume(id);
  }

  exitStatus(id: string): Promise<ExitStatus | undefined> {
    return readExitStatus(pathsOf(this.ctx, id), id);
  }

  onExit(id: string, cb: (status: ExitStatus) => void): () => void {
    const log = this.ctx.log;
    return watchExit(pathsOf(this.ctx, id), id, cb, (err) => log.warn('exit watch failed', { container: id, err }));
  }

  async hasStarted(id: string): Promise<boolean> {
    const cli = cliFor(this.ctx, id);
    const [dir, fifo] = await Promise.all([stat(join(cli.root, id)).catch(() => undefined), stat(cli.execFifo(id)).catch(() => undefined)]);
    return dir !== undefined && fifo === undefined;
  }

  isMonitorAlive(id: string): Promise<boolean> {
    return monitorAlive(this.ctx.host, pathsOf(this.ctx, id), id);
  }

  async pid(id: string): Promise<number | undefined> {
    const paths = pathsOf(this.ctx, id);
    const exited = (await readExitStatus(paths, id)) !== undefined;
    return containerPid(this.ctx.host, paths, exited);
  }

  cleanup(id: string): Promise<void> {
    return cleanupContainer(this.ctx, id);
  }

  mountRootfs(id: string, layout: { lowerDirs: string[]; upperDir: string; workDir: string }) {
    return mountRootfsFor(this.ctx, id, layout);
  }

  exec(id: string, spec: ExecSpec): Promise<ExecProcess> {
    return execInContainer(this.ctx, id, spec);
  }

  top(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return topContainer(this.ctx, id, psArgs);
  }

  reopenLog(id: string): Promise<void> {
    return sendCtl(pathsOf(this.ctx, id).ctl, ctlMessage(CTL_REOPEN_LOGS));
  }

  /** Resizes the container's terminal (TTY containers); see ContainerRuntime.resize. */
  resize(id: string, height: number, width: number): Promise<void> {
    return resizeContainer(this.ctx, id, height, width);
  }
}
