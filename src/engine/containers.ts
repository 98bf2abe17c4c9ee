/**
 * Container lifecycle use cases: create, start, stop, kill, restart, remove, wait, rename,
 * and the handling of exits. Operations that change a container's state run under its lock;
 * waiting for an exit never holds it.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  conflict, EngineError, errorMessage, internal, invalidArgument, newId, notModified, randomName,
  shortId, VALID_NAME, type Logger,
} from '../core/index.js';
import type { ContainerCreateBody, HostConfig, WaitResponse } from '../protocol/index.js';
import type { ImageService } from '../image/types.js';
import type { ContainerPlan, ContainerRuntime, ExitStatus } from '../runtime/types.js';
import { DEFAULT_SHM_SIZE } from '../runtime/defaults.js';
import { commandOf, mergeConfig } from './config-merge.js';
import { writeEtcFiles, type EtcFiles, type EtcOptions } from './etc-files.js';
import { startFailureExitCode, parseSignal } from './exit-codes.js';
import { mountRequests, resolveMounts } from './mounts.js';
import { checkResources, ociResources, ociRlimits, type HostLimits, type ResourceConfig } from './resources.js';
import { checkSecurity, securityPlan, type SecurityConfig } from './security.js';
import type { ContainerVolumes } from './volume-ops.js';
import { KeyedMutex } from './mutex.js';
import type { Events } from './events.js';
import { HealthMonitor } from './health.js';
import type { ContainerNetworking, NetworkStart } from './networking.js';
import { initialState, type ContainerRecord, type MountPointRecord } from './record.js';
import type { ContainerStore } from './store.js';
import { Lifecycle } from './waiters.js';

export interface ContainerDeps {
  store: ContainerStore;
  images: ImageService;
  runtime: ContainerRuntime;
  networking: ContainerNetworking;
  volumes: ContainerVolumes;
  events: Events;
  /** CPUs and hard rlimits of the host, for limit checks. */
  hostLimits: HostLimits;
  logger: Logger;
  /** Checks a LogConfig's options (throws 400 on bad ones). */
  validateLogOpts: (opts: Record<string, string>) => void;
}

/** Hooks run after the runtime created the container and before its process starts. */
type BeforeStartHook = () => Promise<void>;

/** How long a /wait by id still gets the exit code of a container AutoRemove took away. */
const AUTO_REMOVED_WAIT_MS = 10_000;
const RUNNING = new Set(['running', 'paused', 'restarting']);

/** A unified (v2) cgroup host: dockerd then gives containers a cgroup namespace of their own by default. */
const CGROUP_V2 = existsSync('/sys/fs/cgroup/cgroup.controllers');

