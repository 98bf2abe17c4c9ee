/**
 * `network create` flags → POST /networks/create body, as docker/cli 28's
 * cli/command/network/create.go (createIPAMConfig) and moby's network.CreateRequest.
 */
import { cidrContains, parseCIDR, parseIP, type IPAddr } from './ip.js';
import { toLabelMap } from './kv-file.js';

/** One IPAM pool as the API takes it (api/types/network IPAMConfig). */
export interface IpamPool {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** Body of POST /networks/create (network.CreateRequest). */
export interface NetworkCreateBody {
  Name: string;
  Driver: string;
  Scope: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  IPAM: { Driver: string; Options: Record<string, string>; Config: IpamPool[] };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigOnly: boolean;
  ConfigFrom: { Network: string } | null;
  Options: Record<string, string>;
  Labels: Record<string, string>;
}

/** The IPAM part of the flags: `--subnet`, `--ip-range`, `--gateway`, `--aux-address`, `--ipam-*`. */
export interface IpamFlags {
  driver: string;
  subnets: string[];
  ipRanges: string[];
  gateways: string[];
  auxAddresses: Record<string, string>;
  driverOpts: Record<string, string>;
}

/** Everything `network create` takes, flags already split (`k=v` lists still as given). */
export interface NetworkCreateFlags {
  name: string;
  driver: string;
  opts: string[];
  labels: string[];
  internal: boolean;
  /** Only when `--ipv4`/`--ipv6` was given: docker sends the field only then. */
  ipv4?: boolean;
  ipv6?: boolean;
  attachable: boolean;
  ingress: boolean;
  scope: string;
  configOnly: boolean;
  configFrom: string;
  ipam: IpamFlags;
}

/** opts.ValidateLabel (`--label`): a non-empty key without whitespace. */
export function validateLabel(value: string): string {
  const eq = value.indexOf('=');
  const key = (eq < 0 ? value : value.slice(0, eq)).replace(/^[ \t]+/, '');
  if (key === '') throw new Error(`invalid label '${value}': empty name`);
  if (/[ \t]/.test(key)) throw new Error(`label '${key}' contains whitespaces`);
  return value;
}

/** opts.MapOpts: `k=v` (or bare `k`) entries into a map, later keys winning. */
export function mapOpts(entries: readonly string[]): Record<string, string> {
  return toLabelMap([...entries]);
}

/** subnetMatches: whether `data` (an address, or the address part of a CIDR) lies in `subnet`. */
function subnetMatches(subnet: string, data: string): boolean {
  let net;
  try {
    net = parseCIDR(subnet);
  } catch (err) {
    throw new Error(`invalid subnet: ${(err as Error).message}`);
  }
  const ip: IPAddr | undefined = data.includes('/') ? parseCIDR(data).ip : parseIP(data);
  return ip !== undefined && cidrContains(net, ip);
}

/** Assigns each range, gateway or aux address to the one subnet that contains it. */
function assign(subnets: readonly string[], value: string, onMatch: (s: string) => void, noMatch: string): void {
  let match = false;
  for (const s of subnets) {
    if (!subnetMatches(s, value)) continue;
    onMatch(s);
    match = true;
  }
  if (!match) throw new Error(`${noMatch} ${value}`);
}

/**
 * createIPAMConfig: one pool per `--subnet` (no overlaps), each `--ip-range`, `--gateway` and
 * `--aux-address` matched to its subnet. Pools keep the order of `--subnet`. Throws Error with
 * docker's wording.
 */
export function ipamConfig(o: IpamFlags): NetworkCreateBody['IPAM'] {
  if (o.subnets.length < o.ipRanges.length || o.subnets.length < o.gateways.length) {
    throw new Error('every ip-range or gateway must have a corresponding subnet');
  }
  const pools = new Map<string, { Subnet: string; IPRange?: string; Gateway?: string; aux: Record<string, string> }>();
  for (const s of o.subnets) {
    for (const k of pools.keys()) {
      if (subnetMatches(s, k) || subnetMatches(k, s)) throw new Error('multiple overlapping subnet configuration is not supported');
    }
    pools.set(s, { Subnet: s, aux: {} });
  }
  for (const r of o.ipRanges) {
    parseCIDR(r);
    assign(o.subnets, r, (s) => {
      const pool = pools.get(s)!;
      if (pool.IPRange !== undefined) throw new Error(`cannot configure multiple ranges (${r}, ${pool.IPRange}) on the same subnet (${s})`);
      pool.IPRange = r;
    }, 'no matching subnet for range');
  }
  for (const g of o.gateways) {
    assign(o.subnets, g, (s) => {
      const pool = pools.get(s)!;
      if (pool.Gateway !== undefined) throw new Error(`cannot configure multiple gateways (${g}, ${pool.Gateway}) for the same subnet (${s})`);
      pool.Gateway = g;
    }, 'no matching subnet for gateway');
  }
  for (const [key, aa] of Object.entries(o.auxAddresses)) {
    assign(o.subnets, aa, (s) => { pools.get(s)!.aux[key] = aa; }, 'no matching subnet for aux-address');
  }
  const config = [...pools.values()].map(({ aux, ...pool }): IpamPool => (Object.keys(aux).length > 0 ? { ...pool, AuxiliaryAddresses: aux } : pool));
  return { Driver: o.driver, Options: o.driverOpts, Config: config };
}

/** runCreate: the request body docker CLI 28 sends for `network create`. Throws Error on bad IPAM flags. */
export function networkCreateBody(f: NetworkCreateFlags): NetworkCreateBody {
  const ipam = ipamConfig(f.ipam);
  const body: NetworkCreateBody = {
    Name: f.name,
    Driver: f.driver,
    Scope: f.scope,
    IPAM: ipam,
    Internal: f.internal,
    Attachable: f.attachable,
    Ingress: f.ingress,
    ConfigOnly: f.configOnly,
    ConfigFrom: f.configFrom === '' ? null : { Network: f.configFrom },
    Options: mapOpts(f.opts),
    Labels: toLabelMap(f.labels),
  };
  if (f.ipv4 !== undefined) body.EnableIPv4 = f.ipv4;
  if (f.ipv6 !== undefined) body.EnableIPv6 = f.ipv6;
  return body;
}
