/**
 * The engine: container use cases wired to the image service and the runtime.
 * The API calls only this.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { invalidArgument, conflict, internal, type Logger } from '../core/index.js';
import { parseProcLimits, type HostLimits } from './resources.js';
import type { ContainerInspect, ContainerSummary } from '../protocol/index.js';
import type { ImageService } from '../image/types.js';
import type { ContainerRuntime } from '../runtime/types.js';
import { adoptContainers } from './adopt.js';
import { attachContainer, type AttachOptions } from './attach.js';
import type { ClientStream } from './client-stream.js';
import { Containers } from './containers.js';
import { DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.js';
import { Execs } from './execs.js';
import { StreamHubs } from './stream-hub.js';
import { listContainers, type ListOptions } from './list.js';
import { parseLogOpts, readLogs, rotateIfNeeded, DEFAULT_LOG_ROTATION } from './logs/index.js';
import type { LogEntry, LogRotation, ReadLogsOptions } from './logs-types.js';
import type { ContainerRecord } from './record.js';
import { ContainerStore } from './store.js';
import { toInspect, toSummary, type NetworkView } from './views.js';
import { ContainerNetworking } from './networking.js';
import { containerSizes, withSizes, type ContainerSizes } from './sizes.js';
import type { NetworkService } from '../network/index.js';
import type { Volumes } from '../volume/index.js';
import { ContainerVolumes } from './volume-ops.js';
import { Events } from './events.js';

export interface EngineOptions {
  /** data-root/containers */
  containersDir: string;
  /** exec-root/containers */
  bundlesDir: string;
  images: ImageService;
  runtime: ContainerRuntime;
  networks: NetworkService;
  volumes: Volumes;
  logger: Logger;
  /** daemon.json `log-opts`: defaults for every container. */
  logOpts?: Record<string, string>;
  /** Default detach keys for TTY attach and exec (daemon.json `detach-keys`); Docker's ctrl-p,ctrl-q if unset. */
  detachKeys?: string;
  /** How often running containers' logs are checked for rotation (ms). */
  rotateEveryMs?: number;
}

