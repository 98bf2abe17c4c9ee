/**
 * Resource options of `run`/`create`/`update` as docker/cli 28 parses them: opts.NanoCPUs,
 * go-units ParseUlimit, opts.ParseRestartPolicy, pflag's uint16. Errors carry docker's wording;
 * the flag validators' messages become pflag's `invalid argument "v" for "--x" flag: …`.
 */
import type { RestartPolicy, Ulimit } from '../../client/index.js';
import { memSwapBytes, ramInBytes } from './units.js';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** An integer in Go's literal syntax for base 0 (`0x`, `0o`, `0b`, leading `0` octal, `_` separators). */
function goBaseZero(s: string): bigint | undefined {
  const m = /^([+-]?)(0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|0[0-7_]*|[1-9][0-9_]*)$/.exec(s);
  if (m === null || /__|_$|^[+-]?_/.test(s)) return undefined;
  let body = m[2]!.replace(/_/g, '');
  if (/^0[0-7]+$/.test(body)) body = `0o${body.slice(1)}`;
  const v = BigInt(body);
  return m[1] === '-' ? -v : v;
}

/** Go's strconv.ParseInt(s, 10, 64), as go-units and Atoi use it; throws strconv's error. */
export function parseInt64(s: string, fn = 'strconv.ParseInt'): number {
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`${fn}: parsing "${s}": invalid syntax`);
  const v = BigInt(s);
  if (v < INT64_MIN || v > INT64_MAX) throw new Error(`${fn}: parsing "${s}": value out of range`);
  return Number(v);
}

/** pflag's Uint16 (strconv.ParseUint(s, 0, 16)), e.g. `--blkio-weight`. */
export function parseUint16(s: string): number {
  const v = s.startsWith('+') || s.startsWith('-') ? undefined : goBaseZero(s);
  if (v === undefined) throw new Error(`strconv.ParseUint: parsing "${s}": invalid syntax`);
  if (v > 65535n) throw new Error(`strconv.ParseUint: parsing "${s}": value out of range`);
  return Number(v);
}

/** A rational as math/big's Rat.SetString reads it: `1.5`, `-2`, `1e-3`, `3/4`; undefined if malformed. */
function parseRat(value: string): { num: bigint; den: bigint } | undefined {
  const frac = /^([+-]?)([^/]+)\/([^/]+)$/.exec(value);
  if (frac !== null) {
    const num = goBaseZero(frac[2]!);
    const den = frac[3]!.startsWith('+') || frac[3]!.startsWith('-') ? undefined : goBaseZero(frac[3]!);
    if (num === undefined || num < 0n || den === undefined || den === 0n) return undefined;
    return { num: frac[1] === '-' ? -num : num, den };
  }
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(value);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const digits = BigInt(`${m[2]}${m[3] ?? ''}` || '0');
  const scale = (m[3] ?? '').length - Number(m[4] ?? '0');
  const signed = m[1] === '-' ? -digits : digits;
  return scale >= 0 ? { num: signed, den: 10n ** BigInt(scale) } : { num: signed * 10n ** BigInt(-scale), den: 1n };
}

/** docker's opts.ParseCPUs (`--cpus`): a decimal number of CPUs as NanoCpus. */
export function parseCpus(value: string): number {
  const r = parseRat(value);
  if (r === undefined) throw new Error(`failed to parse ${value} as a rational number`);
  const nano = r.num * 1_000_000_000n;
  if (nano % r.den !== 0n) throw new Error('value is too precise');
  return Number(nano / r.den);
}

const ULIMIT_NAMES = new Set([
  'core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime',
  'sigpending', 'stack',
]);

/** go-units ParseUlimit (`--ulimit name=soft[:hard]`; hard defaults to soft). */
export function parseUlimit(value: string): Ulimit {
  const eq = value.indexOf('=');
  if (eq < 0) throw new Error(`invalid ulimit argument: ${value}`);
  const name = value.slice(0, eq);
  if (!ULIMIT_NAMES.has(name)) throw new Error(`invalid ulimit type: ${name}`);
  const limits = value.slice(eq + 1).split(':');
  if (limits.length > 2) {
    throw new Error(`too many limit value arguments - ${value.slice(eq + 1)}, can only have up to two, \`soft[:hard]\``);
  }
  const hard = limits.length === 2 ? parseInt64(limits[1]!) : undefined;
  const soft = parseInt64(limits[0]!);
  const h = hard ?? soft;
  if (h !== -1) {
    if (soft === -1) throw new Error(`ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: ${h}`);
    if (soft > h) throw new Error(`ulimit soft limit must be less than or equal to hard limit: ${soft} > ${h}`);
  }
  return { Name: name, Soft: soft, Hard: h };
}

/** docker's UlimitOpt.GetList: the last value per name wins, sorted by name. */
export function ulimitList(values: readonly string[]): Ulimit[] {
  const byName = new Map<string, Ulimit>();
  for (const v of values) {
    const u = parseUlimit(v);
    byName.set(u.Name, u);
  }
  return [...byName.values()].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
}

/**
 * docker's opts.ParseRestartPolicy: `name[:count]`; `""` is the empty policy. The name is not
 * checked here (the daemon answers `invalid restart policy: unknown policy …`), only the format.
 */
export function parseRestartPolicy(policy: string): RestartPolicy {
  if (policy === '') return { Name: '', MaximumRetryCount: 0 };
  const colon = policy.indexOf(':');
  const name = colon < 0 ? policy : policy.slice(0, colon);
  const count = colon < 0 ? '' : policy.slice(colon + 1);
  if (colon >= 0 && name === '') throw new Error('invalid restart policy format: no policy provided before colon');
  let max = 0;
  if (count !== '') {
    try {
      max = parseInt64(count);
    } catch {
      throw new Error('invalid restart policy format: maximum retry count must be an integer');
    }
  }
  return { Name: name, MaximumRetryCount: max };
}

/* Flag validators: each checks the value as it is set (docker/cli's opts types' Set) and keeps it as given. */

/** `--memory` and the other opts.MemBytes flags. */
export function checkBytes(v: string): string {
  ramInBytes(v);
  return v;
}
/** `--memory-swap` (opts.MemSwapBytes). */
export function checkSwap(v: string): string {
  memSwapBytes(v);
  return v;
}
/** `--cpus` (opts.NanoCPUs). */
export function checkCpus(v: string): string {
  parseCpus(v);
  return v;
}
/** `--ulimit` (opts.UlimitOpt). */
export function checkUlimit(v: string): string {
  parseUlimit(v);
  return v;
}
/** pflag uint16 flags (`--blkio-weight`). */
export function checkUint16(v: string): string {
  parseUint16(v);
  return v;
}
