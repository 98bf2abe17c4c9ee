/**
 * Linux capabilities as Docker computes a container's set (moby daemon/pkg/oci/caps): names with
 * or without CAP_, the magic `ALL`, and "all" meaning every capability the host's bounding set
 * holds (containerd pkg/cap Current), so a host without CAP_SYS_RESOURCE still runs privileged
 * containers.
 */
import { readFileSync } from 'node:fs';
import { invalidArgument } from '../core/index.js';

/** Every capability the kernel knows, in bit order (capability.h). */
export const KNOWN_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL',
  'CAP_SETGID', 'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT',
  'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE',
  'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** The capabilities in a /proc/<pid>/status mask such as `000001fffeffffff`. */
export function capabilitiesOfMask(hex: string): string[] {
  const mask = BigInt(`0x${hex.trim() || '0'}`);
  return KNOWN_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n);
}

/** The hex mask of a capability list, as /proc/<pid>/status shows it (16 digits). */
export function maskOfCapabilities(caps: readonly string[]): string {
  let mask = 0n;
  for (const c of caps) {
    const bit = KNOWN_CAPABILITIES.indexOf(c);
    if (bit >= 0) mask |= 1n << BigInt(bit);
  }
  return mask.toString(16).padStart(16, '0');
}

let hostCaps: readonly string[] | undefined;

/**
 * The capabilities this daemon may hand out: its bounding set (CapBnd of /proc/self/status),
 * read once. All known capabilities when the file cannot be read (Docker's fallback).
 */
export function hostCapabilities(): readonly string[] {
  if (hostCaps) return hostCaps;
  try {
    const m = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    hostCaps = m?.[1] ? capabilitiesOfMask(m[1]) : KNOWN_CAPABILITIES;
  } catch {
    hostCaps = KNOWN_CAPABILITIES;
  }
  return hostCaps;
}

const ALL = 'ALL';

/**
 * Upper-cases, adds CAP_ and checks CapAdd/CapDrop entries (`ALL` kept). Throws 'invalid-argument'
 * with Docker's messages: `unknown capability: "CAP_X"`, or, for one the host lacks,
 * `capability not supported by your kernel or not available in the current environment: "CAP_X"`.
 */
export function normalizeCapabilities(list: readonly string[], host: readonly string[] = hostCapabilities()): string[] {
  return list.map((raw) => {
    let c = raw.toUpperCase();
    if (c === ALL) return c;
    if (!c.startsWith('CAP_')) c = `CAP_${c}`;
    if (!KNOWN_CAPABILITIES.includes(c)) throw invalidArgument(`unknown capability: "${c}"`);
    if (!host.includes(c)) {
      throw invalidArgument(`capability not supported by your kernel or not available in the current environment: "${c}"`);
    }
    return c;
  });
}

export interface CapabilityRequest {
  add?: readonly string[];
  drop?: readonly string[];
  privileged?: boolean;
}

/**
 * The container's capability set from the defaults, --cap-add, --cap-drop and --privileged
 * (Docker's TweakCapabilities): privileged or `--cap-add ALL` give every host capability (minus
 * the drops), `--cap-drop ALL` keeps only the adds. Throws like normalizeCapabilities.
 */
export function tweakCapabilities(
  defaults: readonly string[],
  req: CapabilityRequest,
  host: readonly string[] = hostCapabilities(),
): string[] {
  if (req.privileged) return [...host];
  const adds = req.add ?? [];
  const drops = req.drop ?? [];
  if (adds.length === 0 && drops.length === 0) return [...defaults];
  const drop = normalizeCapabilities(drops, host);
  const add = normalizeCapabilities(adds, host);
  let caps: string[];
  if (add.includes(ALL)) caps = host.filter((c) => !drop.includes(c));
  else if (drop.includes(ALL)) caps = add;
  else caps = [...defaults.filter((c) => !drop.includes(c)), ...add];
  return [...new Set(caps)];
}
