/**
 * berthd configuration: defaults ← daemon.json ← flags, merged once. Flags follow dockerd's.
 */
import { readFileSync } from 'node:fs';
import { isLogLevel, type LogLevel } from '../core/index.js';
import { parseDetachKeys } from '../engine/index.js';

export interface DaemonConfig {
  hosts: string[];
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  logLevel: LogLevel;
  configFile: string;
  /** `auto`: crun when it can run on this host, else runc. */
  defaultRuntime: 'auto' | 'runc' | 'crun';
  logOpts: Record<string, string>;
  /** daemon.json `detach-keys`: default detach sequence for TTY attach and exec. */
  detachKeys: string;
  /** Registries reached over plain HTTP (daemon.json `insecure-registries`); loopback always is. */
  insecureRegistries: string[];
  /** Mirrors for docker.io (daemon.json `registry-mirrors`). */
  registryMirrors: string[];
  /** The default network's bridge interface (`-b/--bridge`); 'none' disables the default network. */
  bridge: string;
  /** The default bridge's gateway address and prefix (`--bip`); picked from the pools if empty. */
  bip: string;
  /** MTU of the default bridge (`--mtu`); 0 = the kernel's default. */
  mtu: number;
  /** Pools for networks created without --subnet (`default-address-pools`). */
  defaultAddressPools: Array<{ base: string; size: number }>;
  /** TLS for tcp:// hosts (`--tls`, `--tlsverify`; the latter implies the former). */
  tls: boolean;
  /** Require and verify client certificates against `tlsCaCert`. */
  tlsVerify: boolean;
  tlsCaCert: string;
  tlsCert: string;
  tlsKey: string;
}

export const DEFAULTS: DaemonConfig = {
  hosts: ['unix:///run/berth/berth.sock'],
  dataRoot: '/var/lib/berth',
  execRoot: '/run/berth',
  pidfile: '/run/berth/berthd.pid',
  logLevel: 'info',
  configFile: '/etc/berth/daemon.json',
  defaultRuntime: 'auto',
  logOpts: {},
  detachKeys: '',
  insecureRegistries: [],
  registryMirrors: [],
  bridge: 'berth0',
  bip: '',
  mtu: 0,
  defaultAddressPools: [],
  tls: false,
  tlsVerify: false,
  tlsCaCert: '',
  tlsCert: '',
  tlsKey: '',
};

export const USAGE = `Usage:	berthd [OPTIONS]

A Docker-compatible container engine daemon

Options:
      --config-file string      Daemon configuration file (default "/etc/berth/daemon.json")
      --data-root string        Root directory of persistent berth state (default "/var/lib/berth")
      --default-runtime string  Default OCI runtime for containers: runc, crun or auto (default "auto": crun where it runs, else runc)
      --exec-root string        Root directory for execution state files (default "/run/berth")
  -b, --bridge string           Bridge interface of the default network, "none" to disable it (default "berth0")
      --bip string              Gateway address and prefix of the default bridge network (e.g. 172.17.0.1/16)
      --default-address-pool    Default address pools for new networks (base=CIDR,size=N)
  -H, --host list               Daemon socket(s) to listen on: unix:///path or tcp://ADDR:PORT (default unix:///run/berth/berth.sock)
  -l, --log-level string        Set the logging level ("debug"|"info"|"warn"|"error"|"fatal") (default "info")
  -p, --pidfile string          Path to use for daemon PID file (default "/run/berth/berthd.pid")
      --insecure-registry list  Enable insecure registry communication (loopback always is)
      --registry-mirror list    Preferred registry mirror for docker.io
      --mtu int                 MTU of the default bridge network
      --tls                     Use TLS for tcp:// hosts; implied by --tlsverify
      --tlscacert string        Trust certs signed only by this CA
      --tlscert string          Path to TLS certificate file
      --tlskey string           Path to TLS key file
      --tlsverify               Use TLS and verify the remote (client certificates)
  -v, --version                 Print version information and quit
`;

