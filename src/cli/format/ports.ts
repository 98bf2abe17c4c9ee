/**
 * Port displays: the PORTS column of `ps` (docker/cli formatter.DisplayablePorts) and the lines
 * of `port` (cli/command/container/port.go).
 */
import { naturalCompare } from './natural-sort.js';

/** One entry of ContainerSummary.Ports (GET /containers/json). */
export interface SummaryPort {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** NetworkSettings.Ports of GET /containers/{id}/json: `80/tcp` → bindings, null when only exposed. */
export type PortMap = Record<string, Array<{ HostIp?: string; HostPort?: string }> | null>;

/** Go's net.JoinHostPort: brackets around hosts that contain a colon. */
export function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function comparePorts(a: SummaryPort, b: SummaryPort): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  const ipA = a.IP ?? '';
  const ipB = b.IP ?? '';
  if (ipA !== ipB) return ipA < ipB ? -1 : 1;
  const pubA = a.PublicPort ?? 0;
  const pubB = b.PublicPort ?? 0;
  if (pubA !== pubB) return pubA - pubB;
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const parts = key.split('/');
  let type = parts[0]!;
  let ip = '';
  if (parts.length > 1) {
    ip = parts[0]!;
    type = parts[1]!;
  }
  let group = first === last ? String(first) : `${first}-${last}`;
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}

/**
 * DisplayablePorts: `0.0.0.0:8080->80/tcp, [::]:8080->80/tcp, 9000-9002/tcp`. Consecutive
 * ports with the same address and protocol (and equal public and private ports) collapse into
 * ranges; other host mappings follow, in sort order.
 */
export function displayablePorts(ports: readonly SummaryPort[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.PrivatePort;
    const ip = port.IP ?? '';
    let key = port.Type;
    if (ip !== '') {
      const pub = port.PublicPort ?? 0;
      if (pub !== current) {
        hostMappings.push(`${joinHostPort(ip, String(pub))}->${port.PrivatePort}/${port.Type}`);
        continue;
      }
      key = `${ip}/${port.Type}`;
    }
    const group = groups.get(key);
    if (group === undefined) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === group.last + 1) {
      group.last = current;
      continue;
    }
    result.push(formGroup(key, group.first, group.last));
    groups.set(key, { first: current, last: current });
  }
  for (const [key, g] of groups) result.push(formGroup(key, g.first, g.last));
  return [...result, ...hostMappings].join(', ');
}

/**
 * The lines `docker port CONTAINER [PRIVATE_PORT[/PROTO]]` prints, natural-sorted:
 * `80/tcp -> 0.0.0.0:8080` for all ports, or just `0.0.0.0:8080` for one queried port.
 * Throws Error with docker's wording for a bad PRIVATE_PORT or one that is not published.
 */
export function portLines(ports: PortMap | null | undefined, container: string, query?: string): string[] {
  const map = ports ?? {};
  const out: string[] = [];
  if (query !== undefined && query !== '') {
    const slash = query.indexOf('/');
    const port = slash < 0 ? query : query.slice(0, slash);
    const proto = slash < 0 || query.slice(slash + 1) === '' ? 'tcp' : query.slice(slash + 1);
    if (!/^\d+$/.test(port)) throw new Error(`Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: invalid syntax`);
    if (Number(port) > 65535) throw new Error(`Error: invalid port (${port}): strconv.ParseUint: parsing ${JSON.stringify(port)}: value out of range`);
    const key = `${port}/${proto}`;
    const frontends = Object.hasOwn(map, key) ? map[key] : null;
    if (frontends === null || frontends === undefined || frontends.length === 0) {
      throw new Error(`Error: No public port '${query}' published for ${container}`);
    }
    for (const f of frontends) out.push(joinHostPort(f.HostIp ?? '', f.HostPort ?? ''));
  } else {
    for (const [from, frontends] of Object.entries(map)) {
      for (const f of frontends ?? []) out.push(`${from} -> ${joinHostPort(f.HostIp ?? '', f.HostPort ?? '')}`);
    }
  }
  return out.sort(naturalCompare);
}
