import { humanDuration } from '../../protocol/human.js';

/** Go's `%.{prec}g`: shortest of %e/%f at `prec` significant digits, trailing zeros removed. */
export function formatG(x: number, prec: number): string {
  if (x === 0) return '0';
  const [mant, expStr] = x.toExponential(prec - 1).split('e');
  const exp = Number(expStr);
  if (exp < -4 || exp >= prec) {
    const m = mant!.includes('.') ? mant!.replace(/\.?0+$/, '') : mant!;
    const e = Math.abs(exp);
    return `${m}e${exp < 0 ? '-' : '+'}${e < 10 ? `0${e}` : e}`;
  }
  const fixed = x.toFixed(Math.max(0, prec - 1 - exp));
  return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];

/** go-units HumanSizeWithPrecision: decimal units, e.g. `4.26MB` at precision 3. */
export function humanSize(size: number, precision = 3): string {
  let s = size;
  let i = 0;
  while (s >= 1000 && i < DECIMAL_UNITS.length - 1) {
    s /= 1000;
    i++;
  }
  return `${formatG(s, precision)}${DECIMAL_UNITS[i]}`;
}

/** "2 minutes ago" for a unix time in seconds (docker's CREATED columns). */
export function ago(unixSeconds: number, now = Date.now()): string {
  return `${humanDuration(now - unixSeconds * 1000)} ago`;
}

/** "5 minutes" between now and an RFC 3339 time. */
export function since(iso: string, now = Date.now()): string {
  return humanDuration(now - Date.parse(iso));
}

/** Truncates to `max` display characters, ending with `…` (docker's formatter.Ellipsis). */
export function ellipsis(s: string, max: number): string {
  const chars = [...s];
  if (chars.length <= max) return s;
  if (max <= 0) return '';
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** The 12-digit short id (strips `sha256:`). */
export function shortId(id: string): string {
  const hex = id.startsWith('sha256:') ? id.slice(7) : id;
  return hex.slice(0, 12);
}

/** Go's strconv.Quote for the common cases (ASCII control bytes escaped, unicode kept). */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** RFC 3339 with zone as Go prints `time.Time.String()`-ish for CreatedAt columns: `2006-01-02 15:04:05 -0700 MST`. */
export function goTimeString(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const sign = off >= 0 ? '+' : '-';
  const zone = `${sign}${p(Math.floor(Math.abs(off) / 60))}${p(Math.abs(off) % 60)}`;
  const name = off === 0 ? 'UTC' : zone;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${zone} ${name}`;
}

/** Go's time.RFC3339 in local time: `2006-01-02T15:04:05Z` or `…+02:00`. */
export function rfc3339(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  const p = (n: number): string => String(n).padStart(2, '0');
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}${zone}`;
}
