/** The subset of the OCI runtime-spec config.json (v1.0.2) that berth writes. */

export interface OciUser {
  uid: number;
  gid: number;
  additionalGids?: number[];
}

export interface OciCapabilities {
  bounding: string[];
  effective: string[];
  permitted: string[];
  inheritable?: string[];
  ambient?: string[];
}

export interface OciProcess {
  terminal: boolean;
  consoleSize?: { height: number; width: number };
  user: OciUser;
  args: string[];
  env: string[];
  cwd: string;
  capabilities: OciCapabilities;
  noNewPrivileges: boolean;
  oomScoreAdj?: number;
  rlimits?: { type: string; hard: number; soft: number }[];
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface OciDeviceRule {
  allow: boolean;
  type?: 'a' | 'c' | 'b';
  major?: number;
  minor?: number;
  access: string;
}

/** linux.devices: a node runc creates in the container's /dev. */
export interface OciDevice {
  path: string;
  type: 'c' | 'b' | 'p';
  major: number;
  minor: number;
  fileMode?: number;
  uid?: number;
  gid?: number;
}

export interface OciSeccompSyscall {
  names: string[];
  action: string;
  errnoRet?: number;
  args?: { index: number; value: number; valueTwo?: number; op: string }[];
}

export interface OciSeccomp {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  syscalls?: OciSeccompSyscall[];
}

/** linux.resources (cgroup limits) beyond the device rules. */
export interface OciResources {
  memory?: { limit?: number; reservation?: number; swap?: number; disableOOMKiller?: boolean; swappiness?: number };
  cpu?: { shares?: number; quota?: number; period?: number; cpus?: string; mems?: string };
  pids?: { limit: number };
  blockIO?: { weight?: number };
}

export interface OciLinux {
  namespaces: { type: string; path?: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  cgroupsPath: string;
  resources: { devices: OciDeviceRule[] } & OciResources;
  sysctl?: Record<string, string>;
  seccomp?: OciSeccomp;
  devices?: OciDevice[];
}

export interface OciSpec {
  ociVersion: string;
  process: OciProcess;
  root: { path: string; readonly: boolean };
  hostname?: string;
  domainname?: string;
  mounts: OciMount[];
  annotations?: Record<string, string>;
  linux: OciLinux;
}
