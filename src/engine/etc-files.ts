/**
 * The files a container sees at /etc/hostname, /etc/hosts and /etc/resolv.conf. They live in the
 * container's directory and are bind-mounted, as Docker does, and are written as Docker writes
 * them (moby libnetwork etchosts and resolvconf).
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface EtcFiles {
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
}

const LOCAL_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

/** Docker's fallback when the host has no usable nameserver. */
const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

export interface HostsOptions {
  hostname: string;
  domainname?: string;
  /** The container's address on its first network: gets a line with the hostname. */
  ip?: string;
  /** --add-host entries, `name:ip` (host-gateway already replaced). */
  extraHosts?: readonly string[];
}

/** The /etc/hosts content for a container with its own network namespace. */
export function hostsContent(opts: HostsOptions): string {
  const lines = [...LOCAL_HOSTS];
  for (const h of opts.extraHosts ?? []) {
    const i = h.search(/[:=]/);
    if (i > 0) lines.push(`${h.slice(i + 1)}\t${h.slice(0, i)}`);
  }
  if (opts.ip) {
    const fqdn = opts.domainname ? `${opts.hostname}.${opts.domainname}` : opts.hostname;
    const short = fqdn.split('.')[0]!;
    lines.push(`${opts.ip}\t${fqdn}${short !== fqdn ? ` ${short}` : ''}`);
  }
  return lines.join('\n') + '\n';
}

export interface ResolvOptions {
  /** --dns: replaces the host's nameservers (or, on user networks, becomes the DNS server's upstream). */
  dns?: readonly string[];
  /** --dns-search ('.' alone means none). */
  dnsSearch?: readonly string[];
  /** --dns-option */
  dnsOptions?: readonly string[];
  /** The network's DNS server (user networks): it becomes the only nameserver. */
  networkNameservers?: readonly string[];
}

/** Loopback servers do not answer inside the namespace; IPv6 ones are unreachable on IPv4-only networks. */
const UNUSABLE_NS = /^127\.|:/;

/**
 * The resolv.conf content derived from the host's: localhost nameservers dropped (they do not
 * answer inside the namespace), --dns/--dns-search/--dns-option replacing their lines.
 */
export function resolvConfContent(host: string, opts: ResolvOptions): string {
  const nameservers: string[] = [];
  let search: string[] = [];
  let options: string[] = [];
  const other: string[] = [];
  for (const raw of host.split('\n')) {
    const line = raw.trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') search = rest;
    else if (key === 'options') options.push(...rest);
    else if (line && !line.startsWith('#') && !line.startsWith(';')) other.push(line);
  }
  let ns = opts.networkNameservers?.length
    ? [...opts.networkNameservers]
    : opts.dns?.length ? [...opts.dns] : nameservers.filter((n) => !UNUSABLE_NS.test(n));
  if (ns.length === 0) ns = [...DEFAULT_NAMESERVERS];
  if (opts.dnsSearch?.length) search = opts.dnsSearch.length === 1 && opts.dnsSearch[0] === '.' ? [] : [...opts.dnsSearch];
  if (opts.dnsOptions?.length) options = [...opts.dnsOptions];
  if (opts.networkNameservers?.length && !options.some((o) => o.startsWith('ndots:'))) options = ['ndots:0', ...options];
  const lines = [
    ...(search.length ? [`search ${search.join(' ')}`] : []),
    ...ns.map((n) => `nameserver ${n}`),
    ...(options.length ? [`options ${options.join(' ')}`] : []),
    ...other,
  ];
  return lines.join('\n') + '\n';
}

export interface EtcOptions extends HostsOptions, ResolvOptions {
  domainname: string;
  /** Host networking: the host's own /etc/hosts and /etc/resolv.conf, unchanged. */
  hostNetwork: boolean;
}

/**
 * Writes the three files. They are rewritten on every start, so a plain write (no fsync) is enough;
 * synchronously, as small files on every start cost less so than the thread pool's round trips.
 */
export async function writeEtcFiles(files: EtcFiles, opts: EtcOptions): Promise<void> {
  const read = (path: string): string | undefined => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  const hostHosts = opts.hostNetwork ? read('/etc/hosts') : undefined;
  const hostResolv = read('/etc/resolv.conf') ?? '';
  const hosts = opts.hostNetwork && hostHosts !== undefined && !opts.extraHosts?.length ? hostHosts : hostsContent(opts);
  const resolv = opts.hostNetwork && !opts.dns?.length && !opts.dnsSearch?.length && !opts.dnsOptions?.length
    ? hostResolv
    : resolvConfContent(hostResolv, opts);
  writeFileSync(files.hostnamePath, `${opts.hostname}\n`);
  writeFileSync(files.hostsPath, hosts);
  writeFileSync(files.resolvConfPath, resolv);
}
