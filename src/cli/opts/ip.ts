/**
 * IP addresses and CIDR prefixes with Go's `net` semantics (ParseIP, ParseCIDR, IPNet.Contains,
 * IP.String), which docker/cli uses to validate `--dns`, `--add-host`, `--subnet`, `--gateway`, ….
 */

/** An address as Go's 16-byte `net.IP`; `v4` when `To4()` is non-nil (IPv4 or IPv4-mapped). */
export interface IPAddr {
  readonly bytes: Uint8Array;
  readonly v4: boolean;
}

/** A parsed CIDR: the address as written, and the network (masked) with its prefix length. */
export interface CIDR {
  readonly ip: IPAddr;
  readonly network: IPAddr;
  readonly prefix: number;
  /** 32 for `a.b.c.d/n`, 128 for IPv6 notation (also `::ffff:a.b.c.d/n`). */
  readonly bits: 32 | 128;
}

const V4_PREFIX = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff];

function parseV4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || (p.length > 1 && p.startsWith('0'))) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function parseV6(s: string): number[] | undefined {
  let head = s;
  let tail = '';
  const dc = s.indexOf('::');
  if (dc >= 0) {
    head = s.slice(0, dc);
    tail = s.slice(dc + 2);
    if (tail.includes('::')) return undefined;
  }
  const groups = (part: string, last: boolean): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const fields = part.split(':');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!;
      if (last && i === fields.length - 1 && f.includes('.')) {
        const v4 = parseV4(f);
        if (v4 === undefined) return undefined;
        out.push(v4[0]!, v4[1]!, v4[2]!, v4[3]!);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(f)) return undefined;
      const n = parseInt(f, 16);
      out.push(n >> 8, n & 0xff);
    }
    return out;
  };
  const h = groups(head, dc < 0);
  const t = groups(tail, true);
  if (h === undefined || t === undefined) return undefined;
  if (dc < 0) return h.length === 16 ? h : undefined;
  if (h.length + t.length > 14) return undefined;
  return [...h, ...new Array<number>(16 - h.length - t.length).fill(0), ...t];
}

function isV4Mapped(b: ArrayLike<number>): boolean {
  return V4_PREFIX.every((x, i) => b[i] === x);
}

/** Go's net.ParseIP: dotted IPv4 (no leading zeros) or IPv6 without zone; undefined if invalid. */
export function parseIP(s: string): IPAddr | undefined {
  if (s.includes(':')) {
    const b = parseV6(s);
    return b === undefined ? undefined : { bytes: Uint8Array.from(b), v4: isV4Mapped(b) };
  }
  const v4 = parseV4(s);
  return v4 === undefined ? undefined : { bytes: Uint8Array.from([...V4_PREFIX, ...v4]), v4: true };
}

/** Go's IP.String(): dotted quad for IPv4 (and IPv4-mapped), RFC 5952 for IPv6. */
export function formatIP(ip: IPAddr): string {
  const b = ip.bytes;
  if (ip.v4) return `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const words = Array.from({ length: 8 }, (_, i) => (b[2 * i]! << 8) | b[2 * i + 1]!);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j > i ? j : i + 1;
  }
  const hex = (ws: number[]): string => ws.map((w) => w.toString(16)).join(':');
  if (bestLen < 2) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

/** Go's net.ParseCIDR; throws `invalid CIDR address: <s>`. */
export function parseCIDR(s: string): CIDR {
  const bad = (): Error => new Error(`invalid CIDR address: ${s}`);
  const slash = s.indexOf('/');
  if (slash < 0) throw bad();
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  const ip = parseIP(addr);
  if (ip === undefined) throw bad();
  const bits = addr.includes(':') ? 128 : 32;
  if (!/^\d+$/.test(mask)) throw bad();
  const prefix = Number(mask);
  if (prefix > bits) throw bad();
  const masked = Uint8Array.from(ip.bytes);
  const first = 128 - bits;
  for (let bit = first + prefix; bit < 128; bit++) masked[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return { ip, network: { bytes: masked, v4: bits === 32 || isV4Mapped(masked) }, prefix, bits };
}

/** Go's IPNet.Contains: families must match (IPv4-mapped counts as IPv4). */
export function cidrContains(net: CIDR, ip: IPAddr): boolean {
  if (net.network.v4 !== ip.v4) return false;
  const from = net.network.v4 ? 96 : 0;
  const prefix = net.network.v4 && net.bits === 128 ? Math.max(0, net.prefix - 96) : net.prefix;
  for (let bit = from; bit < from + prefix; bit++) {
    const m = 0x80 >> (bit & 7);
    if ((net.network.bytes[bit >> 3]! & m) !== (ip.bytes[bit >> 3]! & m)) return false;
  }
  return true;
}
