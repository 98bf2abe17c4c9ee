/**
 * Container stats (GET /containers/{id}/stats), following moby daemon/stats.go: a sample every
 * second from the container's cgroup, the host's /proc/stat and the container's network
 * namespace; each sample carries the previous one's CPU figures as `precpu_stats`.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { invalidArgument } from '../core/index.js';
import type { CpuStats, MemoryStats, NetworkStats, PidsStats, StatsResponse } from '../protocol/stats.js';
import { parseCgroupMounts, parseNetDev, parseProcStat, type CgroupMounts } from './cgroup-parse.js';
import { emptyBlkio, locateCgroup, readCgroup, type CgroupMetrics, type ReadText } from './cgroup-stats.js';
import { ZERO_TIME, type ContainerRecord } from './record.js';

/** What stats needs of the engine: the records and whether one is running. */
export interface StatsDeps {
  store: { get(ref: string): ContainerRecord; find(ref: string): ContainerRecord | undefined };
  isRunning(rec: ContainerRecord): boolean;
  /** Host files (default: the real /proc and /sys). */
  read?: ReadText;
  /** The host's memory, reported as the limit of unlimited containers (default: os.totalmem()). */
  machineMemory?: number;
  /** Time between samples (default 1000 ms, as dockerd's collector). */
  intervalMs?: number;
}

export interface StatsOptions {
  /** One sample per interval until the client goes away or the container is removed. */
  stream: boolean;
  /** With stream=false: answer at once, without waiting for a second sample to fill precpu_stats. */
  oneShot: boolean;
  signal?: AbortSignal;
}

/** A reading of a running container. */
interface Sample {
  read: string;
  cgroup: CgroupMetrics;
  systemUsage: number;
  onlineCpus: number;
  networks?: Record<string, NetworkStats>;
}

/**
 * Host files are read synchronously: they are small kernel files (procfs, cgroupfs) that never
 * wait on a disk, and a sample reads about 25 of them. Through the thread pool each read costs
 * four round trips and a promise; `docker stats --no-stream` with a thousand containers asks for
 * two thousand samples at once and timed out that way (it gives each container 2 s).
 */
const readText: ReadText = (path) => {
  try {
    return Promise.resolve(readFileSync(path, 'utf8'));
  } catch {
    return Promise.resolve(undefined);
  }
};

/** How long one reading of /proc/stat (the host's CPU time) serves every sample taken meanwhile. */
const PROC_STAT_TTL_MS = 20;

/** Go's RFC3339Nano of a Date: fractional zeros trimmed. */
export function goTime(d: Date): string {
  return d.toISOString().replace(/\.?0*Z$/, 'Z');
}

function zeroCpu(): CpuStats {
  return { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
}

/** Drops zero fields, as Go's `omitempty` does for the fields that carry it. */
function omitZero<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== 0 && v !== undefined)) as T;
}

export class ContainerStats {
  private readonly read: ReadText;
  private mounts: CgroupMounts | undefined;
  private procStat: { at: number; text: Promise<string | undefined> } | undefined;
  /** The latest response per container (precpu for the next non-streamed request). */
  private readonly last = new Map<string, { at: number; res: StatsResponse }>();

  constructor(private readonly d: StatsDeps) {
    this.read = d.read ?? readText;
  }

  /**
   * The samples to send for a container. Throws not-found (unknown container) and
   * invalid-argument (stream with one-shot) before anything is sent.
   */
  open(ref: string, opts: StatsOptions): AsyncIterable<StatsResponse> {
    const rec = this.d.store.get(ref);
    if (opts.stream && opts.oneShot) throw invalidArgument('cannot have stream=true and one-shot=true');
    return this.samples(rec, opts);
  }