/** The host's CPU count and the daemon's hard rlimits (containers cannot get more). */
function hostLimits(): HostLimits {
  let text = '';
  try {
    text = readFileSync('/proc/self/limits', 'utf8');
  } catch {
    // no /proc: no rlimit checks
  }
  const blkioWeight = ['/sys/fs/cgroup/blkio/blkio.weight', '/sys/fs/cgroup/blkio/blkio.bfq.weight'].some((f) => existsSync(f))
    || (existsSync('/sys/fs/cgroup/cgroup.controllers') && readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8').includes('io'));
  return { cpus: cpus().length || 1, hardLimits: parseProcLimits(text), blkioWeight };
}

export class Engine {
  readonly store: ContainerStore;
  readonly containers: Containers;
  readonly execs: Execs;
  /** The daemon's one attach connection per container, shared by its clients. */
  readonly hubs: StreamHubs;
  readonly networking: ContainerNetworking;
  readonly volumes: ContainerVolumes;
  /** GET /events */
  readonly events = new Events();
  private readonly logDefaults: LogRotation;
  private readonly detachKeys: Buffer;
  private rotateTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: EngineOptions) {
    this.store = new ContainerStore(o.containersDir, o.bundlesDir, o.logger);
    this.logDefaults = parseLogOpts(o.logOpts ?? {}, DEFAULT_LOG_ROTATION);
    this.networking = new ContainerNetworking(o.networks, this.store);
    this.volumes = new ContainerVolumes(o.volumes, this.store, o.logger);
    this.containers = new Containers({
      store: this.store, images: o.images, runtime: o.runtime, networking: this.networking, volumes: this.volumes, logger: o.logger,
      hostLimits: hostLimits(), events: this.events,
      validateLogOpts: (opts) => void parseLogOpts(opts, this.logDefaults),
    });
    this.hubs = new StreamHubs(o.runtime, o.logger);
    this.detachKeys = parseDetachKeys(o.detachKeys || DEFAULT_DETACH_KEYS);
    this.execs = new Execs({ store: this.store, containers: this.containers, runtime: o.runtime, logger: o.logger, detachKeys: this.detachKeys });
  }

  /** Loads records, re-adopts live containers, starts log rotation. */
  async init(): Promise<void> {
    await this.store.load();
    const counts = await adoptContainers({
      store: this.store, runtime: this.o.runtime, containers: this.containers, logger: this.o.logger,
    });
    this.o.logger.info('containers restored', { ...counts, total: this.store.all().length });
    for (const rec of this.store.all()) {
      if (!this.containers.isRunning(rec)) continue;
      for (const m of rec.mounts) if (m.type === 'volume' && m.name) this.o.volumes.adopt(m.name, rec.id);
      if (rec.state.status === 'running') this.containers.health.start(rec, { resume: true });
    }
    const net = await this.o.networks.attachments.reconcile((id) => {
      const rec = this.store.find(id);
      return rec !== undefined && this.containers.isRunning(rec);
    });
    this.o.logger.info('container networking restored', net);
    const restarted = await this.containers.restartOnBoot();
    if (restarted > 0) this.o.logger.info('containers restarted by their restart policy', { count: restarted });
    this.rotateTimer = setInterval(() => void this.rotateLogs(), this.o.rotateEveryMs ?? 1000);
    this.rotateTimer.unref();
  }

  close(): void {
    if (this.rotateTimer) clearInterval(this.rotateTimer);
    this.containers.close();
  }

  rotationOf(rec: ContainerRecord): LogRotation {
    return parseLogOpts(rec.hostConfig.LogConfig?.Config ?? {}, this.logDefaults);
  }

  private async rotateLogs(): Promise<void> {
    for (const rec of this.store.all()) {
      if (!this.containers.isRunning(rec)) continue;
      const logPath = this.store.paths(rec.id).logPath;
      try {
        await rotateIfNeeded(logPath, this.rotationOf(rec), () => this.o.runtime.reopenLog(rec.id));
      } catch (err) {
        this.o.logger.warn('log rotation failed', { container: rec.id, err });
      }
    }
  }

  /** GET /containers/json */
  async list(opts: ListOptions): Promise<ContainerSummary[]> {
    const images = this.o.images;
    const ancestorCache = new Map<string, Set<string> | undefined>();
    for (const ref of opts.filters?.ancestor ?? []) {
      const img = await images.get(ref).catch(() => undefined);
      ancestorCache.set(ref, img ? new Set([img.id]) : undefined);
    }
    const recs = listContainers(this.store.all(), opts, {
      ancestorIds: (ref) => ancestorCache.get(ref),
      find: (ref) => this.store.find(ref),
    });
    const names = new Map<string, string>();
    for (const rec of recs) {
      if (!names.has(rec.config.Image ?? '')) {
        // Docker shows the name the container was created with while it still names the same image
        const img = await images.get(rec.config.Image ?? '').catch(() => undefined);
        names.set(rec.config.Image ?? '', img?.id === rec.image ? (rec.config.Image ?? rec.image) : rec.image);
      }
    }
    const list = recs.map((rec) => toSummary(rec, names.get(rec.config.Image ?? '') ?? rec.image, this.networkView(rec)));
    return opts.size ? withSizes({ store: this.store, images }, list) : list;
  }

  /** GET /containers/{id}/json; with `size`, SizeRw and SizeRootFs too. */
  async inspect(ref: string, opts: { size?: boolean } = {}): Promise<ContainerInspect & Partial<ContainerSizes>> {
    const rec = this.store.get(ref);
    const image = await this.o.images.get(rec.image).catch(() => undefined);
    const lower = image ? this.o.images.layerDirs(image) : [];
    const view = toInspect(rec, this.store.paths(rec.id), lower, this.execs.idsFor(rec.id), this.networkView(rec));
    return opts.size ? { ...view, ...(await containerSizes({ store: this.store, images: this.o.images }, rec.id)) } : view;
  }

  private networkView(rec: ContainerRecord): NetworkView {
    const attachment = this.networking.attachment(rec.id);
    return { mode: this.networking.modeOf(rec), ...(attachment ? { attachment } : {}) };
  }

  /**
   * Runs `fn` with the container's root filesystem on the host (running or not) and the record;
   * the container cannot start or be removed meanwhile. Volumes and binds are not included.
   */
  async withRootfs<T>(ref: string, fn: (rootfs: string, rec: ContainerRecord) => Promise<T>): Promise<T> {
    const rec = this.store.get(ref);
    return this.containers.mutex.run(rec.id, async () => {
      if (!this.store.find(rec.id) || rec.state.status === 'removing') throw conflict(`container ${rec.id} is marked for removal`);
      const image = await this.o.images.get(rec.image);
      const paths = this.store.paths(rec.id);
      const root = await this.o.runtime.mountRootfs(rec.id, {
        lowerDirs: this.o.images.layerDirs(image), upperDir: paths.upperDir, workDir: paths.workDir,
      });
      try {
        return await fn(root.path, rec);
      } finally {
        await root.release();
      }
    });
  }

  /**
   * Like withRootfs, but a running container is seen as its processes see it, through
   * /proc/<pid>/root: with its volumes, bind mounts and tmpfs (docker cp's view).
   */
  async withContainerView<T>(ref: string, fn: (root: string, rec: ContainerRecord) => Promise<T>): Promise<T> {
    const rec = this.store.get(ref);
    if ((rec.state.status === 'running' || rec.state.status === 'paused') && rec.state.pid > 0) {
      const live = await this.containers.mutex.run(rec.id, async () => {
        if ((rec.state.status !== 'running' && rec.state.status !== 'paused') || rec.state.pid <= 0) return { done: false as const };
        return { done: true as const, value: await fn(`/proc/${rec.state.pid}/root`, rec) };
      });
      if (live.done) return live.value;
    }
    return this.withRootfs(ref, fn);
  }

  /** Log entries of a container; with follow, until it stops or the signal aborts. */
  logs(ref: string, opts: Omit<ReadLogsOptions, 'stopped'>): { tty: boolean; entries: AsyncIterable<LogEntry> } {
    const rec = this.store.get(ref);
    return { tty: rec.config.Tty ?? false, entries: this.readLogs(rec, opts) };
  }

  private readLogs(rec: ContainerRecord, opts: ReadLogsOptions): AsyncIterable<LogEntry> {
    const logPath = this.store.paths(rec.id).logPath;
    const full: ReadLogsOptions = { ...opts };
    if (opts.follow) {
      const ac = new AbortController();
      full.stopped = this.containers.isRunning(rec)
        ? this.containers.lifecycle.next('exit', rec.id, opts.signal ?? ac.signal).then(() => {}, () => {})
        : Promise.resolve();
    }
    return readLogs({ logPath, maxFile: this.rotationOf(rec).maxFile }, full);
  }

  /** Hijacked attach; see attachContainer. */
  async attach(ref: string, opts: AttachOptions, client: ClientStream): Promise<void> {
    const rec = this.store.get(ref);
    if (rec.state.status === 'paused') throw conflict('You cannot attach to a paused container, unpause it first');
    await attachContainer({
      containers: this.containers, hubs: this.hubs, logger: this.o.logger, detachKeys: this.detachKeys,
      readLogs: (r, o) => this.readLogs(r, o),
    }, rec, opts, client);
  }

  /**
   * POST /containers/{id}/resize: the TTY's size. 409 when not running; Docker's 500 "cannot
   * resize" wording when the container has no TTY.
   */
  async resize(ref: string, height: number, width: number): Promise<void> {
    const rec = this.store.get(ref);
    if (!this.containers.isRunning(rec)) throw conflict(`Container ${rec.id} is not running`);
    if (!rec.config.Tty) throw internal(`cannot resize container ${rec.id}: it has no TTY`);
    if (!this.o.runtime.resize) throw internal('the runtime cannot resize terminals');
    await this.o.runtime.resize(rec.id, height, width);
  }

  /** Whether the container has a TTY (the API frames output only without one). */
  hasTty(ref: string): boolean {
    return this.store.get(ref).config.Tty ?? false;
  }

  /** GET /containers/{id}/top */
  async top(ref: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    const rec = this.store.get(ref);
    if (!this.containers.isRunning(rec)) throw conflict(`Container ${rec.id} is not running`);
    if (psArgs && /[;&|`$]/.test(psArgs)) throw invalidArgument(`invalid ps arguments: ${psArgs}`);
    return this.o.runtime.top(rec.id, psArgs);
  }

  /** DELETE /containers/{id} */
  async remove(ref: string, opts: { force?: boolean; volumes?: boolean }): Promise<void> {
    const rec = this.store.get(ref);
    await this.containers.remove(rec.id, opts);
    this.execs.forget(rec.id);
    this.hubs.drop(rec.id);
  }

  /** The id of a container that uses the image, for image removal checks. */
  imageUser(imageId: string): { id: string; running: boolean } | undefined {
    const users = this.store.all().filter((r) => r.image === imageId);
    const rec = users.find((r) => this.containers.isRunning(r)) ?? users[0];
    if (rec) return { id: rec.id, running: this.containers.isRunning(rec) };
    // a removed container whose rootfs is still being unmounted keeps its layers busy
    for (const [id, img] of this.containers.cleaningImages()) if (img === imageId) return { id, running: true };
    return undefined;
  }
}
