/**
 * A container's resource usage from its cgroup, v1 (per-controller hierarchies, hybrid hosts
 * included) or v2 (unified), shaped as moby's daemon/stats_unix.go shapes containerd's metrics.
 * The cgroup is found from /proc/<pid>/cgroup and the mount table, so any cgroup parent works.
 */
import type { BlkioStatEntry, BlkioStats, CpuUsage, MemoryStats, PidsStats, ThrottlingData } from '../protocol/stats.js';
import {
  cgroupDir, parseBlkioV1, parseIoStatV2, parseKeyValues, parseLimit, parsePercpu, parseProcCgroup,
  parseUint, ticksToNs, type CgroupMounts,
} from './cgroup-parse.js';

/** Reads a text file; undefined when it is missing or unreadable (a controller not mounted, a process gone). */
export type ReadText = (path: string) => Promise<string | undefined>;

/** What the cgroup tells; the memory limit is the cgroup's own (Infinity when unlimited). */
export interface CgroupMetrics {
  cpuUsage: CpuUsage;
  throttling: ThrottlingData;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
}

/** memory.stat keys moby reports on cgroup v1, in its order. */
const V1_MEMORY_KEYS = [
  'cache', 'rss', 'rss_huge', 'mapped_file', 'dirty', 'writeback', 'pgpgin', 'pgpgout', 'pgfault', 'pgmajfault',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'hierarchical_memory_limit',
  'hierarchical_memsw_limit', 'total_cache', 'total_rss', 'total_rss_huge', 'total_mapped_file', 'total_dirty',
  'total_writeback', 'total_pgpgin', 'total_pgpgout', 'total_pgfault', 'total_pgmajfault', 'total_inactive_anon',
  'total_active_anon', 'total_inactive_file', 'total_active_file', 'total_unevictable',
] as const;

/** memory.stat keys moby reports on cgroup v2, in its order. */
const V2_MEMORY_KEYS = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable',
  'pgfault', 'pgmajfault', 'workingset_refault', 'workingset_activate', 'workingset_nodereclaim', 'pgrefill', 'pgscan',
  'pgsteal', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
] as const;

/** blkio files (v1, CFQ/BFQ-era names) and the wire list each fills, in containerd's order. */
const V1_BLKIO_FILES: Array<[keyof BlkioStats, string]> = [
  ['sectors_recursive', 'blkio.sectors_recursive'],
  ['io_service_bytes_recursive', 'blkio.io_service_bytes_recursive'],
  ['io_serviced_recursive', 'blkio.io_serviced_recursive'],
  ['io_queue_recursive', 'blkio.io_queued_recursive'],
  ['io_service_time_recursive', 'blkio.io_service_time_recursive'],
  ['io_wait_time_recursive', 'blkio.io_wait_time_recursive'],
  ['io_merged_recursive', 'blkio.io_merged_recursive'],
  ['io_time_recursive', 'blkio.time_recursive'],
];

/** Blkio stats with every list null (Go's nil slices). */
export function emptyBlkio(): BlkioStats {
  return {
    io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
    io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
  };
}

const pick = (stat: Record<string, number>, keys: readonly string[]): Record<string, number> =>
  Object.fromEntries(keys.map((k) => [k, stat[k] ?? 0]));

const nonEmpty = (e: BlkioStatEntry[]): BlkioStatEntry[] | null => (e.length > 0 ? e : null);

/** Where a process's cgroup lives: one dir per v1 controller, or the v2 dir. */
export type CgroupLocation =
  | { version: 1; dirs: Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'pids' | 'blkio', string>> }
  | { version: 2; dir: string };

/** Locates the cgroup of `procCgroup` (the text of /proc/<pid>/cgroup); v1 controllers win on hybrid hosts. */
export function locateCgroup(procCgroup: string, mounts: CgroupMounts): CgroupLocation | undefined {
  const proc = parseProcCgroup(procCgroup);
  const dirs: Partial<Record<'cpu' | 'cpuacct' | 'memory' | 'pids' | 'blkio', string>> = {};
  for (const c of ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'] as const) {
    const path = proc.v1.get(c);
    const mount = mounts.v1.get(c);
    const dir = path !== undefined && mount !== undefined ? cgroupDir(mount, path) : undefined;
    if (dir !== undefined) dirs[c] = dir;
  }
  if (dirs.memory !== undefined || dirs.cpuacct !== undefined) return { version: 1, dirs };
  if (proc.unified === undefined) return undefined;
  for (const m of mounts.v2) {
    const dir = cgroupDir(m, proc.unified);
    if (dir !== undefined) return { version: 2, dir };
  }
  return undefined;
}

/** Reads the metrics of a located cgroup. */
export function readCgroup(loc: CgroupLocation, read: ReadText): Promise<CgroupMetrics> {
  return loc.version === 1 ? readV1(loc.dirs, read) : readV2(loc.dir, read);
}

/** Reads `name` in `dir` (undefined when the controller is not there). */
const inDir = (read: ReadText, dir: string | undefined) => (name: string): Promise<string | undefined> =>
  dir === undefined ? Promise.resolve(undefined) : read(`${dir}/${name}`);

