/**
 * Resolves a container's SecurityPlan against the host (moby daemon/oci_linux.go WithCapabilities,
 * WithDevices, WithSeccomp, getUser): the capability set, the seccomp filter for those
 * capabilities, device nodes read from the host and their cgroup rules, and --group-add gids.
 */
import { invalidArgument } from '../core/index.js';
import { hostCapabilities, tweakCapabilities } from './capabilities.js';
import { DEFAULT_CAPABILITIES } from './defaults.js';
import { devicesFromPath, hostDevices, parseDeviceCgroupRule } from './devices.js';
import type { OciDevice, OciDeviceRule, OciSeccomp } from './oci-types.js';
import { convertSeccompProfile, goArch } from './seccomp.js';
import type { SecurityPlan } from './types.js';
import { release } from 'node:os';

/** What buildSpec needs beyond the plan. */
export interface ResolvedSecurity {
  capabilities: string[];
  /** Undefined: unconfined. */
  seccomp?: OciSeccomp;
  devices: OciDevice[];
  /** Device cgroup rules after Docker's defaults (privileged: they replace them). */
  deviceRules: OciDeviceRule[];
}

/** The daemon's seccomp settings: the default filter (for Docker's caps) and its source profile. */
export interface SeccompDefaults {
  filter?: OciSeccomp;
  /** The parsed moby-format default profile, to convert again for other capability sets. */
  profile?: unknown;
  unsupportedArches?: readonly string[];
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** The seccomp filter for a container with `caps`; undefined = unconfined. */
export function seccompFor(sec: SecurityPlan, caps: readonly string[], defaults: SeccompDefaults): OciSeccomp | undefined {
  const mode = sec.seccomp ?? { mode: 'default' as const };
  if (mode.mode === 'unconfined') return undefined;
  const ctx = { arch: goArch(process.arch), caps, kernel: release(), ...(defaults.unsupportedArches ? { unsupportedArches: defaults.unsupportedArches } : {}) };
  if (mode.mode === 'profile') return convertSeccompProfile(mode.profile, ctx);
  if (sec.privileged) return undefined;
  if (sameSet(caps, DEFAULT_CAPABILITIES) || defaults.profile === undefined) return defaults.filter;
  return convertSeccompProfile(defaults.profile, ctx);
}

/**
 * Capabilities, seccomp and devices of a plan. Throws 'invalid-argument' for unknown capabilities,
 * missing devices and bad cgroup rules (Docker's messages).
 */
export async function resolveSecurity(
  sec: SecurityPlan | undefined,
  defaults: SeccompDefaults,
  host: readonly string[] = hostCapabilities(),
): Promise<ResolvedSecurity> {
  const s = sec ?? {};
  const capabilities = tweakCapabilities(DEFAULT_CAPABILITIES, {
    add: s.capAdd ?? [], drop: s.capDrop ?? [], privileged: s.privileged ?? false,
  }, host);
  const seccomp = seccompFor(s, capabilities, defaults);
  const devices: OciDevice[] = [];
  const deviceRules: OciDeviceRule[] = [];
  if (s.privileged) {
    devices.push(...(await hostDevices()));
    for (const d of s.devices ?? []) {
      if (d.pathOnHost === d.pathInContainer) continue;
      devices.push(...(await devicesFromPath({ ...d, permissions: 'rwm' })).devices);
    }
    deviceRules.push({ allow: true, access: 'rwm' });
  } else {
    for (const d of s.devices ?? []) {
      const found = await devicesFromPath(d);
      devices.push(...found.devices);
      deviceRules.push(...found.rules);
    }
    deviceRules.push(...(s.deviceCgroupRules ?? []).map(parseDeviceCgroupRule));
  }
  return { capabilities, ...(seccomp ? { seccomp } : {}), devices: dedupeByPath(devices), deviceRules };
}

function dedupeByPath(devices: OciDevice[]): OciDevice[] {
  const byPath = new Map<string, OciDevice>();
  for (const d of devices) byPath.set(d.path, d);
  return [...byPath.values()];
}

/**
 * --group-add: each name or number looked up in the container's /etc/group (`group` is its
 * content); a number not listed is used as is. Throws 'invalid-argument' like runc's
 * GetAdditionalGroups for an unknown name.
 */
export function additionalGroups(groupAdd: readonly string[], group: string | undefined): number[] {
  const entries = (group ?? '').split('\n').map((l) => l.trim().split(':')).filter((f) => f.length >= 3 && f[0] !== '' && !f[0]!.startsWith('#'));
  return groupAdd.map((g) => {
    const hit = entries.find((f) => f[0] === g || f[2] === g);
    if (hit && /^\d+$/.test(hit[2] ?? '')) return Number(hit[2]);
    if (/^\d+$/.test(g) && Number(g) <= 2147483647) return Number(g);
    throw invalidArgument(`Unable to find group ${g}: no matching entries in group file`);
  });
}