/** Docker's restart policy checks (moby runconfig), 400 on a bad one. */
function checkRestartPolicy(p: NonNullable<HostConfig['RestartPolicy']>): void {
  const name = p.Name ?? '';
  const max = p.MaximumRetryCount ?? 0;
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(name)) {
    throw invalidArgument(`invalid restart policy: unknown policy '${name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
  }
  if (max < 0) throw invalidArgument(`invalid restart policy: maximum retry count cannot be negative`);
  if (max > 0 && name !== 'on-failure') {
    throw invalidArgument(`invalid restart policy: maximum retry count can only be used with 'on-failure'`);
  }
}

export class Containers {
  readonly lifecycle = new Lifecycle();
  readonly mutex = new KeyedMutex();
  private readonly beforeStart = new Map<string, Set<BeforeStartHook>>();
  private readonly exitWatch = new Map<string, () => void>();
  private readonly restartTimers = new Map<string, NodeJS.Timeout>();
  private readonly backoff = new Map<string, number>();
  /** Containers removed but still being cleaned up: id → image id. */
  private readonly cleaning = new Map<string, string>();
  private readonly purges = new Map<string, Promise<void>>();
  /**
   * Exit codes of containers that AutoRemove took away in the last AUTO_REMOVED_WAIT_MS, by id:
   * a /wait sent right after the start (dockerode's `run` does) may arrive once such a container
   * is gone. Docker keeps the container visible while it cleans it up, which gives such a waiter
   * its exit code; berth forgets the record first (its clean-up goes on in the background).
   */
  private readonly autoRemoved = new Map<string, { code: number; at: number }>();

  readonly health: HealthMonitor;

  constructor(private readonly d: ContainerDeps) {
    this.health = new HealthMonitor({
      probe: (rec, cmd, timeoutMs) => this.probe(rec, cmd, timeoutMs),
      save: (rec) => this.d.store.save(rec),
      emit: (rec, status) => this.emit(rec, `health_status: ${status}`),
    });
  }

  /** Runs a healthcheck probe in the container (no TTY, no stdin), output capped at 4 KiB. */
  private async probe(rec: ContainerRecord, cmd: string[], timeoutMs: number): Promise<{ exitCode: number; output: string }> {
    const p = await this.d.runtime.exec(rec.id, {
      args: cmd, env: rec.config.Env ?? [], cwd: rec.config.WorkingDir || '/', user: rec.config.User ?? '', tty: false, openStdin: false,
    });
    let output = '';
    const take = (c: Buffer) => {
      if (output.length < 4096) output += c.toString('utf8');
    };
    p.stdout.on('data', take);
    p.stderr.on('data', take);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const code = await Promise.race([p.exited, timeout]);
    clearTimeout(timer);
    if (code === 'timeout') return { exitCode: -1, output: `Health check exceeded timeout (${Math.round(timeoutMs / 1000)}s)` };
    return { exitCode: code, output };
  }

  /** A container event with Docker's attributes (labels, image, name, and `extra`). */
  private emit(rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.d.events.emit('container', action, rec.id, { ...(rec.config.Labels ?? {}), image: rec.config.Image ?? rec.image, name: rec.name, ...extra });
  }

  /** network connect/disconnect events for the container's interfaces. */
  private emitNetwork(rec: ContainerRecord, action: 'connect' | 'disconnect'): void {
    for (const ep of this.d.networking.attachment(rec.id)?.endpoints ?? []) {
      this.d.events.emit('network', action, ep.networkId, { container: rec.id, name: ep.networkName, type: 'bridge' });
    }
  }

  isRunning(rec: ContainerRecord): boolean {
    return RUNNING.has(rec.state.status);
  }

  /** POST /containers/create */
  async create(body: ContainerCreateBody, name?: string): Promise<{ Id: string; Warnings: string[] }> {
    const warnings: string[] = [];
    if (name !== undefined && name !== '') {
      if (!VALID_NAME.test(name)) {
        throw invalidArgument(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      }
      name = name.replace(/^\//, '');
      this.d.store.checkName(name);
    }
    if (!body.Image) throw invalidArgument('config cannot be empty in order to create a container');
    const image = await this.d.images.get(body.Image);
    const hostConfig: HostConfig = { ...(body.HostConfig ?? {}) };
    if (!hostConfig.NetworkMode) hostConfig.NetworkMode = 'bridge';
    // dockerd's defaults, recorded as it records them (inspect shows them)
    if (!hostConfig.IpcMode) hostConfig.IpcMode = 'private';
    if (!hostConfig.ShmSize) hostConfig.ShmSize = DEFAULT_SHM_SIZE;
    const sec = hostConfig as SecurityConfig;
    if (!sec.CgroupnsMode) sec.CgroupnsMode = CGROUP_V2 ? 'private' : 'host';
    const logCfg = hostConfig.LogConfig ?? {};
    this.d.validateLogOpts(logCfg.Config ?? {});
    hostConfig.LogConfig = { Type: logCfg.Type || 'json-file', Config: logCfg.Config ?? {} };
    const config = mergeConfig(body, image.config.config, body.Image);
    warnings.push(...checkResources(hostConfig as ResourceConfig, this.d.hostLimits));
    warnings.push(...checkSecurity(hostConfig as SecurityConfig));
    // --runtime: one that can run here; recorded as the runtime used, as Docker records "runc"
    if (hostConfig.Runtime && !this.d.runtime.runtimes.includes(hostConfig.Runtime)) {
      throw invalidArgument(`unknown or invalid runtime name: ${hostConfig.Runtime}`);
    }
    hostConfig.Runtime = hostConfig.Runtime || this.d.runtime.name;
    const restart = hostConfig.RestartPolicy?.Name ?? '';
    if (hostConfig.RestartPolicy) checkRestartPolicy(hostConfig.RestartPolicy);
    if (hostConfig.PidsLimit !== undefined && hostConfig.PidsLimit !== null && hostConfig.PidsLimit <= 0) hostConfig.PidsLimit = null;
    if (hostConfig.AutoRemove && restart !== '' && restart !== 'no') {
      throw invalidArgument('conflicting options: cannot specify both --restart and --rm');
    }
    const networks = this.d.networking.configure(body, hostConfig, config);
    const made: string[] = [];
    let mounts: MountPointRecord[];
    try {
      mounts = await resolveMounts(hostConfig, {
        volumes: this.d.volumes.access(made), imageVolumes: config.Volumes ?? null,
        volumesFrom: (ref) => this.d.store.get(ref).mounts,
      });
    } catch (err) {
      await this.d.volumes.removeAnonymousByName(made);
      throw err;
    }
    for (const key of Object.keys(hostConfig.PortBindings ?? {})) {
      config.ExposedPorts = { ...config.ExposedPorts, [key.includes('/') ? key : `${key}/tcp`]: {} };
    }
    const mode = this.d.networking.modeOf({ hostConfig } as ContainerRecord);
    if (mode === 'host' && Object.keys(hostConfig.PortBindings ?? {}).length > 0) {
      warnings.push('Published ports are discarded when using host network mode');
    }
    const { path, args } = commandOf(config);
    const id = newId();
    if (!config.Hostname) config.Hostname = await this.defaultHostname(id, mode);
    const rec: ContainerRecord = {
      id, name: name || this.uniqueName(), created: new Date().toISOString(), path, args, config, hostConfig,
      image: image.id, state: initialState(), restartCount: 0, mounts, hasBeenStarted: false, networks,
    };
    await mkdir(this.d.store.paths(id).dir, { recursive: true });
    await this.d.store.add(rec);
    this.emit(rec, 'create');
    this.d.logger.info('container created', { container: id, name: rec.name, image: image.id });
    return { Id: id, Warnings: warnings };
  }

  private async defaultHostname(id: string, mode: string): Promise<string> {
    if (mode === 'host') return (await import('node:os')).hostname();
    if (mode.startsWith('container:')) return this.d.store.find(mode.slice('container:'.length))?.config.Hostname ?? shortId(id);
    return shortId(id);
  }

  private uniqueName(): string {
    for (;;) {
      const n = randomName();
      if (!this.d.store.find(n)) return n;
    }
  }

  /** Registers work to do between runtime create and process start (attach before start). */
  onBeforeStart(id: string, hook: BeforeStartHook): () => void {
    let set = this.beforeStart.get(id);
    if (!set) this.beforeStart.set(id, (set = new Set()));
    set.add(hook);
    return () => set!.delete(hook);
  }

  /** POST /containers/{id}/start. 304 when already running. */
  async start(ref: string): Promise<void> {
    const rec = this.d.store.get(ref);
    await this.mutex.run(rec.id, async () => {
      if (this.isRunning(rec)) throw notModified();
      if (rec.state.status === 'removing' || rec.state.status === 'dead') {
        throw conflict(`cannot start container ${rec.id}: container is marked for removal or dead`);
      }
      try {
        await this.startLocked(rec);
      } catch (err) {
        const msg = errorMessage(err);
        rec.state = { ...rec.state, exitCode: startFailureExitCode(msg), error: msg };
        await this.d.store.save(rec).catch(() => {});
        if (rec.hostConfig.AutoRemove) void this.removeLater(rec);
        throw err instanceof EngineError ? err : internal(msg, err);
      }
    });
  }

  private async startLocked(rec: ContainerRecord): Promise<void> {
    const t0 = performance.now();
    const image = await this.d.images.get(rec.image);
    const paths = this.d.store.paths(rec.id);
    const security = securityPlan(rec.hostConfig as SecurityConfig, (ref) => {
      const other = this.d.store.find(ref);
      if (!other) return undefined;
      return { id: other.id, pid: this.isRunning(other) ? other.state.pid : 0, ipcMode: other.hostConfig.IpcMode ?? '' };
    });
    const mounts = await mountRequests(rec.hostConfig, rec.mounts);
    await this.d.volumes.acquire(rec.id, rec.mounts);
    let net: NetworkStart;
    try {
      net = await this.d.networking.start(rec);
    } catch (err) {
      await this.d.volumes.release(rec.id, rec.mounts);
      throw err;
    }
    let files: EtcFiles = paths;
    try {
      files = net.shareFilesOf ? this.d.store.paths(net.shareFilesOf) : paths;
      if (!net.shareFilesOf) await writeEtcFiles(paths, this.etcOptions(rec, net));
    } catch (err) {
      await net.abort();
      await this.d.volumes.release(rec.id, rec.mounts);
      throw err;
    }
    const size = rec.hostConfig.ConsoleSize;
    const plan: ContainerPlan = {
      id: rec.id,
      bundleDir: paths.bundleDir,
      lowerDirs: this.d.images.layerDirs(image),
      upperDir: paths.upperDir,
      workDir: paths.workDir,
      logPath: paths.logPath,
      hostnamePath: files.hostnamePath,
      hostsPath: files.hostsPath,
      resolvConfPath: files.resolvConfPath,
      process: {
        args: [rec.path, ...rec.args],
        env: rec.config.Env ?? [],
        cwd: rec.config.WorkingDir || '/',
        user: rec.config.User ?? '',
        tty: rec.config.Tty ?? false,
        openStdin: rec.config.OpenStdin ?? false,
        stdinOnce: rec.config.StdinOnce ?? false,
        ...(size && size[0] > 0 && size[1] > 0 ? { consoleSize: [size[0], size[1]] as [number, number] } : {}),
      },
      hostname: rec.config.Hostname ?? shortId(rec.id),
      domainname: rec.config.Domainname ?? '',
      mounts,
      readonlyRootfs: rec.hostConfig.ReadonlyRootfs ?? false,
      ...(rec.hostConfig.ShmSize ? { shmSize: rec.hostConfig.ShmSize } : {}),
      init: rec.hostConfig.Init ?? false,
      network: net.netns,
      resources: ociResources(rec.hostConfig as ResourceConfig, this.d.hostLimits),
      rlimits: ociRlimits(rec.hostConfig as ResourceConfig),
      ...((rec.hostConfig as ResourceConfig).CgroupParent ? { cgroupParent: (rec.hostConfig as ResourceConfig).CgroupParent! } : {}),
      ...(rec.hostConfig.OomScoreAdj ? { oomScoreAdj: rec.hostConfig.OomScoreAdj } : {}),
      security,
      ...(rec.hostConfig.Runtime ? { runtime: rec.hostConfig.Runtime } : {}),
    };
    // netavark wires the namespace while runc creates the container in it
    const t1 = performance.now();
    const [created, wired] = await Promise.allSettled([this.d.runtime.create(plan), net.complete()]);
    if (created.status === 'rejected' || wired.status === 'rejected') {
      if (created.status === 'fulfilled') await this.d.runtime.cleanup(rec.id).catch(() => {});
      await net.abort().catch(() => {});
      await this.d.volumes.release(rec.id, rec.mounts);
      throw created.status === 'rejected' ? created.reason : (wired as PromiseRejectedResult).reason;
    }
    let t2 = 0;
    try {
      await this.d.volumes.populate(join(paths.bundleDir, 'rootfs'), rec.mounts);
      for (const hook of this.beforeStart.get(rec.id) ?? []) await hook().catch((err) => {
        this.d.logger.warn('attach before start failed', { container: rec.id, err });
      });
      this.beforeStart.delete(rec.id);
      this.watchExit(rec.id);
      t2 = performance.now();
      await this.d.runtime.start(rec.id);
    } catch (err) {
      this.unwatchExit(rec.id);
      await this.cleanupRuntime(rec);
      throw err;
    }
    rec.state = {
      ...initialState(), status: 'running', pid: created.value.pid, startedAt: new Date().toISOString(),
      finishedAt: rec.state.finishedAt,
    };
    rec.hasBeenStarted = true;
    rec.manuallyStopped = false;
    const t3 = performance.now();
    // Not awaited: the answer does not wait for the disk. Saves of a record land in order (see
    // ContainerStore.save), and a daemon that dies before this one lands finds the container
    // started anyway (adoptContainers asks the runtime).
    this.d.store.save(rec).catch((err: unknown) => this.d.logger.warn('could not save the record of a started container', { container: rec.id, err }));
    this.emitNetwork(rec, 'connect');
    this.emit(rec, 'start');
    this.health.start(rec);
    this.lifecycle.emit('started', rec.id);
    const ms = (a: number, b: number): number => Math.round((b - a) * 10) / 10;
    this.d.logger.info('container started', {
      container: rec.id, pid: created.value.pid,
      ms: { prepare: ms(t0, t1), create: ms(t1, t2), start: ms(t2, t3) },
    });
  }

  /** What /etc/hosts and /etc/resolv.conf get for this start. */
  private etcOptions(rec: ContainerRecord, net: NetworkStart): EtcOptions {
    const gw = this.d.networking.hostGateway();
    const extraHosts = (rec.hostConfig.ExtraHosts ?? []).map((h) => h.replace(/([:=])host-gateway$/, (_, sep: string) => `${sep}${gw ?? '127.0.0.1'}`));
    return {
      hostname: rec.config.Hostname ?? shortId(rec.id), domainname: rec.config.Domainname ?? '',
      hostNetwork: net.netns.mode === 'host', extraHosts,
      ...(net.ip ? { ip: net.ip } : {}),
      ...(rec.hostConfig.Dns?.length ? { dns: rec.hostConfig.Dns } : {}),
      ...(rec.hostConfig.DnsSearch?.length ? { dnsSearch: rec.hostConfig.DnsSearch } : {}),
      ...(rec.hostConfig.DnsOptions?.length ? { dnsOptions: rec.hostConfig.DnsOptions } : {}),
      ...(net.nameservers ? { networkNameservers: net.nameservers } : {}),
    };
  }

  /** Removes the container from the runtime, its networks and its volume mounts. */
  private async cleanupRuntime(rec: ContainerRecord): Promise<void> {
    const id = rec.id;
    this.d.networking.releasePorts(id);
    this.emitNetwork(rec, 'disconnect');
    // the network detach starts at once (synchronously leaving its network's users), so that a
    // `network rm` right after `run --rm` finds the network free
    await Promise.all([
      this.d.networking.stop(id).catch((err) => this.d.logger.warn('network teardown failed', { container: id, err })),
      this.d.runtime.cleanup(id).catch((err) => this.d.logger.warn('runtime cleanup failed', { container: id, err })),
    ]);
    await this.d.volumes.release(id, rec.mounts);
  }

  /** Subscribes to the runtime's exit notice for a container (idempotent). */
  watchExit(id: string): void {
    if (this.exitWatch.has(id)) return;
    this.exitWatch.set(id, this.d.runtime.onExit(id, (st) => void this.handleExit(id, st)));
  }

  private unwatchExit(id: string): void {
    this.exitWatch.get(id)?.();
    this.exitWatch.delete(id);
  }

  /**
   * Records an exit: state and exit code first, then wakes waiters, then cleans up the runtime
   * (auto-removed containers are cleaned up once, by their removal).
   */
  async handleExit(id: string, st: ExitStatus): Promise<void> {
    const rec = this.d.store.find(id);
    if (!rec) return;
    let handled = false;
    await this.mutex.run(id, async () => {
      if (!this.isRunning(rec)) return;
      this.unwatchExit(id);
      rec.state = {
        ...rec.state, status: 'exited', pid: 0, exitCode: st.exitCode, oomKilled: st.oomKilled,
        finishedAt: st.finishedAt.toISOString(),
      };
      handled = true;
      this.health.stop(id);
      this.d.networking.releasePorts(id);
      if (st.oomKilled) this.emit(rec, 'oom');
      this.emit(rec, 'die', { exitCode: String(st.exitCode) });
      this.lifecycle.emit('exit', id, st.exitCode);
      if (rec.hostConfig.AutoRemove) return;
      await this.cleanupRuntime(rec);
      await this.d.store.save(rec);
    });
    if (!handled) return;
    this.d.logger.info('container exited', { container: id, exitCode: st.exitCode });
    if (rec.hostConfig.AutoRemove) await this.removeLater(rec);
    else await this.restartIfPolicy(rec);
  }

  /**
   * Restart policies (no, on-failure[:N], always, unless-stopped) with Docker's backoff: 100 ms,
   * doubling per restart up to a minute, back to 100 ms once a run lasted 10 s. While it waits the
   * container is "restarting"; stop, rm -f and start end the wait.
   */
  private async restartIfPolicy(rec: ContainerRecord): Promise<void> {
    const policy = rec.hostConfig.RestartPolicy;
    const name = policy?.Name || 'no';
    if (name === 'no' || rec.manuallyStopped) return;
    if (name === 'on-failure') {
      const max = policy?.MaximumRetryCount ?? 0;
      if (rec.state.exitCode === 0 || (max > 0 && rec.restartCount >= max)) return;
    }
    const ran = Date.parse(rec.state.finishedAt) - Date.parse(rec.state.startedAt);
    const prev = this.backoff.get(rec.id) ?? 0;
    const delay = ran >= 10_000 || prev === 0 ? 100 : Math.min(prev * 2, 60_000);
    this.backoff.set(rec.id, delay);
    await this.mutex.run(rec.id, async () => {
      if (rec.state.status !== 'exited' || !this.d.store.find(rec.id)) return;
      rec.state.status = 'restarting';
      await this.d.store.save(rec);
      this.restartTimers.set(rec.id, setTimeout(() => void this.restartNow(rec), delay));
    });
  }

  private async restartNow(rec: ContainerRecord): Promise<void> {
    this.restartTimers.delete(rec.id);
    await this.mutex.run(rec.id, async () => {
      if (rec.state.status !== 'restarting' || !this.d.store.find(rec.id)) return;
      rec.restartCount++;
      try {
        await this.startLocked(rec);
        this.d.logger.info('container restarted by its restart policy', { container: rec.id, restartCount: rec.restartCount });
      } catch (err) {
        const msg = errorMessage(err);
        rec.state = { ...rec.state, status: 'exited', exitCode: startFailureExitCode(msg), error: msg };
        await this.d.store.save(rec).catch(() => {});
        this.d.logger.warn('restart by policy failed', { container: rec.id, err: msg });
      }
    });
  }

  /** Ends a pending policy restart (stop, rm): the container is simply exited. */
  private cancelRestart(rec: ContainerRecord): boolean {
    const t = this.restartTimers.get(rec.id);
    if (t) clearTimeout(t);
    this.restartTimers.delete(rec.id);
    if (rec.state.status !== 'restarting') return false;
    rec.state.status = 'exited';
    return true;
  }

  private async removeLater(rec: ContainerRecord): Promise<void> {
    await this.remove(rec.id, { force: true, background: true }).catch((err) => {
      this.d.logger.warn('auto-remove failed', { container: rec.id, err });
    });
  }

  /** POST /containers/{id}/update: new limits (and restart policy); applied at once when running. */
  async update(ref: string, changes: ResourceConfig & { RestartPolicy?: HostConfig['RestartPolicy'] }): Promise<{ Warnings: string[] }> {
    const rec = this.d.store.get(ref);
    return this.mutex.run(rec.id, async () => {
      const next = { ...rec.hostConfig } as HostConfig & ResourceConfig;
      const fields: Array<keyof ResourceConfig> = [
        'Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuPeriod', 'CpuQuota', 'CpusetCpus',
        'CpusetMems', 'PidsLimit', 'BlkioWeight',
      ];
      for (const f of fields) {
        const v = changes[f];
        // Docker's client sends every field; zero values mean "unchanged"
        if (v !== undefined && v !== null && v !== '' && !(typeof v === 'number' && v === 0)) {
          (next as Record<string, unknown>)[f] = v;
        }
      }
      // a new memory limit without swap: Docker keeps swap at twice the memory
      if (changes.Memory && !changes.MemorySwap && (rec.hostConfig as ResourceConfig).MemorySwap && (rec.hostConfig as ResourceConfig).MemorySwap! > 0) {
        next.MemorySwap = 0;
      }
      if (changes.RestartPolicy?.Name) {
        checkRestartPolicy(changes.RestartPolicy);
        if (rec.hostConfig.AutoRemove && changes.RestartPolicy.Name !== 'no') {
          throw invalidArgument('Restart policy cannot be updated because AutoRemove is enabled for the container');
        }
        next.RestartPolicy = changes.RestartPolicy;
      }
      const warnings = checkResources(next, this.d.hostLimits);
      if (this.isRunning(rec)) await this.d.runtime.update(rec.id, ociResources(next, this.d.hostLimits));
      rec.hostConfig = next;
      await this.d.store.save(rec);
      return { Warnings: warnings };
    });
  }

  /** POST /containers/{id}/pause: the cgroup freezer. */
  async pause(ref: string): Promise<void> {
    const rec = this.d.store.get(ref);
    await this.mutex.run(rec.id, async () => {
      if (rec.state.status === 'paused') throw conflict(`Container ${rec.id} is already paused`);
      if (rec.state.status !== 'running') throw conflict(`Container ${rec.id} is not running`);
      await this.d.runtime.pause(rec.id);
      rec.state.status = 'paused';
      await this.d.store.save(rec);
      this.emit(rec, 'pause');
    });
  }

  /** POST /containers/{id}/unpause */
  async unpause(ref: string): Promise<void> {
    const rec = this.d.store.get(ref);
    await this.mutex.run(rec.id, async () => {
      if (rec.state.status !== 'paused') throw conflict(`Container ${rec.id} is not paused`);
      await this.d.runtime.resume(rec.id);
      rec.state.status = 'running';
      await this.d.store.save(rec);
      this.emit(rec, 'unpause');
    });
  }

  /** A signal sent to a paused container acts once it thaws: thaw it (stop, kill, rm -f). */
  private async thawAfterSignal(rec: ContainerRecord): Promise<void> {
    if (rec.state.status !== 'paused') return;
    await this.d.runtime.resume(rec.id).catch(() => {});
    // the thawed process may already have died and its exit been recorded meanwhile
    if (rec.state.status === 'paused') rec.state.status = 'running';
  }

  /** POST /containers/{id}/kill */
  async kill(ref: string, signal = 'KILL'): Promise<void> {
    const rec = this.d.store.get(ref);
    const num = parseSignal(signal);
    if (num === undefined) throw invalidArgument(`Invalid signal: ${signal}`);
    if (!(await this.signal(rec, num))) {
      throw conflict(`Cannot kill container: ${ref}: container ${rec.id} is not running`);
    }
    if (num === 9) await this.thawAfterSignal(rec);
  }

  /**
   * Sends a signal and logs Docker's 'kill' event (also for stop, restart and rm -f, as Docker
   * does), under the container's lock: the exit the signal causes is recorded, and its 'die'
   * sent, only after the 'kill', however fast the process dies. False if it was not running.
   */
  private signal(rec: ContainerRecord, num: number): Promise<boolean> {
    return this.mutex.run(rec.id, async () => {
      if (!this.isRunning(rec)) return false;
      await this.d.runtime.kill(rec.id, num);
      this.emit(rec, 'kill', { signal: String(num) });
      return true;
    });
  }

  /**
   * POST /containers/{id}/stop: the stop signal, then SIGKILL after the timeout.
   * 304 when not running.
   */
  async stop(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.d.store.get(ref);
    // under the lock: a policy restart in progress finishes first, then this stop applies to it
    const wasRestarting = await this.mutex.run(rec.id, async () => {
      rec.manuallyStopped = true;
      const cancelled = this.cancelRestart(rec);
      await this.d.store.save(rec);
      return cancelled;
    });
    if (wasRestarting) return;
    if (!this.isRunning(rec)) throw notModified();
    await this.stopRunning(rec, opts);
    this.emit(rec, 'stop');
  }

  private async stopRunning(rec: ContainerRecord, opts: { timeout?: number; signal?: string }): Promise<void> {
    const sigName = opts.signal || rec.config.StopSignal || 'SIGTERM';
    const sig = parseSignal(sigName);
    if (sig === undefined) throw invalidArgument(`Invalid signal: ${sigName}`);
    const timeout = opts.timeout ?? rec.config.StopTimeout ?? 10;
    const exited = this.lifecycle.next('exit', rec.id);
    if (!this.isRunning(rec)) return;
    await this.signal(rec, sig).catch(() => false);
    await this.thawAfterSignal(rec);
    if (timeout >= 0) {
      const timer = new Promise<'timeout'>((r) => setTimeout(r, timeout * 1000, 'timeout').unref());
      if ((await Promise.race([exited, timer])) !== 'timeout') return;
      this.d.logger.info('container did not stop in time; killing it', { container: rec.id, timeout });
    }
    if (!this.isRunning(rec)) return;
    await this.signal(rec, 9).catch(() => false);
    await this.exitOrPoll(rec, exited);
  }

  /** Waits for the exit event; if the watcher missed it, asks the runtime directly. */
  private async exitOrPoll(rec: ContainerRecord, exited: Promise<number>): Promise<void> {
    for (;;) {
      const t = new Promise<'tick'>((r) => setTimeout(r, 2000, 'tick').unref());
      if ((await Promise.race([exited, t])) !== 'tick' || !this.isRunning(rec)) return;
      const st = await this.d.runtime.exitStatus(rec.id);
      if (st) await this.handleExit(rec.id, st);
      else if (!(await this.d.runtime.isMonitorAlive(rec.id))) {
        await this.handleExit(rec.id, { exitCode: 137, finishedAt: new Date(), oomKilled: false });
      }
    }
  }

  /** POST /containers/{id}/restart */
  async restart(ref: string, opts: { timeout?: number; signal?: string } = {}): Promise<void> {
    const rec = this.d.store.get(ref);
    rec.manuallyStopped = true;
    this.cancelRestart(rec);
    if (this.isRunning(rec)) {
      await this.stopRunning(rec, opts);
      this.emit(rec, 'stop');
    }
    await this.start(rec.id);
    this.emit(rec, 'restart');
  }

  /**
   * At daemon start: containers with `always`, and with `unless-stopped` unless they were stopped
   * by hand, come back; so do those that were waiting for a policy restart.
   */
  async restartOnBoot(): Promise<number> {
    let n = 0;
    for (const rec of this.d.store.all()) {
      const name = rec.hostConfig.RestartPolicy?.Name || 'no';
      const wanted = rec.state.status === 'restarting' || (!this.isRunning(rec) && rec.state.status !== 'created'
        && (name === 'always' || (name === 'unless-stopped' && !rec.manuallyStopped)));
      if (!wanted) continue;
      if (rec.state.status === 'restarting') rec.state.status = 'exited';
      await this.start(rec.id).then(() => n++, (err) => this.d.logger.warn('could not restart a container at boot', { container: rec.id, err }));
    }
    return n;
  }

  /**
   * DELETE /containers/{id}. Running containers need force (409 otherwise). With `background`
   * (auto-remove), the record goes first and waiters are woken, then the runtime and the files
   * are cleaned up; until that ends the container still counts as a user of its image.
   */
  async remove(ref: string, opts: { force?: boolean; background?: boolean; volumes?: boolean } = {}): Promise<void> {
    const rec = this.d.store.get(ref);
    if (rec.state.status === 'restarting') {
      if (!opts.force) {
        throw conflict('You cannot remove a restarting container. Stop the container before attempting removal or force remove');
      }
      this.cancelRestart(rec);
    }
    if (this.isRunning(rec)) {
      if (!opts.force) {
        throw conflict(`cannot remove container "/${rec.name}": container is ${rec.state.status}: stop the container before removing or force remove`);
      }
      const exited = this.lifecycle.next('exit', rec.id);
      await this.signal(rec, 9).catch(() => false);
      await this.thawAfterSignal(rec);
      await this.exitOrPoll(rec, exited);
    }
    let purge: Promise<void> | undefined;
    await this.mutex.run(rec.id, async () => {
      if (!this.d.store.find(rec.id)) return;
      if (this.isRunning(rec)) throw conflict(`cannot remove container "/${rec.name}": container is running`);
      rec.state.status = 'removing';
      this.unwatchExit(rec.id);
      this.cleaning.set(rec.id, rec.image);
      // volumes first, so that they are free when the client learns of the removal: its process is gone
      await this.d.volumes.release(rec.id, rec.mounts);
      // -v, and --rm (Docker removes a --rm container's anonymous volumes with it)
      if (opts.volumes || rec.hostConfig.AutoRemove) await this.d.volumes.removeAnonymous(rec.mounts, rec.id);
      purge = (async () => {
        await this.cleanupRuntime(rec);
        await this.d.store.purge(rec.id);
      })().finally(() => {
        this.cleaning.delete(rec.id);
        this.purges.delete(rec.id);
      });
      this.purges.set(rec.id, purge);
      if (opts.background) {
        // remembered first: forget() drops the record at once, then waits for the disk
        this.rememberAutoRemoved(rec);
        await this.d.store.forget(rec);
      }
      else {
        await purge;
        await this.d.store.forget(rec);
      }
    });
    this.beforeStart.delete(rec.id);
    this.emit(rec, 'destroy');
    this.d.logger.info('container removed', { container: rec.id });
    this.lifecycle.emit('removed', rec.id, rec.state.exitCode);
    await purge;
  }

  private rememberAutoRemoved(rec: ContainerRecord): void {
    const now = Date.now();
    for (const [id, e] of this.autoRemoved) if (now - e.at >= AUTO_REMOVED_WAIT_MS) this.autoRemoved.delete(id);
    this.autoRemoved.set(rec.id, { code: rec.state.exitCode, at: now });
  }

  /** Waits for the clean-up of removed containers that used `imageId` (rmi right after run --rm). */
  async settleRemovals(imageId: string): Promise<void> {
    const pending = [...this.cleaning.entries()].filter(([, img]) => img === imageId).map(([id]) => this.purges.get(id));
    await Promise.all(pending.map((p) => p?.catch(() => {})));
  }

  /** Containers whose removal is still cleaning up, as [id, image id]. */
  cleaningImages(): Iterable<[string, string]> {
    return this.cleaning.entries();
  }

  /**
   * POST /containers/{id}/wait. Resolves when the condition is met. `onReady` is called once the
   * waiter is registered, so the API can flush headers before the container starts.
   */
  async wait(ref: string, condition: string, signal?: AbortSignal, onReady?: () => void): Promise<WaitResponse> {
    const cond = condition || 'not-running';
    if (!['not-running', 'next-exit', 'removed'].includes(cond)) {
      throw invalidArgument(`invalid condition: "${condition}"`);
    }
    const gone = this.autoRemoved.get(ref);
    if (!this.d.store.find(ref) && gone && Date.now() - gone.at < AUTO_REMOVED_WAIT_MS && cond !== 'next-exit') {
      // it exited and was removed a moment ago: what the waiter would have got a little earlier
      onReady?.();
      return { StatusCode: gone.code, Error: null };
    }
    const rec = this.d.store.get(ref);
    let pending: Promise<number>;
    if (cond === 'removed') pending = this.lifecycle.next('removed', rec.id, signal);
    else if (cond === 'next-exit' || this.isRunning(rec)) pending = this.lifecycle.next('exit', rec.id, signal);
    else pending = Promise.resolve(rec.state.exitCode);
    onReady?.();
    const code = await pending;
    const err = rec.state.error;
    return { StatusCode: code, Error: err && cond !== 'removed' ? { Message: err } : null };
  }

  /** POST /containers/{id}/rename */
  async rename(ref: string, newName: string): Promise<void> {
    const rec = this.d.store.get(ref);
    if (!newName) throw invalidArgument('Neither old nor new names may be empty');
    const name = newName.replace(/^\//, '');
    if (!VALID_NAME.test(name)) throw invalidArgument(`Invalid container name (${newName}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (name === rec.name) throw invalidArgument(`Renaming a container with the same name as its current name`);
    const old = rec.name;
    await this.mutex.run(rec.id, () => this.d.store.rename(rec, name));
    this.emit(rec, 'rename', { oldName: `/${old}` });
  }

  /** POST /containers/prune: removes every container that is not running. */
  async prune(keep: (rec: ContainerRecord) => boolean = () => false): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    const deleted: string[] = [];
    for (const rec of this.d.store.all()) {
      if (this.isRunning(rec) || keep(rec)) continue;
      try {
        await this.remove(rec.id);
        deleted.push(rec.id);
      } catch (err) {
        this.d.logger.warn('prune: could not remove container', { container: rec.id, err });
      }
    }
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 };
  }

  /** Stops watching exits (daemon shutdown); containers keep running under conmon. */
  close(): void {
    for (const unsub of this.exitWatch.values()) unsub();
    this.exitWatch.clear();
    for (const t of this.restartTimers.values()) clearTimeout(t);
    this.restartTimers.clear();
    this.health.close();
  }
}