  private async *samples(rec: ContainerRecord, opts: StatsOptions): AsyncGenerator<StatsResponse> {
    // a stopped container answers one empty sample unless streamed (then empty ones keep coming)
    if (!this.d.isRunning(rec) && !opts.stream) {
      yield this.response(rec, undefined, undefined);
      return;
    }
    if (opts.oneShot) {
      yield this.response(rec, await this.sample(rec), undefined);
      return;
    }
    // without streaming, precpu comes from the last sample of this container when it is recent,
    // else from a priming sample a moment before: many containers at once (docker stats
    // --no-stream with hundreds running) must answer within the client's short window
    const recent = this.last.get(rec.id);
    let prev: StatsResponse | undefined = !opts.stream && recent && Date.now() - recent.at < 5000 ? recent.res : undefined;
    for (;;) {
      const cur = this.d.store.find(rec.id);
      if (cur?.id !== rec.id) {
        this.last.delete(rec.id);
        return;
      }
      const res = this.response(cur, await this.sample(cur), prev);
      this.remember(rec.id, res);
      // without streaming, a priming sample only fills precpu_stats
      if (opts.stream || prev !== undefined) yield res;
      if (!opts.stream && prev !== undefined) return;
      prev = res;
      try {
        const wait = opts.stream ? (this.d.intervalMs ?? 1000) : Math.min(this.d.intervalMs ?? 1000, 200);
        await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : {});
      } catch {
        return;
      }
    }
  }

  private remember(id: string, res: StatsResponse): void {
    this.last.set(id, { at: Date.now(), res });
    if (this.last.size > 4096) {
      for (const [k, v] of this.last) if (Date.now() - v.at > 10_000 || !this.d.store.find(k)) this.last.delete(k);
    }
  }

  /** One reading of a running container; undefined when it is not running (or its cgroup is gone). */
  private async sample(rec: ContainerRecord): Promise<Sample | undefined> {
    const pid = rec.state.pid;
    if (!this.d.isRunning(rec) || pid <= 0) return undefined;
    const read = goTime(new Date());
    const procCgroup = await this.read(`/proc/${pid}/cgroup`);
    if (procCgroup === undefined) return undefined;
    this.mounts ??= parseCgroupMounts((await this.read('/proc/self/mountinfo')) ?? '');
    const loc = locateCgroup(procCgroup, this.mounts);
    if (loc === undefined) return undefined;
    const withNet = rec.hostConfig.NetworkMode !== 'host' && rec.config.NetworkDisabled !== true;
    const [cgroup, procStat, netDev] = await Promise.all([
      readCgroup(loc, this.read), this.hostCpu(), withNet ? this.read(`/proc/${pid}/net/dev`) : undefined,
    ]);
    const host = parseProcStat(procStat ?? '');
    const networks = netDev === undefined ? undefined : parseNetDev(netDev);
    return { read, cgroup, ...host, ...(networks !== undefined && Object.keys(networks).length > 0 ? { networks } : {}) };
  }

  /** /proc/stat, read at most once per PROC_STAT_TTL_MS for all samples. */
  private hostCpu(): Promise<string | undefined> {
    const now = performance.now();
    // well below the time between two samples of one container, which must not share a reading
    const ttl = Math.min(PROC_STAT_TTL_MS, (this.d.intervalMs ?? 1000) / 4);
    if (this.procStat === undefined || now - this.procStat.at > ttl) this.procStat = { at: now, text: this.read('/proc/stat') };
    return this.procStat.text;
  }

  /** The wire form of a sample (empty stats for none), with the previous response's CPU as precpu. */
  private response(rec: ContainerRecord, s: Sample | undefined, prev: StatsResponse | undefined): StatsResponse {
    return {
      name: `/${rec.name}`,
      id: rec.id,
      read: s?.read ?? ZERO_TIME,
      preread: prev?.read ?? ZERO_TIME,
      pids_stats: s ? omitZero<PidsStats>(s.cgroup.pids) : {},
      blkio_stats: s?.cgroup.blkio ?? emptyBlkio(),
      num_procs: 0,
      storage_stats: {},
      cpu_stats: s ? this.cpuStats(s) : zeroCpu(),
      precpu_stats: prev?.cpu_stats ?? zeroCpu(),
      memory_stats: s ? this.memoryStats(s.cgroup.memory) : {},
      ...(s?.networks ? { networks: s.networks } : {}),
    };
  }

  private cpuStats(s: Sample): CpuStats {
    return {
      cpu_usage: s.cgroup.cpuUsage,
      ...omitZero({ system_cpu_usage: s.systemUsage, online_cpus: s.onlineCpus }),
      throttling_data: s.cgroup.throttling,
    };
  }

  /** The cgroup's memory figures; a limit above the host's memory (unlimited) becomes the host's, as dockerd does. */
  private memoryStats(m: MemoryStats): MemoryStats {
    const machine = this.d.machineMemory ?? totalmem();
    const limit = m.limit !== undefined && m.limit > machine && machine > 0 ? machine : m.limit === Infinity ? 0 : m.limit;
    return omitZero<MemoryStats>({ ...m, ...(limit !== undefined ? { limit } : {}) });
  }
}
