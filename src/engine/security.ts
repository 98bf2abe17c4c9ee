/**
 * A container's security settings: HostConfig CapAdd/CapDrop/Privileged/SecurityOpt/Devices/
 * DeviceCgroupRules/GroupAdd/Sysctls and the namespace modes, checked at create with Docker's
 * messages (moby daemon/container.go validateCapabilities, daemon_unix.go parseSecurityOpt and
 * verifyPlatformContainerSettings) and turned into the runtime's SecurityPlan at start.
 */
import { EngineError, invalidArgument } from '../core/index.js';
import type { HostConfig } from '../protocol/index.js';
import { normalizeCapabilities, parseDeviceCgroupRule } from '../runtime/index.js';
import type { SecurityPlan } from '../runtime/index.js';

/** The HostConfig fields this module reads (some are not in the shared wire type yet). */
export type SecurityConfig = Pick<HostConfig, 'CapAdd' | 'CapDrop' | 'Privileged' | 'SecurityOpt' | 'GroupAdd' | 'IpcMode' | 'PidMode' | 'UTSMode'> & {
  Devices?: Array<{ PathOnHost?: string; PathInContainer?: string; CgroupPermissions?: string }> | null;
  DeviceCgroupRules?: string[] | null;
  Sysctls?: Record<string, string> | null;
  CgroupnsMode?: string;
  UsernsMode?: string;
};

/** What the --security-opt values ask for. */
export interface SecurityOptions {
  noNewPrivileges: boolean;
  /** '' (daemon default), 'unconfined', 'builtin', or a profile's JSON. */
  seccomp: string;
}

const q = (s: string): string => JSON.stringify(s);

/**
 * Parses --security-opt values as Docker's daemon does: `no-new-privileges[=|:bool]`,
 * `seccomp=…`, and `label=…`/`apparmor=…`/`disable`, accepted and ignored since this host enforces
 * neither SELinux nor AppArmor. Throws 'invalid-argument' (`invalid --security-opt 2: "x"`).
 */
export function parseSecurityOpts(opts: readonly string[]): SecurityOptions {
  const out: SecurityOptions = { noNewPrivileges: false, seccomp: '' };
  for (const opt of opts) {
    if (opt === 'no-new-privileges') {
      out.noNewPrivileges = true;
      continue;
    }
    if (opt === 'disable' || opt === 'writable-cgroups') continue;
    const sep = opt.includes('=') ? '=' : opt.includes(':') ? ':' : undefined;
    if (sep === undefined) throw invalidArgument(`invalid --security-opt 1: ${q(opt)}`);
    const i = opt.indexOf(sep);
    const key = opt.slice(0, i);
    const value = opt.slice(i + 1);
    if (key === 'label' || key === 'apparmor') continue;
    if (key === 'seccomp') out.seccomp = value;
    else if (key === 'no-new-privileges' || key === 'writable-cgroups') {
      const b = parseBool(value);
      if (b === undefined) throw invalidArgument(`invalid --security-opt 2: ${q(opt)}`);
      if (key === 'no-new-privileges') out.noNewPrivileges = b;
    } else throw invalidArgument(`invalid --security-opt 2: ${q(opt)}`);
  }
  return out;
}

/** Go's strconv.ParseBool. */
function parseBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

function seccompChoice(value: string): SecurityPlan['seccomp'] {
  if (value === '' || value === 'builtin') return { mode: 'default' };
  if (value === 'unconfined') return { mode: 'unconfined' };
  try {
    return { mode: 'profile', profile: JSON.parse(value) as unknown };
  } catch (err) {
    throw invalidArgument(`Decoding seccomp profile failed: ${(err as Error).message}`);
  }
}

const IPC_MODES = new Set(['', 'private', 'shareable', 'host', 'none']);

function checkModes(h: SecurityConfig): void {
  const ipc = h.IpcMode ?? '';
  if (!IPC_MODES.has(ipc) && !/^container:.+/.test(ipc)) throw invalidArgument(`invalid IPC mode: ${ipc}`);
  const pid = h.PidMode ?? '';
  if (pid !== '' && pid !== 'host' && !/^container:.+/.test(pid)) throw invalidArgument(`invalid PID mode: ${pid}`);
  const uts = h.UTSMode ?? '';
  if (uts !== '' && uts !== 'host') throw invalidArgument(`invalid UTS mode: ${uts}`);
  const cgroupns = h.CgroupnsMode ?? '';
  if (cgroupns !== '' && cgroupns !== 'private' && cgroupns !== 'host') throw invalidArgument(`invalid cgroup namespace mode: ${cgroupns}`);
  const userns = h.UsernsMode ?? '';
  if (userns !== '' && userns !== 'host' && userns !== 'private') throw invalidArgument(`invalid USER mode: ${userns}`);
}

