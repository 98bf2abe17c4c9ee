/**
 * Renders container records as the API shows them: ContainerInspect and ContainerSummary,
 * and Docker's `Status` strings ("Up 3 seconds", "Exited (0) 5 seconds ago").
 */
import { humanDuration } from '../protocol/index.js';
import type { ContainerInspect, ContainerSummary, MountPoint } from '../protocol/index.js';
import type { ContainerRecord, MountPointRecord } from './record.js';

export interface ContainerPaths {
  dir: string;
  logPath: string;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  upperDir: string;
  workDir: string;
  bundleDir: string;
}

export function statusString(rec: ContainerRecord, now = Date.now()): string {
  const s = rec.state;
  switch (s.status) {
    case 'running':
      return `Up ${humanDuration(now - Date.parse(s.startedAt))}`;
    case 'paused':
      return `Up ${humanDuration(now - Date.parse(s.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'exited':
      return `Exited (${s.exitCode}) ${humanDuration(now - Date.parse(s.finishedAt))} ago`;
    case 'created':
      return 'Created';
  }
}

function mountPoint(m: MountPointRecord): MountPoint {
  return {
    Type: m.type, Source: m.source, Destination: m.destination, Mode: m.mode, RW: m.rw, Propagation: m.propagation,
  };
}

function commandLine(rec: ContainerRecord): string {
  // moby daemon/list.go: arguments with a space are wrapped in single quotes
  if (rec.args.length === 0) return rec.path;
  return `${rec.path} ${rec.args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

function networkMode(rec: ContainerRecord): string {
  const m = rec.hostConfig.NetworkMode;
  return !m || m === 'default' ? 'bridge' : m;
}

export function toSummary(rec: ContainerRecord, imageName: string): ContainerSummary {
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: imageName,
    ImageID: rec.image,
    Command: commandLine(rec),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: [],
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusString(rec),
    HostConfig: { NetworkMode: networkMode(rec) },
    NetworkSettings: { Networks: networksOf(rec) },
    Mounts: rec.mounts.map(mountPoint),
  };
}

function networksOf(rec: ContainerRecord): Record<string, unknown> {
  const mode = networkMode(rec);
  return {
    [mode]: {
      IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', NetworkID: '', EndpointID: '',
      Gateway: '', IPAddress: '', IPPrefixLen: 0, IPv6Gateway: '', GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0, DriverOpts: null, DNSNames: null,
    },
  };
}

export function toInspect(rec: ContainerRecord, paths: ContainerPaths, lowerDirs: string[], execIds: string[]): ContainerInspect {
  const s = rec.state;
  return {
    Id: rec.id,
    Created: rec.created,
    Path: rec.path,
    Args: rec.args,
    State: {
      Status: s.status,
      Running: s.status === 'running' || s.status === 'paused' || s.status === 'restarting',
      Paused: s.status === 'paused',
      Restarting: s.status === 'restarting',
      OOMKilled: s.oomKilled,
      Dead: s.status === 'dead',
      Pid: s.pid,
      ExitCode: s.exitCode,
      Error: s.error,
      StartedAt: s.startedAt,
      FinishedAt: s.finishedAt,
    },
    Image: rec.image,
    ResolvConfPath: paths.resolvConfPath,
    HostnamePath: paths.hostnamePath,
    HostsPath: paths.hostsPath,
    LogPath: paths.logPath,
    Name: `/${rec.name}`,
    RestartCount: rec.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: execIds.length > 0 ? execIds : null,
    HostConfig: rec.hostConfig,
    GraphDriver: {
      Name: 'overlay2',
      Data: {
        LowerDir: lowerDirs.join(':'),
        MergedDir: `${paths.bundleDir}/rootfs`,
        UpperDir: paths.upperDir,
        WorkDir: paths.workDir,
      },
    },
    Mounts: rec.mounts.map(mountPoint),
    Config: rec.config,
    NetworkSettings: {
      Bridge: '', SandboxID: '', SandboxKey: '', Ports: {}, HairpinMode: false,
      LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
      EndpointID: '', Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, IPAddress: '', IPPrefixLen: 0,
      IPv6Gateway: '', MacAddress: '', Networks: networksOf(rec),
    },
  };
}
