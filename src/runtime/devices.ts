/**
 * Host device nodes for `--device` and `--privileged` (moby daemon/pkg/oci/devices_linux.go,
 * containerd pkg/oci HostDevices): type, major/minor, mode and owner read from the node, and the
 * cgroup rule that lets the container use it; plus `--device-cgroup-rule` parsing.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalidArgument } from '../core/index.js';
import type { OciDevice, OciDeviceRule } from './oci-types.js';

/** One `--device` request (HostConfig.Devices). */
export interface DeviceRequest {
  pathOnHost: string;
  pathInContainer: string;
  /** Cgroup access, some of r, w, m. */
  permissions: string;
}

/** Major and minor numbers of a Linux dev_t (glibc's gnu_dev_major/minor). */
export function splitDev(rdev: bigint): { major: number; minor: number } {
  const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
  const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
  return { major: Number(major), minor: Number(minor) };
}

/** The OCI device for a node's stat, or undefined when it is no device node. */
export function deviceOfStat(path: string, st: BigIntStats): OciDevice | undefined {
  let type: OciDevice['type'];
  if (st.isCharacterDevice()) type = 'c';
  else if (st.isBlockDevice()) type = 'b';
  else if (st.isFIFO()) type = 'p';
  else return undefined;
  const { major, minor } = splitDev(st.rdev);
  return { path, type, major, minor, fileMode: Number(st.mode & 0o7777n), uid: Number(st.uid), gid: Number(st.gid) };
}

/** The cgroup rule allowing one device. */
export function deviceRule(d: OciDevice, access: string): OciDeviceRule {
  return { allow: true, type: d.type === 'b' ? 'b' : 'c', major: d.major, minor: d.minor, access };
}

async function statOrUndefined(path: string): Promise<BigIntStats | undefined> {
  return stat(path, { bigint: true }).catch(() => undefined);
}

/**
 * Devices for one `--device`: the node (symlinks followed), or every node below a directory.
 * Throws 'invalid-argument' with Docker's message when there is none.
 */
export async function devicesFromPath(req: DeviceRequest): Promise<{ devices: OciDevice[]; rules: OciDeviceRule[] }> {
  const resolved = await realpath(req.pathOnHost).catch(() => req.pathOnHost);
  const st = await statOrUndefined(resolved);
  const fail = (why: string): never => {
    throw invalidArgument(`error gathering device information while adding custom device "${req.pathOnHost}": ${why}`);
  };
  if (!st) return fail('no such file or directory');
  const one = deviceOfStat(req.pathInContainer, st);
  if (one) return { devices: [one], rules: [deviceRule(one, req.permissions)] };
  if (!st.isDirectory()) return fail('not a device node');
  const devices = (await walkDevices(resolved)).map((d) => ({ ...d, path: d.path.replace(resolved, req.pathInContainer) }));
  if (devices.length === 0) return fail('not a device node');
  return { devices, rules: devices.map((d) => deviceRule(d, req.permissions)) };
}

async function walkDevices(dir: string, skip: ReadonlySet<string> = new Set()): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (!skip.has(e.name)) out.push(...(await walkDevices(path)));
      continue;
    }
    if (e.isSymbolicLink()) continue;
    const st = await lstat(path, { bigint: true }).catch(() => undefined);
    const d = st ? deviceOfStat(path, st) : undefined;
    if (d && d.type !== 'p') out.push(d);
  }
  return out;
}

/** Directories of /dev a privileged container does not get from the host (containerd's list). */
const HOST_DEV_SKIP = new Set(['pts', 'shm', 'fd', 'mqueue', '.lxc', '.lxd-mounts', '.udev']);

/** Every device node under the host's /dev except /dev/console (a privileged container's devices). */
export async function hostDevices(root = '/dev'): Promise<OciDevice[]> {
  return (await walkDevices(root, HOST_DEV_SKIP)).filter((d) => d.path !== join(root, 'console'));
}

const CGROUP_RULE = /^([acb]) ([0-9]+|\*):([0-9]+|\*) ([rwm]{1,3})$/;

/** A `--device-cgroup-rule` such as `c 1:3 rwm`. Throws 'invalid-argument' with Docker's message. */
export function parseDeviceCgroupRule(rule: string): OciDeviceRule {
  const m = CGROUP_RULE.exec(rule);
  if (!m) throw invalidArgument(`invalid device cgroup rule format: '${rule}'`);
  const num = (s: string | undefined): number | undefined => (s === undefined || s === '*' ? undefined : Number(s));
  const major = num(m[2]);
  const minor = num(m[3]);
  return {
    allow: true,
    type: m[1] as 'a' | 'b' | 'c',
    ...(major === undefined ? {} : { major }),
    ...(minor === undefined ? {} : { minor }),
    access: m[4] ?? 'rwm',
  };
}
