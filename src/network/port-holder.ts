/**
 * Host port reservations. netavark publishes ports with DNAT rules, which never bind the port, so
 * berthd binds each published port itself, as Docker's proxy does: a port that something else
 * holds fails the start with Docker's message instead of silently shadowing it, and a random port
 * (`-p 80`) comes from the kernel's ephemeral range. Traffic the DNAT rules do not catch (nothing,
 * normally) is forwarded to the container, so a reservation never swallows a connection.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { EngineError } from '../core/index.js';
import type { PortMapping, PortRequest } from './types.js';

let ipv6: boolean | undefined;
/** True when the host has IPv6 addresses (then published ports answer on [::] too). */
function hostHasIpv6(): boolean {
  if (ipv6 === undefined) {
    try {
      ipv6 = readFileSync('/proc/net/if_inet6', 'utf8').trim().length > 0;
    } catch {
      ipv6 = false;
    }
  }
  return ipv6;
}

/** The reservations of one container. */
export interface PortHold {
  mappings: PortMapping[];
  release(): void;
}

type Handle = { close(): void };

/** The ports this daemon holds, as `proto/ip/port`: a clash with one is Docker's "already allocated". */
const allocated = new Set<string>();

const ERRNO_TEXT: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EACCES: 'permission denied',
};

function bindError(err: NodeJS.ErrnoException, r: { ip: string; port: number; proto: string }, endpoint: string): EngineError {
  const v6 = r.ip.includes(':');
  const shown = v6 ? `[${r.ip}]:${r.port}` : `${r.ip}:${r.port}`;
  const msg = allocated.has(`${r.proto}/${r.ip}/${r.port}`)
    ? `Bind for ${shown} failed: port is already allocated`
    : `Error starting userland proxy: listen ${r.proto}${v6 ? '6' : '4'} ${shown}: bind: ${ERRNO_TEXT[err.code ?? ''] ?? err.message}`;
  return new EngineError('internal', `driver failed programming external connectivity on endpoint ${endpoint}: ${msg}`);
}

function track(handle: Handle, key: string): Handle {
  allocated.add(key);
  return { close: () => { allocated.delete(key); handle.close(); } };
}

function listenTcp(ip: string, port: number, target: () => { ip: string; port: number } | undefined): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer({ pauseOnConnect: false }, (sock) => {
      const t = target();
      if (!t) return sock.destroy();
      const up = connect(t.port, t.ip);
      sock.pipe(up).pipe(sock);
      up.on('error', () => sock.destroy());
      sock.on('error', () => up.destroy());
    });
    server.once('error', reject);
    server.listen({ host: ip, port, ipv6Only: ip.includes(':') }, () => {
      server.off('error', reject);
      server.on('error', () => {});
      resolve(server);
    });
  });
}

/**
 * A UDP socket on the host port. Datagrams that reach it (IPv6 ones: the DNAT rules are IPv4) are
 * relayed to the container through one IPv4 socket per client, which carries the replies back.
 */
function bindUdp(ip: string, port: number, target: () => { ip: string; port: number } | undefined): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const v6 = ip.includes(':');
    const sock = createSocket({ type: v6 ? 'udp6' : 'udp4', ipv6Only: v6 });
    const relays = new Map<string, UdpSocket>();
    sock.on('message', (msg, from) => {
      const t = target();
      if (!t) return;
      const key = `${from.address}|${from.port}`;
      let relay = relays.get(key);
      if (!relay) {
        const r = createSocket('udp4');
        r.on('message', (reply) => sock.send(reply, from.port, from.address));
        r.on('error', () => r.close());
        r.unref();
        relays.set(key, (relay = r));
      }
      relay.send(msg, t.port, t.ip);
    });
    sock.on('close', () => {
      for (const r of relays.values()) r.close();
    });
    sock.once('error', reject);
    sock.bind({ address: ip, port }, () => {
      sock.off('error', reject);
      sock.on('error', () => {});
      resolve(sock);
    });
  });
}

async function bindOne(ip: string, port: number, protocol: PortRequest['protocol'], target: () => { ip: string; port: number } | undefined): Promise<{ handle: Handle; port: number }> {
  if (protocol === 'udp') {
    const s = await bindUdp(ip, port, target);
    return { handle: { close: () => s.close() }, port: s.address().port };
  }
  if (protocol === 'sctp') return { handle: { close: () => {} }, port };
  const s = await listenTcp(ip, port, target);
  const addr = s.address();
  return { handle: { close: () => s.close() }, port: typeof addr === 'object' && addr ? addr.port : port };
}

/**
 * Binds every requested port (one free port of a range; a kernel-chosen one for port 0) and
 * returns the mappings made. On any failure nothing stays bound and the error is Docker's
 * "driver failed programming external connectivity" one.
 */
export async function holdPorts(
  requests: readonly PortRequest[],
  opts: { containerName: string; endpointId: string; containerIp: () => string | undefined },
): Promise<PortHold> {
  const handles: Handle[] = [];
  const mappings: PortMapping[] = [];
  const release = () => {
    for (const h of handles.splice(0)) h.close();
  };
  try {
    for (const r of requests) {
      const ip = r.hostIp || '0.0.0.0';
      const target = () => {
        const cip = opts.containerIp();
        return cip ? { ip: cip, port: r.containerPort } : undefined;
      };
      const last = r.hostPortEnd ?? r.hostPort;
      let bound: { handle: Handle; port: number } | undefined;
      let lastErr: NodeJS.ErrnoException | undefined;
      for (let port = r.hostPort; port <= last && !bound; port++) {
        bound = await bindOne(ip, port, r.protocol, target).catch((err: NodeJS.ErrnoException) => {
          lastErr = err;
          return undefined;
        });
      }
      if (!bound) {
        throw bindError(lastErr ?? new Error('no free port'), { ip, port: r.hostPort, proto: r.protocol }, `${opts.containerName} (${opts.endpointId})`);
      }
      handles.push(track(bound.handle, `${r.protocol}/${ip}/${bound.port}`));
      mappings.push({ containerPort: r.containerPort, protocol: r.protocol, hostIp: r.hostIp, hostPort: bound.port });
      // "every address" includes IPv6 ones, as Docker publishes on [::] too; berthd forwards those
      if (r.hostIp === '' && r.protocol !== 'sctp' && hostHasIpv6()) {
        const v6 = await bindOne('::', bound.port, r.protocol, target).catch(() => undefined);
        if (v6) {
          handles.push(track(v6.handle, `${r.protocol}/::/${bound.port}`));
          mappings.push({ containerPort: r.containerPort, protocol: r.protocol, hostIp: '::', hostPort: bound.port });
        }
      }
    }
  } catch (err) {
    release();
    throw err;
  }
  return { mappings, release };
}

/** Binds the ports of an attachment made before a daemon restart; failures are returned, not thrown. */
export async function rehold(mappings: readonly PortMapping[], containerIp: string): Promise<{ hold: PortHold; failed: PortMapping[] }> {
  const handles: Handle[] = [];
  const failed: PortMapping[] = [];
  for (const m of mappings) {
    const b = await bindOne(m.hostIp || '0.0.0.0', m.hostPort, m.protocol, () => ({ ip: containerIp, port: m.containerPort }))
      .catch(() => undefined);
    if (b) handles.push(track(b.handle, `${m.protocol}/${m.hostIp || '0.0.0.0'}/${m.hostPort}`));
    else failed.push(m);
  }
  return { hold: { mappings: [...mappings], release: () => handles.splice(0).forEach((h) => h.close()) }, failed };
}
