/**
 * Networking options of `run`/`create` as docker/cli 28 parses them (opts/network.go,
 * opts/hosts.go, opts/opts.go and parseNetworkOpts in cli/command/container/opts.go).
 */
import { splitCsvLine } from '../flags.js';
import { formatIP, parseIP } from './ip.js';

/** One `--network` value: a name, or the long syntax `name=n,alias=a,ip=…,mac-address=…`. */
export interface NetworkAttachment {
  target: string;
  aliases: string[];
  links: string[];
  ipv4Address: string;
  ipv6Address: string;
  linkLocalIPs: string[];
  macAddress: string;
  driverOpts: Record<string, string>;
  gwPriority: number;
}

/** EndpointSettings as the API takes it in NetworkingConfig.EndpointsConfig and on connect. */
export interface EndpointSettings {
  IPAMConfig: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] } | null;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
}

/** The container-level flags that apply to the first `--network`. */
export interface EndpointFlags {
  aliases: string[];
  links: string[];
  ipv4Address: string;
  ipv6Address: string;
  linkLocalIPs: string[];
  macAddress: string;
}

/** Go's net.ParseMAC accepted forms: 6, 8 or 20 octets as `xx:…`, `xx-…` or `xxxx.xxxx.…`. */
export function isValidMac(s: string): boolean {
  const sizes = [6, 8, 20];
  if (s.length < 14) return false;
  if (s[2] === ':' || s[2] === '-') {
    const sep = s[2];
    if ((s.length + 1) % 3 !== 0 || !sizes.includes((s.length + 1) / 3)) return false;
    return s.split(sep).every((g) => /^[0-9a-fA-F]{2}$/.test(g));
  }
  if (s[4] === '.') {
    if ((s.length + 1) % 5 !== 0 || !sizes.includes((2 * (s.length + 1)) / 5)) return false;
    return s.split('.').every((g) => /^[0-9a-fA-F]{4}$/.test(g));
  }
  return false;
}

/** `--mac-address`: throws `<v> is not a valid mac address`. */
export function checkMac(value: string): void {
  if (!isValidMac(value.trim())) throw new Error(`${value} is not a valid mac address`);
}

/** opts.ValidateIPAddress (`--dns`): answers the address in Go's canonical form. */
export function validateIPAddress(value: string): string {
  const ip = parseIP(value.trim());
  if (ip === undefined) throw new Error(`IP address is not correctly formatted: ${value}`);
  return formatIP(ip);
}

/** opts.ValidateExtraHost (`--add-host host:ip`, `host=ip`, `[v6]`, `host-gateway`) → `host:ip`. */
export function validateExtraHost(value: string): string {
  let sep = value.indexOf('=');
  if (sep < 0) sep = value.indexOf(':');
  const host = sep < 0 ? value : value.slice(0, sep);
  let ip = sep < 0 ? '' : value.slice(sep + 1);
  if (sep < 0 || host === '' || host.includes(':')) throw new Error(`bad format for add-host: ${JSON.stringify(value)}`);
  if (ip !== 'host-gateway') {
    if (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
    if (parseIP(ip.trim()) === undefined) throw new Error(`invalid IP address in add-host: ${JSON.stringify(ip)}`);
  }
  return `${host}:${ip}`;
}

/** docker/cli's domainRegexp, kept as written (its `(:?` groups allow optional colons). */
const DOMAIN = /^(:?(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))(:?\.(:?[a-zA-Z0-9]|(:?[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])))*)\.?\s*$/;

/** opts.ValidateDNSSearch (`--dns-search`): a domain, or `.` for none. */
export function validateDNSSearch(value: string): string {
  const v = value.replace(/^ +| +$/g, '');
  if (v === '.') return v;
  const m = /[a-zA-Z]/.test(v) ? DOMAIN.exec(v) : null;
  if (m === null || m[1]!.length >= 255) throw new Error(`${v} is not a valid domain`);
  return m[1]!;
}

/** opts.ValidateLink (`--link name[:alias]`). */
export function validateLink(value: string): string {
  if (value === '') throw new Error('empty string specified for links');
  if (value.split(':').length > 2) throw new Error(`bad format for links: ${value}`);
  return value;
}

/** opts.NetworkOpt.Set: plain name, or the CSV long syntax (keys and values lower-cased, as docker does). */
export function parseNetworkOpt(value: string): NetworkAttachment {
  const n: NetworkAttachment = {
    target: '', aliases: [], links: [], ipv4Address: '', ipv6Address: '', linkLocalIPs: [], macAddress: '', driverOpts: {}, gwPriority: 0,
  };
  if (!/\w+=\w+(,\w+=\w+)*/.test(value)) {
    n.target = value;
    return n;
  }
  for (const field of splitCsvLine(value)) {
    const lower = field.toLowerCase();
    const eq = lower.indexOf('=');
    if (eq <= 0) throw new Error(`invalid field ${field}`);
    const key = lower.slice(0, eq).trim();
    const val = lower.slice(eq + 1).trim();
    switch (key) {
      case 'name': n.target = val; break;
      case 'alias': n.aliases.push(val); break;
      case 'ip': n.ipv4Address = val; break;
      case 'ip6': n.ipv6Address = val; break;
      case 'mac-address': n.macAddress = val; break;
      case 'link-local-ip': n.linkLocalIPs.push(val); break;
      case 'driver-opt': {
        const deq = val.indexOf('=');
        if (deq <= 0) throw new Error('invalid key value pair format in driver options');
        n.driverOpts[val.slice(0, deq).trim()] = val.slice(deq + 1).trim();
        break;
      }
      case 'gw-priority': {
        if (!/^[+-]?\d+$/.test(val)) throw new Error(`invalid gw-priority (${val}): invalid syntax`);
        n.gwPriority = Number(val);
        break;
      }
      default:
        throw new Error(`invalid field key ${key}`);
    }
  }
  if (n.target === '') throw new Error('network name/id is not specified');
  return n;
}