async function readV1(dirs: Extract<CgroupLocation, { version: 1 }>['dirs'], read: ReadText): Promise<CgroupMetrics> {
  const acct = inDir(read, dirs.cpuacct);
  const cpu = inDir(read, dirs.cpu);
  const mem = inDir(read, dirs.memory);
  const pids = inDir(read, dirs.pids);
  const [usage, percpu, acctStat, cpuStat, memUsage, memMax, memLimit, failcnt, memStat, pidsCur, pidsMax, blkio] = await Promise.all([
    acct('cpuacct.usage'), acct('cpuacct.usage_percpu'), acct('cpuacct.stat'), cpu('cpu.stat'),
    mem('memory.usage_in_bytes'), mem('memory.max_usage_in_bytes'), mem('memory.limit_in_bytes'), mem('memory.failcnt'), mem('memory.stat'),
    pids('pids.current'), pids('pids.max'), readBlkioV1(inDir(read, dirs.blkio)),
  ]);
  const ticks = parseKeyValues(acctStat);
  const throttle = parseKeyValues(cpuStat);
  const perCpu = parsePercpu(percpu);
  const memUse = parseUint(memUsage);
  const memory: MemoryStats = memUse === undefined ? {} : {
    usage: memUse, max_usage: parseUint(memMax) ?? 0, stats: pick(parseKeyValues(memStat), V1_MEMORY_KEYS),
    failcnt: parseUint(failcnt) ?? 0, limit: parseLimit(memLimit) ?? 0,
  };
  return {
    cpuUsage: {
      total_usage: parseUint(usage) ?? 0,
      ...(perCpu.length > 0 ? { percpu_usage: perCpu } : {}),
      usage_in_kernelmode: ticksToNs(ticks['system'] ?? 0),
      usage_in_usermode: ticksToNs(ticks['user'] ?? 0),
    },
    throttling: {
      periods: throttle['nr_periods'] ?? 0, throttled_periods: throttle['nr_throttled'] ?? 0, throttled_time: throttle['throttled_time'] ?? 0,
    },
    memory,
    pids: pidsStats(pidsCur, pidsMax),
    blkio,
  };
}

/** v1 blkio: the CFQ/BFQ recursive files when the kernel has them, else the throttle counters (containerd's rule). */
async function readBlkioV1(file: (name: string) => Promise<string | undefined>): Promise<BlkioStats> {
  const out = emptyBlkio();
  // Kernels without CFQ have none of those files: one look spares seven failed opens per sample.
  const first = await file(V1_BLKIO_FILES[0]![1]);
  const cfq = first === undefined ? [] : [parseBlkioV1(first), ...(await Promise.all(V1_BLKIO_FILES.slice(1).map(async ([, name]) => parseBlkioV1(await file(name)))))];
  if (cfq.some((e) => e.length > 0)) {
    V1_BLKIO_FILES.forEach(([key], i) => (out[key] = nonEmpty(cfq[i]!)));
    return out;
  }
  const [serviced, bytes] = await Promise.all([file('blkio.throttle.io_serviced'), file('blkio.throttle.io_service_bytes')]);
  out.io_serviced_recursive = nonEmpty(parseBlkioV1(serviced));
  out.io_service_bytes_recursive = nonEmpty(parseBlkioV1(bytes));
  return out;
}

async function readV2(dir: string, read: ReadText): Promise<CgroupMetrics> {
  const f = inDir(read, dir);
  const [cpuStat, memCur, memMax, memStat, memEvents, pidsCur, pidsMax, ioStat] = await Promise.all([
    f('cpu.stat'), f('memory.current'), f('memory.max'), f('memory.stat'), f('memory.events'), f('pids.current'), f('pids.max'), f('io.stat'),
  ]);
  const cpu = parseKeyValues(cpuStat);
  const memUse = parseUint(memCur);
  const oom = parseKeyValues(memEvents)['oom'];
  const memory: MemoryStats = memUse === undefined ? {} : {
    usage: memUse, stats: pick(parseKeyValues(memStat), V2_MEMORY_KEYS), limit: parseLimit(memMax) ?? 0,
    ...(oom !== undefined ? { failcnt: oom } : {}),
  };
  const blkio = emptyBlkio();
  blkio.io_service_bytes_recursive = nonEmpty(parseIoStatV2(ioStat));
  return {
    cpuUsage: {
      total_usage: (cpu['usage_usec'] ?? 0) * 1000,
      usage_in_kernelmode: (cpu['system_usec'] ?? 0) * 1000,
      usage_in_usermode: (cpu['user_usec'] ?? 0) * 1000,
    },
    throttling: {
      periods: cpu['nr_periods'] ?? 0, throttled_periods: cpu['nr_throttled'] ?? 0, throttled_time: (cpu['throttled_usec'] ?? 0) * 1000,
    },
    memory,
    pids: pidsStats(pidsCur, pidsMax),
    blkio,
  };
}

function pidsStats(current: string | undefined, max: string | undefined): PidsStats {
  const limit = parseLimit(max);
  return { current: parseUint(current) ?? 0, limit: limit === undefined || limit === Infinity ? 0 : limit };
}

