/**
 * The security flags of create/run as docker/cli parses them (cli/command/container/opts.go,
 * opts/opts.go): --device, --device-cgroup-rule, --sysctl, --security-opt (a seccomp profile path is
 * read and its compacted JSON sent) and the namespace modes.
 */
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';

/** One HostConfig.Devices entry. */
export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

function validDeviceMode(mode: string): boolean {
  if (mode === '' || mode.length > 3) return false;
  const seen = new Set<string>();
  for (const c of mode) {
    if (!'rwm'.includes(c) || seen.has(c)) return false;
    seen.add(c);
  }
  return true;
}

/** `--device` as it is set (docker's ValidateDevice). Throws with docker's message. */
export function validateDevice(val: string): string {
  const parts = val.split(':');
  if (parts.length > 3 || parts[0] === '') throw new Error(`bad format for path: ${val}`);
  let containerPath = parts[0]!;
  if (parts.length === 2 && !validDeviceMode(parts[1]!)) containerPath = parts[1]!;
  if (parts.length === 3) {
    containerPath = parts[1]!;
    if (!validDeviceMode(parts[2]!)) throw new Error(`bad mode specified: ${parts[2]}`);
  }
  if (!posix.isAbsolute(containerPath)) throw new Error(`${containerPath} is not an absolute path`);
  return val;
}

/** `/dev/x[:/dev/y][:rwm]` → a device mapping (docker's parseLinuxDevice). */
export function parseDevice(device: string): DeviceMapping {
  const arr = device.split(':');
  if (arr.length > 3) throw new Error(`invalid device specification: ${device}`);
  let permissions = 'rwm';
  let dst = '';
  if (arr.length === 3) permissions = arr[2]!;
  if (arr.length >= 2) {
    if (arr.length === 2 && validDeviceMode(arr[1]!)) permissions = arr[1]!;
    else dst = arr[1]!;
  }
  const src = arr[0]!;
  return { PathOnHost: src, PathInContainer: dst || src, CgroupPermissions: permissions };
}

/** `--device-cgroup-rule` (docker's validateDeviceCgroupRule). */
export function validateDeviceCgroupRule(val: string): string {
  if (/^[acb] ([0-9]+|\*):([0-9]+|\*) [rwm]{1,3}$/.test(val)) return val;
  throw new Error(`invalid device cgroup format '${val}'`);
}

const SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);

/** `--sysctl` (docker's ValidateSysctl): the IPC and network namespaced ones. */
export function validateSysctl(val: string): string {
  const [key = '', ...rest] = val.split('=');
  if (rest.length > 0 && (SYSCTLS.has(key) || key.startsWith('net.') || key.startsWith('fs.mqueue.'))) return val;
  throw new Error(`sysctl '${val}' is not allowed`);
}

/** `--sysctl k=v` values as a map. */
export function sysctlMap(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}

/**
 * `--security-opt` values as docker/cli sends them: checked for a value, and `seccomp=<file>`
 * replaced by `seccomp=<the file's compacted JSON>`. Throws with docker's messages.
 */
export function parseSecurityOpts(opts: readonly string[], read: (path: string) => string = (p) => readFileSync(p, 'utf8')): string[] {
  return opts.map((opt) => {
    let sep = opt.indexOf('=');
    if (sep < 0 && opt !== 'no-new-privileges') sep = opt.indexOf(':');
    const key = sep < 0 ? opt : opt.slice(0, sep);
    const value = sep < 0 ? '' : opt.slice(sep + 1);
    if ((sep < 0 || value === '') && key !== 'no-new-privileges') throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (key !== 'seccomp' || value === 'builtin' || value === 'unconfined') return opt;
    let text: string;
    try {
      text = read(value);
    } catch (err) {
      throw new Error(`opening seccomp profile (${value}) failed: ${(err as Error).message}`);
    }
    try {
      return `seccomp=${JSON.stringify(JSON.parse(text))}`;
    } catch (err) {
      throw new Error(`compacting json for seccomp profile (${value}) failed: ${(err as Error).message}`);
    }
  });
}

/** docker/cli's checks of --ipc, --pid, --uts, --userns and --cgroupns. Throws with docker's messages. */
export function checkNamespaceModes(m: { ipc: string; pid: string; uts: string; userns: string; cgroupns: string }): void {
  const container = (v: string): boolean => /^container:.+/.test(v);
  if (!['', 'private', 'shareable', 'host', 'none'].includes(m.ipc) && !container(m.ipc)) throw new Error('--ipc: invalid IPC mode');
  if (!['', 'host'].includes(m.pid) && !container(m.pid)) throw new Error('--pid: invalid PID mode');
  if (!['', 'host'].includes(m.uts)) throw new Error('--uts: invalid UTS mode');
  if (!['', 'host', 'private'].includes(m.userns)) throw new Error('--userns: invalid USER mode');
  if (!['', 'host', 'private'].includes(m.cgroupns)) throw new Error('--cgroupns: invalid CGROUP mode');
}

/**
 * CapAdd/CapDrop as docker's API client sends them (API >= 1.40): upper-case, CAP_-prefixed
 * (`ALL` kept), without duplicates, sorted. Null when the flag was not given.
 */
export function normalizeCapabilities(caps: readonly string[] | null): string[] | null {
  if (caps === null) return null;
  const norm = caps.map((c) => {
    const u = c.toUpperCase();
    return u === 'ALL' || u.startsWith('CAP_') ? u : `CAP_${u}`;
  });
  return [...new Set(norm)].sort();
}
