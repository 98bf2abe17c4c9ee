/**
 * Docker's default container settings (moby oci/defaults.go, oci/caps/defaults.go,
 * daemon/oci_linux.go), as data.
 */
import type { OciDeviceRule, OciMount } from './oci-types.js';

/** PATH for the helpers berthd starts (conmon, the runtime, mount, ip): the usual system dirs. */
export const CHILD_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Docker's default capability set (bounding, effective, permitted). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const MASKED_PATHS: readonly string[] = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/** The kernel filesystems every container gets. */
export function defaultMounts(): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
    },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['ro', 'nosuid', 'noexec', 'nodev'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'],
    },
  ];
}

const c = (major: number | undefined, minor: number | undefined, access = 'rwm'): OciDeviceRule => ({
  allow: true,
  type: 'c',
  ...(major === undefined ? {} : { major }),
  ...(minor === undefined ? {} : { minor }),
  access,
});

/** Docker's default device cgroup rules: deny all, then mknod anything and use the safe set. */
export function defaultDeviceRules(): OciDeviceRule[] {
  return [
    { allow: false, access: 'rwm' },
    c(undefined, undefined, 'm'),
    { allow: true, type: 'b', access: 'm' },
    c(1, 3), // null
    c(1, 8), // random
    c(1, 7), // full
    c(5, 0), // tty
    c(1, 5), // zero
    c(1, 9), // urandom
    c(136, undefined), // pts
    c(5, 2), // ptmx
    c(10, 200), // tun
  ];
}

/** The default --shm-size (64 MiB). */
export const DEFAULT_SHM_SIZE = 67108864;

/** Docker's default options for --tmpfs mounts. */
export const DEFAULT_TMPFS_OPTIONS: readonly string[] = ['noexec', 'nosuid', 'nodev'];

/** Where --init's binary appears inside the container. */
export const INIT_PATH_IN_CONTAINER = '/sbin/docker-init';
