/**
 * IPv4 arithmetic for subnets, gateways and address pools. Pure; addresses are unsigned 32-bit
 * numbers inside, dotted quads at the edges.
 */
import { invalidArgument } from '../core/index.js';

/** An IPv4 network: `base` is the network address (host bits zero). */
export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

const QUAD = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted quad; undefined if it is not one. */
export function parseIp(s: string): number | undefined {
  const m = QUAD.exec(s.trim());
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const part = Number(m[i]);
    if (part > 255) return undefined;
    n = n * 256 + part;
  }
  return n;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** Number of addresses in the network. */
export function sizeOf(c: Cidr): number {
  return 2 ** (32 - c.prefix);
}

/**
 * Parses `a.b.c.d/n`. With `strict`, host bits must be zero (Docker's "invalid subnet"); without,
 * they are cleared (an address with its prefix, as `--bip` takes). Throws invalid-argument.
 */
export function parseCidr(s: string, opts: { strict?: boolean } = {}): Cidr & { address: number } {
  const [ip, len, ...rest] = s.trim().split('/');
  const address = parseIp(ip ?? '');
  const prefix = len !== undefined && /^\d{1,2}$/.test(len) ? Number(len) : NaN;
  if (address === undefined || rest.length > 0 || !(prefix >= 0 && prefix <= 32)) {
    throw invalidArgument(`invalid CIDR address: ${s}`);
  }
  const base = (address & maskOf(prefix)) >>> 0;
  if (opts.strict && base !== address) {
    throw invalidArgument(`invalid subnet ${s}: it should be ${formatIp(base)}/${prefix}`);
  }
  return { base, prefix, address };
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

export function contains(c: Cidr, ip: number): boolean {
  return ((ip & maskOf(c.prefix)) >>> 0) === c.base;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  const p = Math.min(a.prefix, b.prefix);
  return ((a.base & maskOf(p)) >>> 0) === ((b.base & maskOf(p)) >>> 0);
}

/** Docker's default address pools: 172.17-31.0.0/16, then 192.168.0.0/16 cut into /20s. */
export const DEFAULT_POOLS: ReadonlyArray<{ base: string; size: number }> = [
  { base: '172.17.0.0/16', size: 16 },
  { base: '172.18.0.0/16', size: 16 },
  { base: '172.19.0.0/16', size: 16 },
  { base: '172.20.0.0/14', size: 16 },
  { base: '172.24.0.0/14', size: 16 },
  { base: '172.28.0.0/14', size: 16 },
  { base: '192.168.0.0/16', size: 20 },
];

/**
 * The first subnet of `size` bits from the pools that overlaps none of `taken`; undefined when
 * the pools are exhausted.
 */
export function pickSubnet(pools: ReadonlyArray<{ base: string; size: number }>, taken: readonly Cidr[]): Cidr | undefined {
  for (const pool of pools) {
    const p = parseCidr(pool.base);
    if (pool.size < p.prefix || pool.size > 30) continue;
    const step = 2 ** (32 - pool.size);
    for (let base = p.base; base < p.base + sizeOf(p); base += step) {
      const cand = { base, prefix: pool.size };
      if (!taken.some((t) => overlaps(t, cand))) return cand;
    }
  }
  return undefined;
}
