/**
 * EXPOSE port specs (after expansion) → "port/proto" keys of the image config, as BuildKit's
 * convert_expose.go: `80`, `80/udp`, `8000-8010/tcp`; protocols tcp, udp, sctp (any case, stored
 * lower case); the legacy `[ip:]host:container` forms are accepted and only the container port
 * is kept.
 */
import { Problem } from './errors.js';

/** Expands EXPOSE words into sorted-as-given "port/proto" keys. Throws a Problem. */
export function parseExposedPorts(ports: readonly string[]): string[] {
  return ports.flatMap(parsePort);
}

function parsePort(raw: string): string[] {
  const [ip, hostPort, containerSpec] = splitParts(raw);
  const slash = containerSpec.indexOf('/');
  const port = slash < 0 ? containerSpec : containerSpec.slice(0, slash);
  const proto = slash < 0 ? '' : containerSpec.slice(slash + 1);
  if (port === '') throw new Problem(`invalid port: ${JSON.stringify(raw)}: no port specified`);
  const lower = proto.toLowerCase();
  if (!['', 'tcp', 'udp', 'sctp'].includes(lower)) throw new Problem(`invalid port: ${JSON.stringify(raw)}: invalid proto: ${proto}`);
  let host = ip;
  if (host.startsWith('[')) {
    if (!host.endsWith(']')) throw new Problem(`invalid IP address ${host}`);
    host = host.slice(1, -1);
  }
  if (host !== '' && !isIp(host)) throw new Problem(`invalid IP address: ${host}`);
  const range = portRange(port);
  if (!range) throw new Problem(`invalid containerPort: ${port}`);
  if (hostPort !== '') {
    const hostRange = portRange(hostPort);
    if (!hostRange) throw new Problem(`invalid hostPort: ${hostPort}`);
    if (range[1] - range[0] !== hostRange[1] - hostRange[0] && range[1] !== range[0]) {
      throw new Problem(`invalid ranges specified for container and host Ports: ${port} and ${hostPort}`);
    }
  }
  const out: string[] = [];
  for (let p = range[0]; p <= range[1]; p++) out.push(`${p}/${lower || 'tcp'}`);
  return out;
}

function splitParts(raw: string): [string, string, string] {
  const parts = raw.split(':');
  if (parts.length === 1) return ['', '', parts[0]!];
  if (parts.length === 2) return ['', parts[0]!, parts[1]!];
  const n = parts.length;
  return [parts.slice(0, n - 2).join(':'), parts[n - 2]!, parts[n - 1]!];
}

function portNumber(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number.parseInt(s, 10);
  return n < 0 || n > 65535 ? undefined : n;
}

function portRange(s: string): [number, number] | undefined {
  if (s === '') return undefined;
  const dash = s.indexOf('-');
  const start = portNumber(dash < 0 ? s : s.slice(0, dash));
  if (start === undefined) return undefined;
  if (dash < 0 || s.slice(0, dash) === s.slice(dash + 1)) return [start, start];
  const end = portNumber(s.slice(dash + 1));
  if (end === undefined || end < start) return undefined;
  return [start, end];
}

function isIp(s: string): boolean {
  if (/^(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])){3}$/.test(s)) return true;
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s);
}
