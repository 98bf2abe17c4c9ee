/**
 * Published ports: Docker's PortBindings / ExposedPorts / PublishAllPorts turned into port
 * requests, and the shape NetworkSettings.Ports and the container list show them in.
 */
import { isIP } from 'node:net';
import { invalidArgument } from '../core/index.js';
import { parseIp } from './ip.js';
import type { PortMapping, PortRequest } from './types.js';

type Protocol = PortRequest['protocol'];

/** Parses a `80/tcp` key; throws invalid-argument for a bad one. */
export function parsePortKey(key: string): { port: number; protocol: Protocol } {
  const [p, proto = 'tcp', ...rest] = key.split('/');
  const port = /^\d{1,5}$/.test(p ?? '') ? Number(p) : NaN;
  if (rest.length > 0 || !(port >= 1 && port <= 65535)) throw invalidArgument(`invalid port specification: "${key}"`);
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw invalidArgument(`invalid proto: ${proto}`);
  return { port, protocol: proto };
}

function parseHostPort(s: string, key: string): { start: number; end?: number } {
  if (s === '') return { start: 0 };
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
  const start = Number(m?.[1]);
  const end = m?.[2] !== undefined ? Number(m[2]) : undefined;
  if (!m || start < 1 || start > 65535 || (end !== undefined && (end < start || end > 65535))) {
    throw invalidArgument(`invalid port specification: "${s}" for ${key}`);
  }
  return end !== undefined && end !== start ? { start, end } : { start };
}

/**
 * The ports to publish: every PortBindings entry, and with PublishAllPorts every exposed port
 * without a binding on a random host port.
 */
export function portRequests(opts: {
  bindings: Record<string, ReadonlyArray<{ HostIp?: string; HostPort?: string }> | null> | null | undefined;
  exposed: Record<string, unknown> | null | undefined;
  publishAll: boolean;
}): PortRequest[] {
  const out: PortRequest[] = [];
  const bound = new Set<string>();
  for (const [key, list] of Object.entries(opts.bindings ?? {})) {
    const { port, protocol } = parsePortKey(key);
    // an empty binding list publishes nothing itself; with -P the port gets a random one
    if (list && list.length > 0) bound.add(`${port}/${protocol}`);
    for (const b of list ?? []) {
      const hostIp = b.HostIp ?? '';
      if (hostIp !== '' && hostIp !== '0.0.0.0' && parseIp(hostIp) === undefined && isIP(hostIp) !== 6) {
        throw invalidArgument(`invalid host IP address: ${hostIp}`);
      }
      const hp = parseHostPort(b.HostPort ?? '', key);
      out.push({
        containerPort: port, protocol, hostIp: hostIp === '0.0.0.0' ? '' : hostIp, hostPort: hp.start,
        ...(hp.end !== undefined ? { hostPortEnd: hp.end } : {}),
      });
    }
  }
  if (opts.publishAll) {
    for (const key of Object.keys(opts.exposed ?? {})) {
      const { port, protocol } = parsePortKey(key);
      if (!bound.has(`${port}/${protocol}`)) out.push({ containerPort: port, protocol, hostIp: '', hostPort: 0 });
    }
  }
  return out;
}

export type PortsView = Record<string, Array<{ HostIp: string; HostPort: string }> | null>;

/** NetworkSettings.Ports: every exposed port (null when not published) and every published one. */
export function portsView(exposed: Record<string, unknown> | null | undefined, mappings: readonly PortMapping[]): PortsView {
  const view: PortsView = {};
  for (const key of Object.keys(exposed ?? {})) view[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const m of mappings) {
    const key = `${m.containerPort}/${m.protocol}`;
    (view[key] ??= []).push({ HostIp: m.hostIp || '0.0.0.0', HostPort: String(m.hostPort) });
  }
  return view;
}

/** The container list's Ports array. */
export function portsSummary(
  exposed: Record<string, unknown> | null | undefined,
  mappings: readonly PortMapping[],
): Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> {
  const out: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> = [];
  const published = new Set<string>();
  for (const m of mappings) {
    published.add(`${m.containerPort}/${m.protocol}`);
    out.push({ IP: m.hostIp || '0.0.0.0', PrivatePort: m.containerPort, PublicPort: m.hostPort, Type: m.protocol });
  }
  for (const key of Object.keys(exposed ?? {})) {
    try {
      const { port, protocol } = parsePortKey(key);
      if (!published.has(`${port}/${protocol}`)) out.push({ PrivatePort: port, Type: protocol });
    } catch {
      // an exposed key the image got wrong: not shown
    }
  }
  return out;
}
