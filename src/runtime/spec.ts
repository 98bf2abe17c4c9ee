/**
 * Builds a container's OCI config.json from its plan with Docker's defaults (moby
 * oci/defaults.go + daemon/oci_linux.go). Pure: no I/O.
 */
import { posix } from 'node:path';
import type { ContainerPlan, MountRequest } from './types.js';
import type { OciMount, OciProcess, OciSeccomp, OciSpec } from './oci-types.js';
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
}

/** The process section shared by create and exec. */
export function buildProcess(
  p: { args: string[]; env: string[]; cwd: string; tty: boolean; consoleSize?: [number, number] },
  user: ResolvedUser,
): OciProcess {
  const caps = [...DEFAULT_CAPABILITIES];
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

/** All mounts: defaults, /etc files, --init, then the user's, sorted parents first (stable). */
export function buildMounts(plan: ContainerPlan, initPath?: string): OciMount[] {
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
  const base = [...defaultMounts(), ...etc, ...init].filter((m) => !taken.has(posix.normalize(m.destination)));
  const sortedUser = user
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.destination) - depth(b.m.destination) || a.i - b.i)
    .map((x) => x.m);
  return [...base, ...sortedUser];
}

/**
 * The OCI spec for a plan. Namespaces pid, mount, uts, ipc and (unless host networking) network;
 * Docker's capabilities, masked/readonly paths, device rules and mounts; rlimits inherited.
 */
export function buildSpec(plan: ContainerPlan, opts: SpecOptions): OciSpec {
  if (plan.init && !opts.initPath) throw new Error('--init requested but no init binary is configured');
  const args = plan.init ? [INIT_PATH_IN_CONTAINER, '--', ...plan.process.args] : plan.process.args;
  const process = buildProcess({ ...plan.process, args }, opts.user);
  if (plan.rlimits?.length) process.rlimits = plan.rlimits;
  if (plan.oomScoreAdj !== undefined) process.oomScoreAdj = plan.oomScoreAdj;
  const namespaces: Array<{ type: string; path?: string }> = [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }];
  if (plan.network.mode === 'path') namespaces.push({ type: 'network', path: plan.network.path });
  else if (plan.network.mode === 'none') namespaces.push({ type: 'network' });
  const parent = (plan.cgroupParent || opts.cgroupParent || '/berth').replace(/\/+$/, '');
  const sysctl: Record<string, string> =
    plan.network.mode === 'host'
      ? {}
      : { 'net.ipv4.ip_unprivileged_port_start': '0', 'net.ipv4.ping_group_range': '0 2147483647' };
  return {
    ociVersion: '1.0.2',
    process,
    root: { path: 'rootfs', readonly: plan.readonlyRootfs },
    hostname: plan.hostname,
    ...(plan.domainname ? { domainname: plan.domainname } : {}),
    mounts: buildMounts(plan, opts.initPath),
    annotations: { ...plan.annotations, [USER_ANNOTATION]: plan.process.user },
    linux: {
      namespaces,
      maskedPaths: [...MASKED_PATHS],
      readonlyPaths: [...READONLY_PATHS],
      cgroupsPath: `${parent.startsWith('/') ? '' : '/'}${parent}/${plan.id}`,
      resources: { devices: defaultDeviceRules(), ...(plan.resources ?? {}) },
      sysctl,
      ...(opts.seccomp ? { seccomp: opts.seccomp } : {}),
    },
  };
}
