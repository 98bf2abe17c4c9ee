/**
 * Go's time.ParseDuration (HEALTHCHECK intervals) and docker/go-units' RAMInBytes
 * (`--mount=type=tmpfs,size=`), which the Dockerfile syntax inherits.
 */
import { Problem } from './errors.js';

const NS_PER_UNIT: Readonly<Record<string, number>> = {
  ns: 1,
  us: 1e3,
  'µs': 1e3, // U+00B5
  'μs': 1e3, // U+03BC
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
};

/**
 * Parses a Go duration ("1m30s", "1.5h", "300ms", "0") into nanoseconds. Throws a Problem with
 * Go's messages ('time: invalid duration "x"', 'time: missing unit in duration "5"').
 */
export function parseGoDuration(text: string): number {
  const orig = text;
  const quoted = JSON.stringify(orig);
  let s = text;
  let neg = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') throw new Problem(`time: invalid duration ${quoted}`);
  let total = 0;
  while (s !== '') {
    const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s)!;
    const intPart = m[1]!;
    const fracPart = m[2];
    const pre = intPart !== '';
    const post = fracPart !== undefined && fracPart !== '';
    if (!pre && !post) throw new Problem(`time: invalid duration ${quoted}`);
    s = s.slice(m[0].length);
    const unitMatch = /^[^0-9.]+/.exec(s);
    if (!unitMatch) throw new Problem(`time: missing unit in duration ${quoted}`);
    const unit = unitMatch[0];
    const scale = NS_PER_UNIT[unit];
    if (scale === undefined) throw new Problem(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    s = s.slice(unit.length);
    const value = Number(`${intPart || '0'}.${fracPart ?? ''}0`);
    total += value * scale;
  }
  const ns = Math.round(total);
  return neg ? -ns : ns;
}

const BINARY: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * Parses a human size with binary multiples ("64m", "1.5GiB", "1024", "2 kb") into bytes.
 * Throws a Problem for anything else.
 */
export function ramInBytes(text: string): number {
  const m = /^((?:[0-9]+(?:\.[0-9]*)?)|(?:\.[0-9]+)) ?([a-zA-Z]{0,3})$/.exec(text);
  if (!m) throw new Problem(`invalid size: '${text}'`);
  const size = Number(m[1]);
  const suffix = m[2]!.toLowerCase();
  if (suffix === '' || suffix === 'b') return Math.trunc(size);
  const mul = BINARY[suffix[0]!];
  if (mul === undefined || (suffix.length === 2 && suffix[1] !== 'b') || (suffix.length === 3 && suffix.slice(1) !== 'ib')) {
    throw new Problem(`invalid suffix: '${suffix}'`);
  }
  return Math.trunc(size * mul);
}
