/**
 * A container's resource limits: HostConfig (Memory, NanoCpus, CpuShares, PidsLimit, Ulimits, …)
 * checked with Docker's rules and messages (moby daemon/daemon_unix.go) and turned into the OCI
 * spec's cgroup resources and rlimits. Pure, given the host's facts.
 */
import { invalidArgument } from '../core/index.js';
import type { HostConfig } from '../protocol/index.js';
import type { OciResources } from '../runtime/types.js';

export interface HostLimits {
  cpus: number;
  /** The kernel has a blkio weight (blkio.weight, io.weight); without it Docker drops the weight with a warning. */
  blkioWeight?: boolean;
  /** The daemon's hard RLIMIT_NOFILE etc. (from /proc/self/limits), by lower-case name. */
  hardLimits: Record<string, number>;
}

const MIN_MEMORY = 6 * 1024 * 1024;

/** The resource fields of HostConfig that `update` may change too. */
export type ResourceConfig = Pick<HostConfig, 'Memory' | 'NanoCpus' | 'CpuShares' | 'PidsLimit' | 'Ulimits'> & {
  MemorySwap?: number;
  MemoryReservation?: number;
  MemorySwappiness?: number | null;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  BlkioWeight?: number;
  OomKillDisable?: boolean | null;
  OomScoreAdj?: number;
  CgroupParent?: string;
};

/** Parses a cpuset list such as `0-2,4`; undefined if it is not one. */
export function parseCpuset(s: string): number[] | undefined {
  const out: number[] = [];
  for (const part of s.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) return undefined;
    const a = Number(m[1]);
    const b = m[2] !== undefined ? Number(m[2]) : a;
    if (b < a) return undefined;
    for (let i = a; i <= b; i++) out.push(i);
  }
  return out;
}

