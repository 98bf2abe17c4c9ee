/**
 * Builds a container's OCI config.json from its plan with Docker's defaults (moby
 * oci/defaults.go + daemon/oci_linux.go). Pure: no I/O.
 */
import { posix } from 'node:path';
import type { ContainerPlan, MountRequest } from './types.js';
import type { OciDevice, OciDeviceRule, OciMount, OciProcess, OciSeccomp, OciSpec } from './oci-types.js';
import type { ResolvedUser } from './user.js';
import { withHome } from './user.js';
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_TMPFS_OPTIONS,
  INIT_PATH_IN_CONTAINER,
  MASKED_PATHS,
  READONLY_PATHS,
  defaultDeviceRules,
  defaultMounts,
} from './defaults.js';

/** Annotation keeping the container's `-u` value (exec's default user). */
export const USER_ANNOTATION = 'io.berth.user';

export interface SpecOptions {
  user: ResolvedUser;
  /** cgroup parent; the container's cgroup is <parent>/<id>. Default /berth. */
  cgroupParent?: string;
  /** Host path of tini/catatonit, required when plan.init. */
  initPath?: string;
  /** Seccomp filter; omitted = unconfined. */
  seccomp?: OciSeccomp;
  /** The process's capabilities; default Docker's (see security.ts resolveSecurity). */
  capabilities?: string[];
  /** Device nodes (--device, --privileged). */
  devices?: OciDevice[];
  /** Cgroup device rules after Docker's defaults; with plan.security.privileged they replace them. */
  deviceRules?: OciDeviceRule[];
  /** --group-add gids, after the user's own groups. */
  groupAdd?: number[];
  /** A host directory to bind at /dev/shm (--ipc shareable, or the one of a joined namespace). */
  shmSource?: string;
}

/** Annotation keeping the container's --group-add values (exec applies them too). */
export const GROUP_ADD_ANNOTATION = 'io.berth.group-add';

/** The process section shared by create and exec. */
export function buildProcess(
  p: { args: string[]; env: string[]; cwd: string; tty: boolean; consoleSize?: [number, number] },
  user: ResolvedUser,
  capabilities: readonly string[] = DEFAULT_CAPABILITIES,
): OciProcess {
  const caps = [...capabilities];
  return {
    terminal: p.tty,
    ...(p.consoleSize ? { consoleSize: { height: p.consoleSize[0], width: p.consoleSize[1] } } : {}),
    user: {
      uid: user.uid,
      gid: user.gid,
      ...(user.additionalGids.length > 0 ? { additionalGids: user.additionalGids } : {}),
    },
    args: p.args,
    env: withHome(p.env, user.home),
    cwd: p.cwd === '' ? '/' : p.cwd,
    capabilities: { bounding: caps, effective: [...caps], permitted: [...caps] },
    noNewPrivileges: false,
    oomScoreAdj: 0,
  };
}

function depth(p: string): number {
  return posix.normalize(p).split('/').filter((s) => s !== '').length;
}

/** Docker's tmpfs options: noexec,nosuid,nodev unless the user says exec/suid/dev. */
export function tmpfsOptions(user: string[]): string[] {
  const opposite: Record<string, string> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev' };
  const dropped = new Set(user.map((o) => opposite[o]).filter((o): o is string => o !== undefined));
  const defaults = DEFAULT_TMPFS_OPTIONS.filter((o) => !dropped.has(o) && !user.includes(o));
  return [...defaults, ...user];
}

function userMount(m: MountRequest): OciMount {
  if (m.type === 'tmpfs') {
    return { destination: m.destination, type: 'tmpfs', source: 'tmpfs', options: tmpfsOptions(m.options) };
  }
  const options = ['rbind', m.readonly ? 'ro' : 'rw', m.propagation ?? 'rprivate'];
  return { destination: m.destination, type: 'bind', source: m.source, options };
}

function etcMount(source: string, destination: string, readonly: boolean): OciMount {
  return { destination, type: 'bind', source, options: ['rbind', 'rprivate', readonly ? 'ro' : 'rw'] };
}

/** The default kernel mounts as the plan's privileges and IPC mode change them (moby withMounts). */
function kernelMounts(plan: ContainerPlan, shmSource?: string): OciMount[] {
  const sec = plan.security ?? {};
  const ipc = sec.ipc ?? { mode: 'private' };
  return defaultMounts().flatMap((m): OciMount[] => {
    if (sec.privileged && (m.destination === '/sys' || m.type === 'cgroup')) {
      return [{ ...m, options: (m.options ?? []).filter((o) => o !== 'ro') }];
    }
    if (m.destination !== '/dev/shm') return [m];
    if (ipc.mode === 'none') return [];
    if (ipc.mode === 'host') return [{ destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] }];
    // shareable, or joining a shareable container: the tmpfs that lives on the host
    if (shmSource !== undefined) return [{ destination: '/dev/shm', type: 'bind', source: shmSource, options: ['rbind', 'rprivate', 'nosuid', 'nodev', 'noexec'] }];
    if (plan.shmSize === undefined) return [m];
    return [{ ...m, options: (m.options ?? []).map((o) => (o.startsWith('size=') ? `size=${plan.shmSize}` : o)) }];
  });
}

