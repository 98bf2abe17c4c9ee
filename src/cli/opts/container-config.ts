import type { Resources } from '../../client/index.js';
import type { ContainerCreateBody, HostConfig, MountSpec } from '../../protocol/types.js';
import { FlagError, type Parsed } from '../flags.js';
import { expandEnv, parseKeyValueFile, toLabelMap } from './kv-file.js';
import { parseMount, parseTmpfs, parseVolume } from './mounts.js';
import { checkMac, networkingFromFlags, parseNetworkOpt, type NetworkingRequest } from './network-opts.js';
import { parsePorts } from './ports.js';
import { parseCpus, parseRestartPolicy, parseUint16, ulimitList } from './resources.js';
import { parseGoDuration } from './timestamp.js';
import { memSwapBytes, ramInBytes } from './units.js';
import { checkNamespaceModes, normalizeCapabilities, parseDevice, parseSecurityOpts, sysctlMap } from './security.js';

/** What `create`/`run` send, plus the client-side options around it. */
export interface ContainerRequest {
  body: ContainerCreateBody;
  name?: string;
  platform?: string;
  pull: 'missing' | 'always' | 'never';
  cidfile?: string;
}

/** Error in the user's options; `run` reports it with the help hint and exits 125. */
export class OptionsError extends Error {}

