/**
 * `-p/--publish` and `--expose` as docker/cli parses them (cli/command/container/opts.go with
 * go-connections v0.6 nat.ParsePortSpecs), producing Config.ExposedPorts and HostConfig.PortBindings.
 */
import { parseIP } from './ip.js';

/** One host binding of a container port, as the API's PortBinding. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** A container port (`80/tcp`) and one host binding for it. */
export interface PortMapping {
  port: string;
  binding: PortBinding;
}

/** What `-p` and `--expose` add to the create request. */
export interface PortConfig {
  exposed: Record<string, Record<string, never>>;
  bindings: Record<string, PortBinding[]>;
}

/** Go's strconv.ParseUint(s, 10, 16), with its error text. */
export function parseUint16(s: string): number {
  if (!/^\d+$/.test(s)) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: invalid syntax`);
  const n = Number(s);
  if (n > 65535) throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(s)}: value out of range`);
  return n;
}

/** nat.ParsePortRange: `80` or `8000-8010`. */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new Error('empty string specified for ports');
  if (!ports.includes('-')) {
    const n = parseUint16(ports);
    return [n, n];
  }
  const parts = ports.split('-');
  const start = parseUint16(parts[0]!);
  const end = parseUint16(parts[1]!);
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** nat.SplitProtoPort: `80/udp` → [udp, 80]; no proto means tcp; no port means both empty. */
export function splitProtoPort(raw: string): [proto: string, port: string] {
  const slash = raw.indexOf('/');
  const port = slash < 0 ? raw : raw.slice(0, slash);
  const proto = slash < 0 ? '' : raw.slice(slash + 1);
  if (port === '') return ['', ''];
  return [proto === '' ? 'tcp' : proto, port];
}

function splitParts(raw: string): [ip: string, hostPort: string, containerPort: string] {
  const parts = raw.split(':');
  const n = parts.length;
  if (n === 1) return ['', '', parts[0]!];
  if (n === 2) return ['', parts[0]!, parts[1]!];
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, parts[n - 1]!];
}

/** `[::1]` → `::1` via Go's net.SplitHostPort(ip + ":"), with its errors. */
function stripBrackets(ip: string): string {
  const fail = (why: string): Error => new Error(`invalid IP address ${ip}: address ${ip}:: ${why}`);
  const end = ip.indexOf(']');
  if (end < 0) throw fail("missing ']' in address");
  if (end !== ip.length - 1) throw fail(ip[end + 1] === ':' ? 'too many colons in address' : 'missing port in address');
  const host = ip.slice(1, end);
  if (host.includes('[')) throw fail("unexpected '[' in address");
  return host;
}

/**
 * nat.ParsePortSpec: `[ip:][hostPort:]containerPort[/proto]`, ranges on both sides, `[v6]:`;
 * one mapping per container port. Throws Error with go-connections' wording.
 */
export function parsePortSpec(raw: string): PortMapping[] {
  let [ip, hostPort, containerPort] = splitParts(raw);
  let proto: string;
  [proto, containerPort] = splitProtoPort(containerPort);
  proto = proto.toLowerCase();
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new Error(`invalid proto: ${proto}`);
  if (ip.startsWith('[')) ip = stripBrackets(ip);
  if (ip !== '' && parseIP(ip) === undefined) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${raw}<empty>`);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(containerPort);
  } catch {
    throw new Error(`invalid containerPort: ${containerPort}`);
  }
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPort !== '') {
    try {
      [hostStart, hostEnd] = parsePortRange(hostPort);
    } catch {
      throw new Error(`invalid hostPort: ${hostPort}`);
    }
    if (end - start !== hostEnd - hostStart && end !== start) {
      throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const count = end - start + 1;
  const out: PortMapping[] = [];
  for (let i = 0; i < count; i++) {
    let hPort = '';
    if (hostPort !== '') {
      hPort = String(hostStart + i);
      if (count === 1 && hostStart !== hostEnd) hPort += `-${hostEnd}`;
    }
    out.push({ port: `${start + i}/${proto}`, binding: { HostIp: ip, HostPort: hPort } });
  }
  return out;
}

/** docker/cli's convertToStandardNotation: `published=8080,target=80,protocol=udp` → `8080:80/udp`. */
export function toStandardNotation(value: string): string {
  if (!value.includes('=')) return value;
  const params: Record<string, string> = { protocol: 'tcp' };
  for (const param of value.split(',')) {
    const eq = param.indexOf('=');
    if (eq <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
    params[param.slice(0, eq)] = param.slice(eq + 1);
  }
  return `${params['published'] ?? ''}:${params['target'] ?? ''}/${params['protocol'] ?? ''}`;
}

function addExpose(out: PortConfig, e: string): void {
  if (e.includes(':')) throw new Error(`invalid port format for --expose: ${e}`);
  const [proto, port] = splitProtoPort(e);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(port);
  } catch (err) {
    throw new Error(`invalid range format for --expose: ${e}, error: ${(err as Error).message}`);
  }
  for (let i = start; i <= end; i++) out.exposed[`${i}/${proto}`] ??= {};
}

/**
 * `-p` values then `--expose` values into ExposedPorts and PortBindings, as docker/cli's parse().
 * Throws Error with docker's wording (reported as `docker: …`, exit 125).
 */
export function parsePorts(publish: readonly string[], expose: readonly string[]): PortConfig {
  const out: PortConfig = { exposed: {}, bindings: {} };
  for (const value of publish) {
    for (const m of parsePortSpec(toStandardNotation(value))) {
      out.exposed[m.port] ??= {};
      (out.bindings[m.port] ??= []).push(m.binding);
    }
  }
  for (const e of expose) addExpose(out, e);
  return out;
}