/** All mounts: defaults, /etc files, --init, then the user's, sorted parents first (stable). */
export function buildMounts(plan: ContainerPlan, initPath?: string, shmSource?: string): OciMount[] {
  const user = plan.mounts.map(userMount);
  const taken = new Set(user.map((m) => posix.normalize(m.destination)));
  const etc = [
    etcMount(plan.resolvConfPath, '/etc/resolv.conf', plan.readonlyRootfs),
    etcMount(plan.hostnamePath, '/etc/hostname', plan.readonlyRootfs),
    etcMount(plan.hostsPath, '/etc/hosts', plan.readonlyRootfs),
  ];
  const init: OciMount[] =
    plan.init && initPath
      ? [{ destination: INIT_PATH_IN_CONTAINER, type: 'bind', source: initPath, options: ['bind', 'ro'] }]
      : [];
  const base = [...kernelMounts(plan, shmSource), ...etc, ...init].filter((m) => !taken.has(posix.normalize(m.destination)));
  const sortedUser = user
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i)
    .map((x) => x.m);
  return [...base, ...sortedUser];
}

/** Namespaces of a plan (moby WithNamespaces): private unless host, a path to join, or none. */
export function buildNamespaces(plan: ContainerPlan): Array<{ type: string; path?: string }> {
  const sec = plan.security ?? {};
  const out: Array<{ type: string; path?: string }> = [];
  const pid = sec.pid ?? { mode: 'private' };
  if (pid.mode === 'private') out.push({ type: 'pid' });
  else if (pid.mode === 'path') out.push({ type: 'pid', path: pid.path });
  const ipc = sec.ipc ?? { mode: 'private' };
  if (ipc.mode === 'private' || ipc.mode === 'none') out.push({ type: 'ipc' });
  else if (ipc.mode === 'path') out.push({ type: 'ipc', path: ipc.path });
  if ((sec.uts?.mode ?? 'private') === 'private') out.push({ type: 'uts' });
  out.push({ type: 'mount' });
  if (plan.network.mode === 'path') out.push({ type: 'network', path: plan.network.path });
  else if (plan.network.mode === 'none') out.push({ type: 'network' });
  if (sec.cgroup?.mode === 'private') out.push({ type: 'cgroup' });
  return out;
}

/**
 * The OCI spec for a plan. Namespaces pid, mount, uts, ipc and (unless host networking) network;
 * Docker's capabilities, masked/readonly paths, device rules and mounts, as the plan's security
 * settings change them (privileged: no masked/readonly paths, every device allowed); rlimits inherited.
 */
export function buildSpec(plan: ContainerPlan, opts: SpecOptions): OciSpec {
  if (plan.init && !opts.initPath) throw new Error('--init requested but no init binary is configured');
  const sec = plan.security ?? {};
  const args = plan.init ? [INIT_PATH_IN_CONTAINER, '--', ...plan.process.args] : plan.process.args;
  const user = opts.groupAdd?.length
    ? { ...opts.user, additionalGids: [...new Set([...opts.user.additionalGids, ...opts.groupAdd])] }
    : opts.user;
  const process = buildProcess({ ...plan.process, args }, user, opts.capabilities);
  if (sec.noNewPrivileges) process.noNewPrivileges = true;
  if (plan.rlimits?.length) process.rlimits = plan.rlimits;
  if (plan.oomScoreAdj !== undefined) process.oomScoreAdj = plan.oomScoreAdj;
  const parent = (plan.cgroupParent || opts.cgroupParent || '/berth').replace(/\/+$/, '');
  const sysctl: Record<string, string> = {
    ...(plan.network.mode === 'host'
      ? {}
      : { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' }),
    ...(sec.sysctls ?? {}),
  };
  const devices = sec.privileged ? (opts.deviceRules ?? [{ allow: true, access: 'rwm' }]) : [...defaultDeviceRules(), ...(opts.deviceRules ?? [])];
  const annotations: Record<string, string> = { ...plan.annotations, [USER_ANNOTATION]: plan.process.user };
  if (sec.groupAdd?.length) annotations[GROUP_ADD_ANNOTATION] = sec.groupAdd.join(',');
  const utsHost = sec.uts?.mode === 'host';
  return {
    ociVersion: '1.0.2',
    process,
    root: { path: 'rootfs', readonly: plan.readonlyRootfs },
    ...(utsHost ? {} : { hostname: plan.hostname }),
    ...(plan.domainname && !utsHost ? { domainname: plan.domainname } : {}),
    mounts: buildMounts(plan, opts.initPath, opts.shmSource),
    annotations,
    linux: {
      namespaces: buildNamespaces(plan),
      maskedPaths: sec.privileged ? [] : [...MASKED_PATHS],
      readonlyPaths: sec.privileged ? [] : [...READONLY_PATHS],
      cgroupsPath: `${parent.startsWith('/') ? '' : '/'}${parent}/${plan.id}`,
      resources: { devices, ...(plan.resources ?? {}) },
      sysctl,
      ...(opts.devices?.length ? { devices: opts.devices } : {}),
      ...(opts.seccomp ? { seccomp: opts.seccomp } : {}),
    },
  };
}