export class ConfigError extends Error {}

interface Flags {
  hosts?: string[];
  dataRoot?: string;
  execRoot?: string;
  pidfile?: string;
  logLevel?: string;
  configFile?: string;
  defaultRuntime?: string;
  insecureRegistries?: string[];
  registryMirrors?: string[];
  bridge?: string;
  bip?: string;
  mtu?: string;
  pools?: string[];
  tls?: boolean;
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
  help?: boolean;
  version?: boolean;
}

const VALUE_FLAGS: Record<string, keyof Flags> = {
  '-H': 'hosts', '--host': 'hosts', '--data-root': 'dataRoot', '--exec-root': 'execRoot',
  '-p': 'pidfile', '--pidfile': 'pidfile', '-l': 'logLevel', '--log-level': 'logLevel',
  '--config-file': 'configFile', '--default-runtime': 'defaultRuntime',
  '--insecure-registry': 'insecureRegistries', '--registry-mirror': 'registryMirrors',
  '-b': 'bridge', '--bridge': 'bridge', '--bip': 'bip', '--mtu': 'mtu', '--default-address-pool': 'pools',
  '--tlscacert': 'tlsCaCert', '--tlscert': 'tlsCert', '--tlskey': 'tlsKey',
};

/** Boolean flags, `--flag` or `--flag=true|false`. */
const BOOL_FLAGS: Record<string, 'tls' | 'tlsVerify'> = { '--tls': 'tls', '--tlsverify': 'tlsVerify' };

