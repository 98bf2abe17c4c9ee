/**
 * Pure parsers for the kernel files behind container stats: cgroup v1 and v2 controller files,
 * /proc/<pid>/cgroup, /proc/self/mountinfo, /proc/stat and /proc/<pid>/net/dev. No I/O here;
 * the formats are the kernel's (Documentation/admin-guide/cgroup-v1, cgroup-v2.rst, proc(5)).
 */
import { posix } from 'node:path';
import type { BlkioStatEntry, NetworkStats } from '../protocol/stats.js';

/** USER_HZ: the unit of /proc/stat and cpuacct.stat; 100 on every Linux dockerd supports. */
const CLOCK_TICKS_PER_SECOND = 100;
const NS_PER_SECOND = 1e9;

/** A single unsigned number (e.g. memory.usage_in_bytes); undefined for "max", "" or junk. */
export function parseUint(text: string | undefined): number | undefined {
  const t = text?.trim() ?? '';
  return /^\d+$/.test(t) ? Number(t) : undefined;
}

/** A limit file: a number, or "max" (unlimited) as Infinity; undefined when unreadable. */
export function parseLimit(text: string | undefined): number | undefined {
  const t = text?.trim() ?? '';
  return t === 'max' ? Infinity : parseUint(t);
}

/** "key value" lines (memory.stat, cpu.stat, cpuacct.stat, memory.events). */
export function parseKeyValues(text: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [k, v, extra] = line.trim().split(/\s+/);
    if (k === undefined || k === '' || v === undefined || extra !== undefined || !/^\d+$/.test(v)) continue;
    out[k] = Number(v);
  }
  return out;
}

/** cpuacct.usage_percpu: space-separated nanoseconds, one per possible CPU. */
export function parsePercpu(text: string | undefined): number[] {
  return (text ?? '').trim().split(/\s+/).filter((s) => /^\d+$/.test(s)).map(Number);
}

/** cpuacct.stat ticks (USER_HZ) to nanoseconds, as containerd's cgroup1 cpuacct does. */
export function ticksToNs(ticks: number): number {
  return (ticks * NS_PER_SECOND) / CLOCK_TICKS_PER_SECOND;
}

/**
 * blkio.* (v1): "8:0 Read 4096" or "8:0 4096" lines; the closing "Total N" line is skipped,
 * as containerd's cgroup1 blkio reader does.
 */
export function parseBlkioV1(text: string | undefined): BlkioStatEntry[] {
  const out: BlkioStatEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const fields = line.trim().split(/[\s:]+/).filter((f) => f !== '');
    if (fields.length < 3) continue;
    const [major, minor] = fields;
    const op = fields.length >= 4 ? fields[2]! : '';
    const value = fields[fields.length >= 4 ? 3 : 2]!;
    if (!/^\d+$/.test(major!) || !/^\d+$/.test(minor!) || !/^\d+$/.test(value)) continue;
    out.push({ major: Number(major), minor: Number(minor), op, value: Number(value) });
  }
  return out;
}

/** io.stat (v2): "8:0 rbytes=1 wbytes=2 rios=3 …" → a read and a write entry per device, as moby does. */
export function parseIoStatV2(text: string | undefined): BlkioStatEntry[] {
  const out: BlkioStatEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [dev, ...pairs] = line.trim().split(/\s+/);
    const m = /^(\d+):(\d+)$/.exec(dev ?? '');
    if (!m) continue;
    const kv = new Map(pairs.map((p) => p.split('=') as [string, string]));
    const major = Number(m[1]);
    const minor = Number(m[2]);
    out.push({ major, minor, op: 'read', value: parseUint(kv.get('rbytes')) ?? 0 });
    out.push({ major, minor, op: 'write', value: parseUint(kv.get('wbytes')) ?? 0 });
  }
  return out;
}

/**
 * /proc/stat: the host's CPU time in nanoseconds (the first seven fields of the "cpu" line,
 * user to softirq, in USER_HZ) and the number of "cpuN" lines, as moby's getSystemCPUUsage.
 */
export function parseProcStat(text: string): { systemUsage: number; onlineCpus: number } {
  let systemUsage = 0;
  let onlineCpus = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) break;
    if (line.startsWith('cpu ')) {
      const ticks = line.trim().split(/\s+/).slice(1, 8).map(Number);
      systemUsage = ticksToNs(ticks.reduce((a, b) => a + (Number.isFinite(b) ? b : 0), 0));
    } else if (/^cpu\d/.test(line)) {
      onlineCpus++;
    }
  }
  return { systemUsage, onlineCpus };
}

/** /proc/<pid>/net/dev: counters per interface of the process's network namespace, `lo` left out. */
export function parseNetDev(text: string): Record<string, NetworkStats> {
  const out: Record<string, NetworkStats> = {};
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (name === 'lo' || name === '' || f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out[name] = {
      rx_bytes: f[0]!, rx_packets: f[1]!, rx_errors: f[2]!, rx_dropped: f[3]!,
      tx_bytes: f[8]!, tx_packets: f[9]!, tx_errors: f[10]!, tx_dropped: f[11]!,
    };
  }
  return out;
}

/** A process's cgroups: v1 paths by controller name, and its v2 (unified) path. */
export interface ProcCgroups {
  v1: Map<string, string>;
  unified?: string;
}

/** /proc/<pid>/cgroup: "4:cpu,cpuacct:/berth/<id>" (v1) and "0::/berth/<id>" (v2). */
export function parseProcCgroup(text: string): ProcCgroups {
  const out: ProcCgroups = { v1: new Map() };
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line.trim());
    if (!m) continue;
    const [, hid, ctrls, path] = m as unknown as [string, string, string, string];
    if (hid === '0' && ctrls === '') out.unified = path;
    else for (const c of ctrls.split(',')) if (c !== '') out.v1.set(c, path);
  }
  return out;
}

/** A mounted cgroup hierarchy: where it is mounted and which cgroup is its root. */
export interface CgroupMount {
  mountpoint: string;
  root: string;
}

/** The cgroup hierarchies of a mount table: v1 ones by controller, and the v2 one(s). */
export interface CgroupMounts {
  v1: Map<string, CgroupMount>;
  v2: CgroupMount[];
}

const unescapeMount = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/**
 * /proc/self/mountinfo: "id parent maj:min root mountpoint opts [tags…] - fstype source superopts".
 * The first mount of each v1 controller wins; v2 mounts are listed in order.
 */
export function parseCgroupMounts(mountinfo: string): CgroupMounts {
  const out: CgroupMounts = { v1: new Map(), v2: [] };
  for (const line of mountinfo.split('\n')) {
    const parts = line.trim().split(' ');
    const dash = parts.indexOf('-');
    if (dash < 6) continue;
    const fstype = parts[dash + 1];
    const mount = { root: unescapeMount(parts[3]!), mountpoint: unescapeMount(parts[4]!) };
    if (fstype === 'cgroup2') out.v2.push(mount);
    else if (fstype === 'cgroup') {
      for (const opt of (parts[dash + 3] ?? '').split(',')) {
        if (opt !== 'rw' && opt !== 'ro' && !opt.includes('=') && !out.v1.has(opt)) out.v1.set(opt, mount);
      }
    }
  }
  return out;
}

/** The directory of cgroup `path` in a mounted hierarchy; undefined when it lies outside the mount's root. */
export function cgroupDir(mount: CgroupMount, path: string): string | undefined {
  const rel = posix.relative(mount.root, path);
  if (rel.startsWith('..')) return undefined;
  return posix.join(mount.mountpoint, rel);
}
