/**
 * Renders container records as the API shows them: ContainerInspect and ContainerSummary,
 * and Docker's `Status` strings ("Up 3 seconds", "Exited (0) 5 seconds ago").
 */
import { humanDuration } from '../protocol/index.js';
import type { ContainerInspect, ContainerSummary, MountPoint } from '../protocol/index.js';
import type { ContainerRecord, EndpointConfigRecord, MountPointRecord } from './record.js';
import { portsSummary, portsView, type Attachment, type Endpoint } from '../network/index.js';

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
    case 'running': {
      const h = s.health?.Status;
      const suffix = h === 'starting' ? ' (health: starting)' : h ? ` (${h})` : '';
      return `Up ${humanDuration(now - Date.parse(s.startedAt))}${suffix}`;
    }
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
  if (m.type === 'volume') {
    return {
      Type: 'volume', Name: m.name ?? '', Source: m.source, Destination: m.destination, Driver: m.driver ?? 'local',
      Mode: m.mode, RW: m.rw, Propagation: m.propagation,
    };
  }
  return {
    Type: m.type, Source: m.source, Destination: m.destination, Mode: m.mode, RW: m.rw, Propagation: m.propagation,
  };
}

function commandLine(rec: ContainerRecord): string {
  // moby daemon/list.go: arguments with a space are wrapped in single quotes
  if (rec.args.length === 0) return rec.path;
  return `${rec.path} ${rec.args.map((a) => (a.includes(' ') ? `'${a}'` : a)).join(' ')}`;
}

export function toSummary(rec: ContainerRecord, imageName: string, net: NetworkView): ContainerSummary {
  return {
    Id: rec.id,
    Names: [`/${rec.name}`],
    Image: imageName,
    ImageID: rec.image,
    Command: commandLine(rec),
    Created: Math.floor(Date.parse(rec.created) / 1000),
    Ports: portsSummary(rec.config.ExposedPorts, net.attachment?.ports ?? []),
    Labels: rec.config.Labels ?? {},
    State: rec.state.status,
    Status: statusString(rec),
    HostConfig: { NetworkMode: rec.hostConfig.NetworkMode || 'default' },
    NetworkSettings: { Networks: networksOf(rec, net) },
    Mounts: rec.mounts.map(mountPoint),
  };
}

/** The live part of a container's networking, as the views need it. */
export interface NetworkView {
  attachment?: Attachment;
  /** The network mode in effect ('bridge' for the default). */
  mode: string;
}

function endpointView(cfg: EndpointConfigRecord | undefined, ep: Endpoint | undefined, networkId: string): Record<string, unknown> {
  return {
    IPAMConfig: cfg?.IPAMConfig ?? null, Links: null,
    Aliases: ep && ep.aliases.length > 0 ? ep.aliases : (cfg?.Aliases ?? null), MacAddress: ep?.mac ?? '',
    DriverOpts: null, NetworkID: ep?.networkId ?? networkId, EndpointID: ep?.endpointId ?? '', Gateway: ep?.gateway ?? '',
    IPAddress: ep?.ip ?? '', IPPrefixLen: ep?.prefixLen ?? 0, IPv6Gateway: '', GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0, DNSNames: ep && ep.dnsNames.length > 0 ? ep.dnsNames : null,
  };
}

function networksOf(rec: ContainerRecord, net: NetworkView): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const configured = rec.networks ?? (net.mode.startsWith('container:') ? {} : { [net.mode]: undefined });
  for (const [name, cfg] of Object.entries(configured)) {
    const ep = net.attachment?.endpoints.find((e) => e.networkName === name || (cfg && e.networkId === cfg.NetworkID));
    out[name] = endpointView(cfg, ep, cfg?.NetworkID ?? '');
  }
  for (const ep of net.attachment?.endpoints ?? []) {
    if (!(ep.networkName in out)) out[ep.networkName] = endpointView(undefined, ep, ep.networkId);
  }
  return out;
}

function networkSettings(rec: ContainerRecord, net: NetworkView): Record<string, unknown> {
  const att = net.attachment;
  const bridge = att?.endpoints.find((e) => e.networkName === 'bridge');
  return {
    Bridge: '', SandboxID: att ? rec.id : '', SandboxKey: att?.netnsPath ?? '',
    Ports: att ? portsView(rec.config.ExposedPorts, att.ports) : {}, HairpinMode: false,
    LinkLocalIPv6Address: '', LinkLocalIPv6PrefixLen: 0, SecondaryIPAddresses: null, SecondaryIPv6Addresses: null,
    EndpointID: bridge?.endpointId ?? '', Gateway: bridge?.gateway ?? '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0,
    IPAddress: bridge?.ip ?? '', IPPrefixLen: bridge?.prefixLen ?? 0, IPv6Gateway: '', MacAddress: bridge?.mac ?? '',
    Networks: networksOf(rec, net),
  };
}

export function toInspect(rec: ContainerRecord, paths: ContainerPaths, lowerDirs: string[], execIds: string[], net: NetworkView): ContainerInspect {
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
      ...(s.health ? { Health: s.health } : {}),
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
    NetworkSettings: networkSettings(rec, net),
  };
}