function parseBoolFlag(arg: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw new ConfigError(`invalid argument "${value}" for "${arg}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

export function parseFlags(argv: string[]): Flags {
  const f: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i]!;
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('-') && eq !== -1) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (arg === '-h' || arg === '--help') f.help = true;
    else if (arg === '-v' || arg === '--version') f.version = true;
    else if (arg in BOOL_FLAGS) f[BOOL_FLAGS[arg]!] = parseBoolFlag(arg, value);
    else if (arg in VALUE_FLAGS) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new ConfigError(`flag needs an argument: ${arg}`);
      }
      const key = VALUE_FLAGS[arg]!;
      if (key === 'hosts' || key === 'insecureRegistries' || key === 'registryMirrors' || key === 'pools') (f[key] ??= []).push(value);
      else (f as Record<string, unknown>)[key] = value;
    } else throw new ConfigError(`unknown flag: ${arg}`);
  }
  return f;
}

function fromFile(path: string, explicit: boolean): Partial<DaemonConfig> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError(`unable to read config file ${path}: ${(err as Error).message}`);
  }
  let j: Record<string, unknown>;
  try {
    j = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`unable to parse config file ${path}: ${(err as Error).message}`);
  }
  const out: Partial<DaemonConfig> = {};
  const str = (k: string): string | undefined => {
    const v = j[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw new ConfigError(`invalid value for "${k}" in ${path}: expected a string`);
    return v;
  };
  if (j.hosts !== undefined) {
    if (!Array.isArray(j.hosts) || !j.hosts.every((h) => typeof h === 'string')) throw new ConfigError(`invalid value for "hosts" in ${path}`);
    out.hosts = j.hosts as string[];
  }
  const dr = str('data-root'); if (dr) out.dataRoot = dr;
  const er = str('exec-root'); if (er) out.execRoot = er;
  const pf = str('pidfile'); if (pf) out.pidfile = pf;
  const ll = str('log-level'); if (ll) out.logLevel = ll as LogLevel;
  const rt = str('default-runtime'); if (rt) out.defaultRuntime = rt as DaemonConfig['defaultRuntime'];
  const dk = str('detach-keys'); if (dk) out.detachKeys = dk;
  for (const [key, field] of [['insecure-registries', 'insecureRegistries'], ['registry-mirrors', 'registryMirrors']] as const) {
    const v = j[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new ConfigError(`invalid value for "${key}" in ${path}: expected a list of strings`);
    out[field] = v as string[];
  }
  for (const [key, field] of [['tls', 'tls'], ['tlsverify', 'tlsVerify']] as const) {
    const v = j[key];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') throw new ConfigError(`invalid value for "${key}" in ${path}: expected true or false`);
    out[field] = v;
  }
  const ca = str('tlscacert'); if (ca) out.tlsCaCert = ca;
  const cert = str('tlscert'); if (cert) out.tlsCert = cert;
  const key = str('tlskey'); if (key) out.tlsKey = key;
  const br = str('bridge'); if (br) out.bridge = br;
  const bip = str('bip'); if (bip) out.bip = bip;
  if (j.mtu !== undefined) {
    if (typeof j.mtu !== 'number') throw new ConfigError(`invalid value for "mtu" in ${path}: expected a number`);
    out.mtu = j.mtu;
  }
  if (j['default-address-pools'] !== undefined) {
    const v = j['default-address-pools'];
    if (!Array.isArray(v) || !v.every((p) => typeof p === 'object' && p !== null && typeof (p as { base?: unknown }).base === 'string' && typeof (p as { size?: unknown }).size === 'number')) {
      throw new ConfigError(`invalid value for "default-address-pools" in ${path}: expected a list of {"base": CIDR, "size": N}`);
    }
    out.defaultAddressPools = v as Array<{ base: string; size: number }>;
  }
  if (j['log-opts'] !== undefined) {
    const lo = j['log-opts'];
    if (typeof lo !== 'object' || lo === null || Object.values(lo).some((v) => typeof v !== 'string')) {
      throw new ConfigError(`invalid value for "log-opts" in ${path}: expected an object of strings`);
    }
    out.logOpts = lo as Record<string, string>;
  }
  return out;
}

/** `--default-address-pool base=10.10.0.0/16,size=24` */
function parsePoolFlag(v: string): { base: string; size: number } {
  const kv = Object.fromEntries(v.split(',').map((p) => p.split('=', 2) as [string, string]));
  const size = Number(kv.size);
  if (!kv.base || !Number.isInteger(size)) throw new ConfigError(`invalid --default-address-pool "${v}": use base=CIDR,size=N`);
  return { base: kv.base, size };
}

/** A parsed -H value. */
export type ListenAddress = { kind: 'unix'; path: string } | { kind: 'tcp'; host: string; port: number };

/** True for 127.0.0.0/8, ::1 and localhost. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/**
 * Parses `unix:///path` or `tcp://ADDR:PORT` (`[v6]:PORT`; no port: 2376 with TLS, else 2375,
 * as dockerd). Throws ConfigError.
 */
export function parseListenAddress(h: string, tls: boolean): ListenAddress {
  if (h.startsWith('unix://')) {
    const path = h.slice('unix://'.length);
    if (!path.startsWith('/')) throw new ConfigError(`invalid host ${h}: unix socket path must be absolute`);
    return { kind: 'unix', path };
  }
  if (!h.startsWith('tcp://')) throw new ConfigError(`invalid host ${h}: berthd listens on unix:// sockets and tcp://ADDR:PORT`);
  const rest = h.slice('tcp://'.length).replace(/\/$/, '');
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:/[\]]*))(?::(\d+))?$/.exec(rest);
  if (!m) throw new ConfigError(`invalid host ${h}: use tcp://ADDR:PORT`);
  const port = m[3] === undefined ? (tls ? 2376 : 2375) : Number(m[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ConfigError(`invalid host ${h}: invalid port`);
  return { kind: 'tcp', host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** TLS files are required with TLS; plain TCP only on loopback. */
function checkListeners(c: DaemonConfig): void {
  if (c.tlsVerify) c.tls = true;
  const tcp = c.hosts.map((h) => parseListenAddress(h, c.tls)).filter((a) => a.kind === 'tcp');
  if (c.tls) {
    if (!c.tlsCert || !c.tlsKey) throw new ConfigError('--tls requires --tlscert and --tlskey');
    if (c.tlsVerify && !c.tlsCaCert) throw new ConfigError('--tlsverify requires --tlscacert');
    return;
  }
  for (const a of tcp) {
    if (a.kind === 'tcp' && !isLoopback(a.host)) {
      throw new ConfigError(`refusing to listen on tcp://${a.host}:${a.port} without TLS: anyone who can reach it gets root on this host; use --tlsverify with --tlscacert, --tlscert and --tlskey, or a loopback address`);
    }
  }
}

/** Merges defaults, daemon.json and flags. Throws ConfigError with a message for the user. */
export function loadConfig(argv: string[]): { config: DaemonConfig; help: boolean; version: boolean } {
  const flags = parseFlags(argv);
  const configFile = flags.configFile ?? DEFAULTS.configFile;
  const file = fromFile(configFile, flags.configFile !== undefined);
  const merged: DaemonConfig = { ...DEFAULTS, ...file, configFile };
  if (flags.hosts) merged.hosts = flags.hosts;
  if (flags.dataRoot) merged.dataRoot = flags.dataRoot;
  if (flags.execRoot) {
    merged.execRoot = flags.execRoot;
    if (!flags.pidfile && !file.pidfile) merged.pidfile = `${flags.execRoot}/berthd.pid`;
  }
  if (flags.pidfile) merged.pidfile = flags.pidfile;
  if (flags.logLevel) merged.logLevel = flags.logLevel as LogLevel;
  if (flags.insecureRegistries) merged.insecureRegistries = [...merged.insecureRegistries, ...flags.insecureRegistries];
  if (flags.registryMirrors) merged.registryMirrors = [...merged.registryMirrors, ...flags.registryMirrors];
  if (flags.defaultRuntime) merged.defaultRuntime = flags.defaultRuntime as DaemonConfig['defaultRuntime'];
  if (flags.bridge) merged.bridge = flags.bridge;
  if (flags.bip) merged.bip = flags.bip;
  if (flags.mtu) {
    merged.mtu = Number(flags.mtu);
    if (!Number.isInteger(merged.mtu) || merged.mtu < 68) throw new ConfigError(`invalid MTU: ${flags.mtu}`);
  }
  if (flags.pools) merged.defaultAddressPools = flags.pools.map(parsePoolFlag);
  if (merged.bridge !== 'none' && (merged.bridge.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(merged.bridge))) {
    throw new ConfigError(`invalid bridge name "${merged.bridge}": at most 15 letters, digits, '_', '.' or '-'`);
  }
  if (merged.bip && !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(merged.bip)) {
    throw new ConfigError(`invalid --bip "${merged.bip}": use an address with its prefix, such as 172.17.0.1/16`);
  }
  if (!isLogLevel(merged.logLevel)) throw new ConfigError(`unable to parse logging level: ${merged.logLevel}`);
  if (merged.defaultRuntime !== 'runc' && merged.defaultRuntime !== 'crun' && merged.defaultRuntime !== 'auto') {
    throw new ConfigError(`unknown runtime "${merged.defaultRuntime}": berth supports runc, crun and auto`);
  }
  if (merged.detachKeys) {
    try {
      parseDetachKeys(merged.detachKeys);
    } catch {
      throw new ConfigError(`invalid "detach-keys" (${merged.detachKeys}): use a comma-separated list of letters or ctrl-<key>, such as ctrl-p,ctrl-q`);
    }
  }
  if (flags.tls !== undefined) merged.tls = flags.tls;
  if (flags.tlsVerify !== undefined) merged.tlsVerify = flags.tlsVerify;
  if (flags.tlsCaCert) merged.tlsCaCert = flags.tlsCaCert;
  if (flags.tlsCert) merged.tlsCert = flags.tlsCert;
  if (flags.tlsKey) merged.tlsKey = flags.tlsKey;
  checkListeners(merged);
  return { config: merged, help: flags.help ?? false, version: flags.version ?? false };
}
