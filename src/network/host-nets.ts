/**
 * The IPv4 networks this host already uses (interface addresses and routes), so that new
 * networks pick subnets that collide with none of them.
 */
import { readFile } from 'node:fs/promises';
import { networkInterfaces } from 'node:os';
import { parseCidr, type Cidr } from './ip.js';

/** Parses /proc/net/route: destination and mask are little-endian hex. Default routes are skipped. */
export function parseRouteTable(text: string): Cidr[] {
  const out: Cidr[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8) continue;
    const dest = leHex(f[1]!);
    const mask = leHex(f[7]!);
    if (dest === undefined || mask === undefined || mask === 0) continue;
    const prefix = 32 - Math.log2(((~mask) >>> 0) + 1);
    if (Number.isInteger(prefix)) out.push({ base: dest, prefix });
  }
  return out;
}

function leHex(s: string): number | undefined {
  if (!/^[0-9A-Fa-f]{8}$/.test(s)) return undefined;
  const n = parseInt(s, 16);
  return (((n & 255) << 24) | (((n >>> 8) & 255) << 16) | (((n >>> 16) & 255) << 8) | (n >>> 24)) >>> 0;
}

/** Subnets of the host's interfaces and routes. */
export async function hostSubnets(): Promise<Cidr[]> {
  const out: Cidr[] = [];
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) {
      if (a.family === 'IPv4' && a.cidr && !a.internal) out.push(parseCidr(a.cidr));
    }
  }
  const routes = await readFile('/proc/net/route', 'utf8').catch(() => '');
  return [...out, ...parseRouteTable(routes)];
}