/** Checks the security settings at create (400 with Docker's message); returns warnings. */
export function checkSecurity(h: SecurityConfig, hostCaps?: readonly string[]): string[] {
  const wrap = (field: string, list: readonly string[]): void => {
    try {
      normalizeCapabilities(list, ...(hostCaps ? [hostCaps] : []));
    } catch (err) {
      throw invalidArgument(`invalid ${field}: ${(err as Error).message}`);
    }
  };
  wrap('CapAdd', h.CapAdd ?? []);
  wrap('CapDrop', h.CapDrop ?? []);
  const opts = parseSecurityOpts(h.SecurityOpt ?? []);
  seccompChoice(opts.seccomp);
  checkModes(h);
  for (const rule of h.DeviceCgroupRules ?? []) parseDeviceCgroupRule(rule);
  for (const d of h.Devices ?? []) {
    if (!d.PathOnHost) throw invalidArgument('invalid device mapping: no path on the host');
  }
  return [];
}

/**
 * A container named in a container:<name> namespace mode: undefined when there is none, else its
 * id, its pid while it runs (0 otherwise) and its IPC mode.
 */
export type ContainerLookup = (ref: string) => { id: string; pid: number; ipcMode: string } | undefined;

/** The namespace of a running container to join, with Docker's errors (moby getIPCContainer/getPIDContainer). */
function joinMode(kind: 'IPC' | 'PID', ns: 'ipc' | 'pid', ref: string, lookup: ContainerLookup): { mode: 'path'; path: string; id: string; ipcMode: string } {
  const other = lookup(ref);
  if (!other) throw invalidArgument(`failed to join ${kind} namespace: No such container: ${ref}`);
  if (!other.pid) throw new EngineError('conflict', `failed to join ${kind} namespace: container ${ref} is not running`);
  return { mode: 'path', path: `/proc/${other.pid}/ns/${ns}`, id: other.id, ipcMode: other.ipcMode };
}

/** Joining another container's IPC namespace takes its /dev/shm too, which only `shareable` (or `host`) ones expose. */
function joinIpc(ref: string, lookup: ContainerLookup): NonNullable<SecurityPlan['ipc']> {
  const { path, id, ipcMode } = joinMode('IPC', 'ipc', ref, lookup);
  if (ipcMode === 'host') return { mode: 'path', path, shm: { host: true } };
  if (ipcMode !== 'shareable') {
    throw invalidArgument(`failed to join IPC namespace: container ${ref}: non-shareable IPC (hint: use IpcMode:shareable for the donor container)`);
  }
  return { mode: 'path', path, shm: { container: id } };
}

/** The runtime's SecurityPlan for a checked HostConfig. Throws 'conflict' when a joined container does not run. */
export function securityPlan(h: SecurityConfig, lookup: ContainerLookup): SecurityPlan {
  const opts = parseSecurityOpts(h.SecurityOpt ?? []);
  const plan: SecurityPlan = {};
  if (h.Privileged) plan.privileged = true;
  if (h.CapAdd?.length) plan.capAdd = [...h.CapAdd];
  if (h.CapDrop?.length) plan.capDrop = [...h.CapDrop];
  if (opts.noNewPrivileges) plan.noNewPrivileges = true;
  const seccomp = seccompChoice(opts.seccomp);
  if (seccomp && seccomp.mode !== 'default') plan.seccomp = seccomp;
  if (h.Devices?.length) {
    plan.devices = h.Devices.map((d) => ({
      pathOnHost: d.PathOnHost ?? '', pathInContainer: d.PathInContainer || d.PathOnHost || '', permissions: d.CgroupPermissions || 'rwm',
    }));
  }
  if (h.DeviceCgroupRules?.length) plan.deviceCgroupRules = [...h.DeviceCgroupRules];
  if (h.GroupAdd?.length) plan.groupAdd = [...h.GroupAdd];
  if (h.Sysctls && Object.keys(h.Sysctls).length > 0) plan.sysctls = { ...h.Sysctls };
  const ipc = h.IpcMode ?? '';
  if (ipc === 'host' || ipc === 'none' || ipc === 'shareable') plan.ipc = { mode: ipc };
  else if (ipc.startsWith('container:')) plan.ipc = joinIpc(ipc.slice('container:'.length), lookup);
  const pid = h.PidMode ?? '';
  if (pid === 'host') plan.pid = { mode: 'host' };
  else if (pid.startsWith('container:')) plan.pid = { mode: 'path', path: joinMode('PID', 'pid', pid.slice('container:'.length), lookup).path };
  if (h.UTSMode === 'host') plan.uts = { mode: 'host' };
  if (h.CgroupnsMode === 'private' || h.CgroupnsMode === 'host') plan.cgroup = { mode: h.CgroupnsMode };
  return plan;
}