function attachSet(p: Parsed): { stdin: boolean; stdout: boolean; stderr: boolean } {
  const a = p.list('attach').map((s) => s.toLowerCase());
  for (const s of a) {
    if (s !== 'stdin' && s !== 'stdout' && s !== 'stderr') throw new FlagError(`invalid argument "${s}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
  }
  const none = a.length === 0;
  return { stdin: a.includes('stdin') || p.bool('interactive'), stdout: none || a.includes('stdout'), stderr: none || a.includes('stderr') };
}

function envList(p: Parsed, env: NodeJS.ProcessEnv): string[] {
  const out: string[] = [];
  for (const f of p.list('env-file')) out.push(...parseKeyValueFile(f, (k) => env[k]));
  for (const e of p.list('env')) out.push(expandEnv(e, env));
  return out;
}

function labels(p: Parsed): Record<string, string> {
  const entries: string[] = [];
  for (const f of p.list('label-file')) entries.push(...parseKeyValueFile(f, null));
  entries.push(...p.list('label'));
  return toLabelMap(entries);
}

/**
 * `-v`, `--mount` and `--tmpfs` as docker/cli's parse: `-v` values with a source go to Binds
 * (once each, like its map), the others are anonymous volumes keyed by the whole value.
 */
function storage(p: Parsed, cwd: string): { binds: string[]; volumes: Record<string, object>; mounts: MountSpec[]; tmpfs: Record<string, string> } {
  const binds: string[] = [];
  const volumes: Record<string, object> = {};
  for (const v of new Set(p.list('volume'))) {
    const parsed = parseVolume(v, cwd);
    if (parsed.kind === 'bind') binds.push(parsed.spec);
    else volumes[parsed.target] = {};
  }
  const mounts = p.list('mount').map((m) => {
    try {
      return parseMount(m, cwd);
    } catch (err) {
      throw new FlagError(`invalid argument "${m}" for "--mount" flag: ${(err as Error).message}`);
    }
  });
  const tmpfs: Record<string, string> = {};
  for (const t of p.list('tmpfs')) {
    const [path, opts] = parseTmpfs(t);
    tmpfs[path] = opts;
  }
  return { binds, volumes, mounts, tmpfs };
}

/** `--mac-address` (checked first, as docker does), then `-p` and `--expose`; throws OptionsError. */
function ports(p: Parsed): ReturnType<typeof parsePorts> {
  const mac = p.str('mac-address') ?? '';
  try {
    if (mac !== '') checkMac(mac);
    return parsePorts(p.list('publish'), p.list('expose'));
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
}

/** `--network` and the per-endpoint flags (docker/cli parseNetworkOpts); throws OptionsError. */
function networking(p: Parsed): NetworkingRequest {
  const mac = p.str('mac-address') ?? '';
  try {
    return networkingFromFlags(p.list('network').map(parseNetworkOpt), {
      aliases: p.list('network-alias'), links: p.list('link'), ipv4Address: p.str('ip') ?? '', ipv6Address: p.str('ip6') ?? '',
      linkLocalIPs: p.list('link-local-ip'), macAddress: mac,
    });
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
}

/**
 * container.Resources as docker/cli's parse fills it for create (every field sent; KernelMemory is
 * dropped by the API client on API >= 1.42). Throws OptionsError for a swappiness out of range.
 */
export function createResources(p: Parsed): Resources {
  const swappiness = p.int('memory-swappiness') ?? -1;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) {
    throw new OptionsError(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  }
  const bytes = (name: string): number => (p.has(name) ? ramInBytes(p.str(name)!) : 0);
  return {
    CpuShares: p.int('cpu-shares') ?? 0,
    Memory: bytes('memory'),
    NanoCpus: p.has('cpus') ? parseCpus(p.str('cpus')!) : 0,
    CgroupParent: p.str('cgroup-parent') ?? '',
    BlkioWeight: p.has('blkio-weight') ? parseUint16(p.str('blkio-weight')!) : 0,
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: [],
    BlkioDeviceWriteBps: [],
    BlkioDeviceReadIOps: [],
    BlkioDeviceWriteIOps: [],
    CpuPeriod: p.int('cpu-period') ?? 0,
    CpuQuota: p.int('cpu-quota') ?? 0,
    CpuRealtimePeriod: p.int('cpu-rt-period') ?? 0,
    CpuRealtimeRuntime: p.int('cpu-rt-runtime') ?? 0,
    CpusetCpus: p.str('cpuset-cpus') ?? '',
    CpusetMems: p.str('cpuset-mems') ?? '',
    Devices: p.has('device') ? p.list('device').map(parseDevice) : null,
    DeviceCgroupRules: p.has('device-cgroup-rule') ? p.list('device-cgroup-rule') : null,
    DeviceRequests: null,
    MemoryReservation: bytes('memory-reservation'),
    MemorySwap: p.has('memory-swap') ? memSwapBytes(p.str('memory-swap')!) : 0,
    MemorySwappiness: swappiness,
    OomKillDisable: p.bool('oom-kill-disable'),
    PidsLimit: p.int('pids-limit') ?? 0,
    Ulimits: ulimitList(p.list('ulimit')),
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
  };
}

/** --health-* and --no-healthcheck as docker's parse.go turns them into Config.Healthcheck. */
function healthConfig(p: Parsed): NonNullable<ContainerCreateBody['Healthcheck']> | undefined {
  const dur = (flag: string): number => {
    const v = p.str(flag);
    if (v === undefined) return 0;
    const ns = parseGoDuration(v);
    if (ns === undefined) throw new FlagError(`invalid argument "${v}" for "--${flag}" flag: time: invalid duration "${v}"`);
    if (ns < 0) throw new FlagError(`--${flag} cannot be negative`);
    return ns;
  };
  const any = ['health-cmd', 'health-interval', 'health-retries', 'health-start-interval', 'health-start-period', 'health-timeout'].some((f) => p.has(f));
  if (p.bool('no-healthcheck')) {
    if (any) throw new FlagError('--no-healthcheck conflicts with --health-* options');
    return { Test: ['NONE'] };
  }
  if (!any) return undefined;
  const retries = p.int('health-retries') ?? 0;
  if (retries < 0) throw new FlagError('--health-retries cannot be negative');
  const cmd = p.str('health-cmd');
  return {
    ...(cmd ? { Test: ['CMD-SHELL', cmd] } : {}),
    Interval: dur('health-interval'), Timeout: dur('health-timeout'), StartPeriod: dur('health-start-period'),
    StartInterval: dur('health-start-interval'), Retries: retries,
  } as NonNullable<ContainerCreateBody['Healthcheck']>;
}

/** `--security-opt` (a seccomp file read and sent inline) and the namespace modes; throws OptionsError. */
function securityFlags(p: Parsed): { securityOpt: string[] | null } {
  try {
    checkNamespaceModes({
      ipc: p.str('ipc') ?? '', pid: p.str('pid') ?? '', uts: p.str('uts') ?? '',
      userns: p.str('userns') ?? '', cgroupns: p.str('cgroupns') ?? '',
    });
    return { securityOpt: p.has('security-opt') ? parseSecurityOpts(p.list('security-opt')) : null };
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
}

/** `--restart` (default `no`) as docker's ParseRestartPolicy; the daemon checks the name. */
function restartPolicy(p: Parsed): NonNullable<HostConfig['RestartPolicy']> {
  try {
    // the wire type's Name is docker's known modes; other names are sent for the daemon to refuse
    return parseRestartPolicy(p.str('restart') ?? 'no') as NonNullable<HostConfig['RestartPolicy']>;
  } catch (err) {
    throw new OptionsError((err as Error).message);
  }
}

/**
 * Turns parsed `create`/`run` flags, the image and the command into an API create body,
 * following docker/cli's opts.go `parse`. Throws OptionsError/Error on invalid options.
 */
export function buildContainerRequest(p: Parsed, image: string, cmd: string[], env: NodeJS.ProcessEnv, cwd: string, detach = false): ContainerRequest {
  const pull = p.str('pull') ?? 'missing';
  if (pull !== 'missing' && pull !== 'always' && pull !== 'never') {
    throw new OptionsError(`invalid pull option: '${pull}': must be one of "always", "missing" or "never"`);
  }
  const attach = attachSet(p);
  const resources = createResources(p);
  const interactive = p.bool('interactive');
  const store = storage(p, cwd);
  const net = ports(p);
  const network = networking(p);
  const entry = p.str('entrypoint');
  const logOpts = toLabelMap(p.list('log-opt'));
  const security = securityFlags(p);
  const host: HostConfig & Resources & { Sysctls?: Record<string, string>; CgroupnsMode?: string; UsernsMode?: string } = {
    ...resources,
    Binds: store.binds.length > 0 ? store.binds : null,
    ContainerIDFile: p.str('cidfile') ?? '',
    LogConfig: { Type: p.str('log-driver') ?? '', Config: logOpts },
    NetworkMode: network.networkMode,
    PortBindings: net.bindings,
    RestartPolicy: restartPolicy(p),
    AutoRemove: p.bool('rm'),
    VolumeDriver: p.str('volume-driver') ?? '',
    VolumesFrom: p.has('volumes-from') ? p.list('volumes-from') : null,
    ConsoleSize: [0, 0],
    CapAdd: normalizeCapabilities(p.has('cap-add') ? p.list('cap-add') : null),
    CapDrop: normalizeCapabilities(p.has('cap-drop') ? p.list('cap-drop') : null),
    Dns: p.list('dns'),
    DnsOptions: p.list('dns-option'),
    DnsSearch: p.list('dns-search'),
    ExtraHosts: p.has('add-host') ? p.list('add-host') : null,
    GroupAdd: p.has('group-add') ? p.list('group-add') : null,
    IpcMode: p.str('ipc') ?? '',
    Links: p.has('link') ? p.list('link') : null,
    PidMode: p.str('pid') ?? '',
    Privileged: p.bool('privileged'),
    PublishAllPorts: p.bool('publish-all'),
    ReadonlyRootfs: p.bool('read-only'),
    ...(p.has('runtime') ? { Runtime: p.str('runtime') ?? '' } : {}),
    SecurityOpt: security.securityOpt,
    UTSMode: p.str('uts') ?? '',
    ShmSize: p.has('shm-size') ? ramInBytes(p.str('shm-size')!) : 0,
    OomScoreAdj: p.int('oom-score-adj') ?? 0,
  };
  const policy = host.RestartPolicy?.Name ?? '';
  if (host.AutoRemove === true && policy !== '' && policy !== 'no') {
    throw new OptionsError('conflicting options: cannot specify both --restart and --rm');
  }
  if (Object.keys(store.tmpfs).length > 0) host.Tmpfs = store.tmpfs;
  if (store.mounts.length > 0) host.Mounts = store.mounts;
  if (p.has('init')) host.Init = p.bool('init');
  if (p.has('runtime')) host.Runtime = p.str('runtime')!;
  if (p.has('sysctl')) host.Sysctls = sysctlMap(p.list('sysctl'));
  host.CgroupnsMode = p.str('cgroupns') ?? '';
  host.UsernsMode = p.str('userns') ?? '';
  const body: ContainerCreateBody = {
    Hostname: p.str('hostname') ?? '',
    Domainname: p.str('domainname') ?? '',
    User: p.str('user') ?? '',
    AttachStdin: detach ? false : attach.stdin,
    AttachStdout: detach ? false : attach.stdout,
    AttachStderr: detach ? false : attach.stderr,
    Tty: p.bool('tty'),
    OpenStdin: interactive,
    StdinOnce: !detach && interactive && attach.stdin,
    Env: envList(p, env),
    Cmd: cmd.length > 0 ? cmd : null,
    Image: image,
    Volumes: store.volumes,
    WorkingDir: p.str('workdir') ?? '',
    Entrypoint: entry === undefined ? null : [entry],
    Labels: labels(p),
    HostConfig: host,
    NetworkingConfig: { EndpointsConfig: network.endpoints },
  };
  if (network.macAddress !== '') body.MacAddress = network.macAddress;
  if (Object.keys(net.exposed).length > 0) body.ExposedPorts = net.exposed;
  if ((body.Env ?? []).length === 0) body.Env = null;
  const health = healthConfig(p);
  if (health) body.Healthcheck = health;
  if (p.has('stop-signal')) body.StopSignal = p.str('stop-signal')!;
  if (p.has('stop-timeout')) body.StopTimeout = p.int('stop-timeout')!;
  const req: ContainerRequest = { body, pull };
  if (p.has('name')) req.name = p.str('name')!;
  if (p.has('platform')) req.platform = p.str('platform')!;
  if (p.has('cidfile')) req.cidfile = p.str('cidfile')!;
  return req;
}