/** Checks limits as Docker does; returns Docker's warnings. Throws invalid-argument. */
export function checkResources(r: ResourceConfig, host: HostLimits): string[] {
  const warnings: string[] = [];
  const memory = r.Memory ?? 0;
  const swap = r.MemorySwap ?? 0;
  const reservation = r.MemoryReservation ?? 0;
  if (memory > 0 && memory < MIN_MEMORY) throw invalidArgument('Minimum memory limit allowed is 6MB');
  if (swap > 0 && memory === 0) throw invalidArgument('You should always set the Memory limit when using Memoryswap limit, see usage');
  if (swap > 0 && swap < memory) throw invalidArgument('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (reservation > 0 && reservation < MIN_MEMORY) throw invalidArgument('Minimum memory reservation allowed is 6MB');
  if (memory > 0 && reservation > memory) {
    throw invalidArgument('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
  if (r.MemorySwappiness !== undefined && r.MemorySwappiness !== null && r.MemorySwappiness !== -1
    && (r.MemorySwappiness < 0 || r.MemorySwappiness > 100)) {
    throw invalidArgument(`Invalid value: ${r.MemorySwappiness}, valid memory swappiness range is 0-100`);
  }
  if (r.OomKillDisable && memory === 0) {
    warnings.push('OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.');
  }
  const nano = r.NanoCpus ?? 0;
  if (nano > 0 && (r.CpuPeriod ?? 0) > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Period cannot both be set');
  if (nano > 0 && (r.CpuQuota ?? 0) > 0) throw invalidArgument('Conflicting options: Nano CPUs and CPU Quota cannot both be set');
  if (nano < 0 || nano > host.cpus * 1e9) {
    throw invalidArgument(`Range of CPUs is from 0.01 to ${host.cpus}.00, as there are only ${host.cpus} CPUs available`);
  }
  const period = r.CpuPeriod ?? 0;
  if (period !== 0 && (period < 1000 || period > 1000000)) {
    throw invalidArgument('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  }
  if ((r.CpuQuota ?? 0) > 0 && (r.CpuQuota ?? 0) < 1000) throw invalidArgument('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  for (const [field, value, label] of [['CpusetCpus', r.CpusetCpus, 'cpus'], ['CpusetMems', r.CpusetMems, 'mems']] as const) {
    if (!value) continue;
    const set = parseCpuset(value);
    if (!set) throw invalidArgument(`Invalid value ${value} for cpuset ${label}`);
    if (field === 'CpusetCpus' && set.some((c) => c >= host.cpus)) {
      throw invalidArgument(`Requested CPUs are not available - requested ${value}, available: 0-${host.cpus - 1}`);
    }
  }
  const weight = r.BlkioWeight ?? 0;
  if (weight !== 0 && (weight < 10 || weight > 1000)) throw invalidArgument('Range of blkio weight is from 10 to 1000');
  if (weight !== 0 && host.blkioWeight === false) {
    warnings.push('Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.');
  }
  for (const u of r.Ulimits ?? []) {
    if (u.Soft > u.Hard) throw invalidArgument(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
    const cap = host.hardLimits[u.Name.toLowerCase()];
    if (cap !== undefined && u.Hard > cap) {
      throw invalidArgument(`ulimit ${u.Name}=${u.Soft}:${u.Hard} is above the host's hard limit ${cap}, which berthd cannot raise (it lacks CAP_SYS_RESOURCE or the host caps it); use at most ${u.Name}=${cap}`);
    }
  }
  return warnings;
}

/** The OCI cgroup resources for a HostConfig (nothing set → nothing limited). */
export function ociResources(r: ResourceConfig, host: Pick<HostLimits, 'blkioWeight'> = {}): OciResources {
  const out: OciResources = {};
  const memory = r.Memory ?? 0;
  const mem: NonNullable<OciResources['memory']> = {};
  if (memory > 0) {
    mem.limit = memory;
    // Docker: no --memory-swap means as much swap as memory; -1 means unlimited
    const swap = r.MemorySwap ?? 0;
    mem.swap = swap === 0 ? memory * 2 : swap;
  }
  if ((r.MemoryReservation ?? 0) > 0) mem.reservation = r.MemoryReservation!;
  if (r.OomKillDisable) mem.disableOOMKiller = true;
  if (r.MemorySwappiness !== undefined && r.MemorySwappiness !== null && r.MemorySwappiness >= 0) mem.swappiness = r.MemorySwappiness;
  if (Object.keys(mem).length > 0) out.memory = mem;
  const cpu: NonNullable<OciResources['cpu']> = {};
  if ((r.CpuShares ?? 0) > 0) cpu.shares = r.CpuShares!;
  if ((r.NanoCpus ?? 0) > 0) {
    cpu.period = 100000;
    cpu.quota = Math.round((r.NanoCpus! / 1e9) * 100000);
  }
  if ((r.CpuPeriod ?? 0) > 0) cpu.period = r.CpuPeriod!;
  if ((r.CpuQuota ?? 0) > 0) cpu.quota = r.CpuQuota!;
  if (r.CpusetCpus) cpu.cpus = r.CpusetCpus;
  if (r.CpusetMems) cpu.mems = r.CpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.PidsLimit !== undefined && r.PidsLimit !== null && r.PidsLimit > 0) out.pids = { limit: r.PidsLimit };
  if ((r.BlkioWeight ?? 0) > 0 && host.blkioWeight !== false) out.blockIO = { weight: r.BlkioWeight! };
  return out;
}

/** --ulimit entries as OCI rlimits. */
export function ociRlimits(r: ResourceConfig): Array<{ type: string; soft: number; hard: number }> {
  return (r.Ulimits ?? []).map((u) => ({ type: `RLIMIT_${u.Name.toUpperCase()}`, soft: u.Soft, hard: u.Hard }));
}

/** Parses /proc/self/limits into hard limits by Docker's ulimit names. */
export function parseProcLimits(text: string): Record<string, number> {
  const names: Record<string, string> = {
    'Max open files': 'nofile', 'Max processes': 'nproc', 'Max core file size': 'core', 'Max locked memory': 'memlock',
    'Max stack size': 'stack', 'Max file size': 'fsize', 'Max cpu time': 'cpu', 'Max data size': 'data',
    'Max address space': 'as', 'Max msgqueue size': 'msgqueue', 'Max nice priority': 'nice', 'Max realtime priority': 'rtprio',
    'Max pending signals': 'sigpending', 'Max resident set': 'rss', 'Max file locks': 'locks',
  };
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    for (const [label, name] of Object.entries(names)) {
      if (!line.startsWith(label)) continue;
      const hard = line.slice(label.length).trim().split(/\s+/)[1];
      if (hard && hard !== 'unlimited') out[name] = Number(hard);
    }
  }
  return out;
}