/** container.NetworkMode.IsUserDefined (Linux): not default, bridge, host, none or container:…. */
export function isUserDefined(mode: string): boolean {
  return !['default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
}

/** container.NetworkMode.NetworkName(): which EndpointsConfig key is the "main" attachment. */
function networkName(mode: string): string {
  return mode.startsWith('container:') ? 'container' : mode;
}

function applyContainerFlags(n: NetworkAttachment, f: EndpointFlags): void {
  const both = (per: boolean, flag: boolean, what: string): void => {
    if (per && flag) throw new Error(`conflicting options: cannot specify both ${what}`);
  };
  both(n.aliases.length > 0, f.aliases.length > 0, '--network-alias and per-network alias');
  both(n.links.length > 0, f.links.length > 0, '--link and per-network links');
  both(n.ipv4Address !== '', f.ipv4Address !== '', '--ip and per-network IPv4 address');
  both(n.ipv6Address !== '', f.ipv6Address !== '', '--ip6 and per-network IPv6 address');
  both(n.macAddress !== '', f.macAddress !== '', '--mac-address and per-network MAC address');
  both(n.linkLocalIPs.length > 0, f.linkLocalIPs.length > 0, '--link-local-ip and per-network link-local IP addresses');
  if (f.aliases.length > 0) n.aliases = [...f.aliases];
  if (isUserDefined(n.target) && f.links.length > 0) n.links = [...f.links];
  if (f.ipv4Address !== '') n.ipv4Address = f.ipv4Address;
  if (f.ipv6Address !== '') n.ipv6Address = f.ipv6Address;
  if (f.macAddress !== '') n.macAddress = f.macAddress;
  if (f.linkLocalIPs.length > 0) n.linkLocalIPs = [...f.linkLocalIPs];
}

/** parseNetworkAttachmentOpt: one attachment → EndpointSettings; throws Error with docker's wording. */
export function endpointSettings(n: NetworkAttachment): EndpointSettings {
  if (n.target.trim() === '') throw new Error('no name set for network');
  if (!isUserDefined(n.target)) {
    if (n.aliases.length > 0) throw new Error('network-scoped aliases are only supported for user-defined networks');
    if (n.links.length > 0) throw new Error('links are only supported for user-defined networks');
  }
  const ep: EndpointSettings = { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: n.gwPriority };
  if (n.aliases.length > 0) ep.Aliases = [...n.aliases];
  if (Object.keys(n.driverOpts).length > 0) ep.DriverOpts = { ...n.driverOpts };
  if (n.links.length > 0) ep.Links = [...n.links];
  if (n.ipv4Address !== '' || n.ipv6Address !== '' || n.linkLocalIPs.length > 0) {
    ep.IPAMConfig = {
      ...(n.ipv4Address === '' ? {} : { IPv4Address: n.ipv4Address }),
      ...(n.ipv6Address === '' ? {} : { IPv6Address: n.ipv6Address }),
      ...(n.linkLocalIPs.length === 0 ? {} : { LinkLocalIPs: [...n.linkLocalIPs] }),
    };
  }
  if (n.macAddress !== '') {
    checkMac(n.macAddress);
    ep.MacAddress = n.macAddress;
  }
  return ep;
}

function isEmpty(ep: EndpointSettings): boolean {
  return ep.IPAMConfig === null && ep.Links === null && ep.Aliases === null && ep.MacAddress === '' && ep.DriverOpts === null && ep.GwPriority === 0;
}

/** What the networking flags put into the create request. */
export interface NetworkingRequest {
  networkMode: string;
  endpoints: Record<string, EndpointSettings>;
  /** Config.MacAddress: the main endpoint's MAC, for daemons older than API 1.44. */
  macAddress: string;
}

/**
 * parseNetworkOpts: NetworkMode is the first `--network` (or `default`); container-level flags
 * (`--network-alias`, `--ip`, …) apply to it; a single network without options gets no entry,
 * while no `--network` at all sends an empty `default` entry, as docker CLI 28 does.
 */
export function networkingFromFlags(networks: NetworkAttachment[], flags: EndpointFlags): NetworkingRequest {
  const endpoints: Record<string, EndpointSettings> = {};
  if (networks.length === 0) {
    const n = parseNetworkOpt('default');
    applyContainerFlags(n, flags);
    endpoints['default'] = endpointSettings(n);
  }
  let userDefined = false;
  let other = false;
  networks.forEach((orig, i) => {
    const n = { ...orig, aliases: [...orig.aliases], links: [...orig.links], linkLocalIPs: [...orig.linkLocalIPs] };
    if (isUserDefined(n.target)) userDefined = true;
    else other = true;
    if (i === 0) applyContainerFlags(n, flags);
    const ep = endpointSettings(n);
    if (Object.hasOwn(endpoints, n.target)) throw new Error(`network ${JSON.stringify(n.target)} is specified multiple times`);
    if (i === 0 && networks.length === 1 && isEmpty(ep)) return;
    endpoints[n.target] = ep;
  });
  if (userDefined && other) throw new Error('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  const networkMode = networks[0]?.target ?? 'default';
  const main = networkName(networkMode);
  return { networkMode, endpoints, macAddress: Object.hasOwn(endpoints, main) ? endpoints[main]!.MacAddress : '' };
}
