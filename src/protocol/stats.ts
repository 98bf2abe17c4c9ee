/**
 * GET /containers/{id}/stats wire types (moby api/swagger.yaml "ContainerStatsResponse",
 * api/types/container/stats.go). Optional fields are the ones Go's encoder omits when zero
 * (`omitempty`); the others are always present.
 */

export interface ThrottlingData {
  periods: number;
  throttled_periods: number;
  throttled_time: number;
}

export interface CpuUsage {
  /** Total CPU time consumed (ns). */
  total_usage: number;
  /** Per-CPU time (ns); cgroup v1 only. */
  percpu_usage?: number[];
  usage_in_kernelmode: number;
  usage_in_usermode: number;
}

export interface CpuStats {
  cpu_usage: CpuUsage;
  /** The host's CPU time (ns) from /proc/stat, as dockerd computes it. */
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: ThrottlingData;
}

export interface MemoryStats {
  usage?: number;
  /** cgroup v1 only. */
  max_usage?: number;
  /** memory.stat: v1 and v2 keys differ (moby daemon/stats_unix.go). */
  stats?: Record<string, number>;
  failcnt?: number;
  /** The cgroup's limit, or the host's memory when unlimited. */
  limit?: number;
}

export interface BlkioStatEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** Every list is `null` when there is nothing to report; v2 fills only io_service_bytes_recursive. */
export interface BlkioStats {
  io_service_bytes_recursive: BlkioStatEntry[] | null;
  io_serviced_recursive: BlkioStatEntry[] | null;
  io_queue_recursive: BlkioStatEntry[] | null;
  io_service_time_recursive: BlkioStatEntry[] | null;
  io_wait_time_recursive: BlkioStatEntry[] | null;
  io_merged_recursive: BlkioStatEntry[] | null;
  io_time_recursive: BlkioStatEntry[] | null;
  sectors_recursive: BlkioStatEntry[] | null;
}

export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

export interface PidsStats {
  current?: number;
  limit?: number;
}

/** One stats sample. `read`/`preread` are RFC 3339 (Go's zero time when there is no sample). */
export interface StatsResponse {
  /** "/name" */
  name?: string;
  id?: string;
  read: string;
  preread: string;
  pids_stats: PidsStats;
  blkio_stats: BlkioStats;
  num_procs: number;
  storage_stats: Record<string, never>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: MemoryStats;
  networks?: Record<string, NetworkStats>;
}
