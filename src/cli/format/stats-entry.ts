/**
 * `docker stats` figures and columns, as docker/cli computes and prints them
 * (cli/command/container/stats_helpers.go and formatter_stats.go): CPU % from the sample and
 * its precpu_stats, memory without inactive file pages, binary units for memory and decimal
 * ones for network and block I/O.
 */
import type { BlkioStats, MemoryStats, NetworkStats, StatsResponse } from '../../protocol/stats.js';
import type { Row } from './table.js';
import { formatG, humanSize, shortId } from './units.js';

/** One container's line of figures. */
export interface StatsEntry {
  /** The name or id the user gave (or the short id when listing all). */
  container: string;
  /** "/name" as the daemon sends it. */
  name: string;
  id: string;
  cpuPercentage: number;
  memory: number;
  memoryLimit: number;
  memoryPercentage: number;
  networkRx: number;
  networkTx: number;
  blockRead: number;
  blockWrite: number;
  pidsCurrent: number;
  /** No valid sample (an error, a timeout): the columns show "--". */
  isInvalid: boolean;
}

export const DEFAULT_STATS_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

/** docker/cli's stats formatter headers. */
export const STATS_HEADERS: Record<string, string> = {
  Container: 'CONTAINER', Name: 'NAME', ID: 'CONTAINER ID', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %', NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};

/** An entry with no figures yet. */
export function emptyEntry(container: string): StatsEntry {
  return {
    container, name: '', id: '', cpuPercentage: 0, memory: 0, memoryLimit: 0, memoryPercentage: 0,
    networkRx: 0, networkTx: 0, blockRead: 0, blockWrite: 0, pidsCurrent: 0, isInvalid: false,
  };
}

/** CPU % of one sample: the container's share of the host's CPU time since precpu, times the CPUs. */
export function cpuPercent(v: StatsResponse): number {
  const cpuDelta = v.cpu_stats.cpu_usage.total_usage - v.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (v.cpu_stats.system_cpu_usage ?? 0) - (v.precpu_stats.system_cpu_usage ?? 0);
  let cpus = v.cpu_stats.online_cpus ?? 0;
  if (cpus === 0) cpus = v.cpu_stats.cpu_usage.percpu_usage?.length ?? 0;
  return systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
}

/** Memory in use without inactive file pages (total_inactive_file on v1, inactive_file on v2). */
export function memUsageNoCache(mem: MemoryStats): number {
  const usage = mem.usage ?? 0;
  const v1 = mem.stats?.['total_inactive_file'];
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = mem.stats?.['inactive_file'] ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

/** Bytes read and written: entries whose op starts with r/R or w/W. */
export function blockIO(blkio: BlkioStats | undefined): [number, number] {
  let read = 0;
  let write = 0;
  for (const e of blkio?.io_service_bytes_recursive ?? []) {
    const c = e.op[0]?.toLowerCase();
    if (c === 'r') read += e.value;
    else if (c === 'w') write += e.value;
  }
  return [read, write];
}

/** Bytes received and sent over every interface. */
export function networkIO(networks: Record<string, NetworkStats> | undefined): [number, number] {
  let rx = 0;
  let tx = 0;
  for (const n of Object.values(networks ?? {})) {
    rx += n.rx_bytes;
    tx += n.tx_bytes;
  }
  return [rx, tx];
}

/** The figures of one sample for `container`. */
export function entryFromStats(container: string, v: StatsResponse): StatsEntry {
  const memory = memUsageNoCache(v.memory_stats);
  const memoryLimit = v.memory_stats.limit ?? 0;
  const [blockRead, blockWrite] = blockIO(v.blkio_stats);
  const [networkRx, networkTx] = networkIO(v.networks);
  return {
    container, name: v.name ?? '', id: v.id ?? '', cpuPercentage: cpuPercent(v), memory, memoryLimit,
    memoryPercentage: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    networkRx, networkTx, blockRead, blockWrite, pidsCurrent: v.pids_stats.current ?? 0, isInvalid: false,
  };
}

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** go-units BytesSize: binary units at 4 significant digits, e.g. `1.953MiB`. */
export function bytesSize(size: number): string {
  let s = size;
  let i = 0;
  while (s >= 1024 && i < BINARY_UNITS.length - 1) {
    s /= 1024;
    i++;
  }
  return `${formatG(s, 4)}${BINARY_UNITS[i]}`;
}

/** strconv.FormatFloat(v, 'f', 2) + "%". */
export function formatPercentage(v: number): string {
  return `${v.toFixed(2)}%`;
}

/** The formatter context of one entry; keys in Go's sorted order so `{{json .}}` matches docker's. */
export function statsRow(e: StatsEntry, trunc: boolean): Row {
  const bad = e.isInvalid;
  return {
    BlockIO: bad ? '--' : `${humanSize(e.blockRead)} / ${humanSize(e.blockWrite)}`,
    CPUPerc: bad ? '--' : formatPercentage(e.cpuPercentage),
    Container: e.container,
    ID: trunc ? shortId(e.id) : e.id,
    MemPerc: bad ? '--' : formatPercentage(e.memoryPercentage),
    MemUsage: bad ? '-- / --' : `${bytesSize(e.memory)} / ${bytesSize(e.memoryLimit)}`,
    Name: e.name.length > 1 ? e.name.slice(1) : '--',
    NetIO: bad ? '--' : `${humanSize(e.networkRx)} / ${humanSize(e.networkTx)}`,
    PIDs: bad ? '--' : String(e.pidsCurrent),
  };
}
