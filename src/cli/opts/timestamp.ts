/**
 * moby's api/types/time.GetTimestamp, which docker's client applies to `--since`/`--until` of
 * `events` (and `logs`): Go durations are relative to now, RFC 3339-like times (local time zone when
 * none is given) become `sec.nanosec`, unix timestamps pass through. Errors use Go's wording.
 */

const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** Go's time.ParseDuration, in nanoseconds; undefined when `s` is not a duration. */
export function parseGoDuration(s: string): number | undefined {
  let rest = s;
  let neg = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    neg = rest[0] === '-';
    rest = rest.slice(1);
  }
  if (rest === '0') return 0;
  if (rest === '') return undefined;
  let total = 0;
  while (rest !== '') {
    const m = /^(\d*)(?:\.(\d*))?([^\d.]+)/.exec(rest);
    if (m === null || (m[1] === '' && (m[2] ?? '') === '')) return undefined;
    const unit = UNIT_NS[m[3]!];
    if (unit === undefined) return undefined;
    total += Number(m[1] || '0') * unit + (m[2] ? Number(`0.${m[2]}`) * unit : 0);
    rest = rest.slice(m[0].length);
  }
  return neg ? -total : total;
}

/** A Go reference-layout parse error (time.ParseError.Error()). */
function parseError(value: string, layout: string, valueElem: string, layoutElem: string, message = ''): Error {
  if (message !== '') return new Error(`parsing time "${value}"${message}`);
  return new Error(`parsing time "${value}" as "${layout}": cannot parse "${valueElem}" as "${layoutElem}"`);
}

interface Civil {
  year: number;
  month: number;
  day: number;
  hour: number;
  min: number;
  sec: number;
  nsec: number;
  /** Seconds east of UTC; undefined: the caller's default zone. */
  offset?: number;
}

const STD = /^(2006|01|02|15|04|05|\.999999999|Z07:00)/;

/** Up to two digits (exactly two when `fixed`), as Go's getnum. */
function getnum(s: string, fixed: boolean): [number, string] | undefined {
  if (!/^\d/.test(s)) return undefined;
  if (!/^\d\d/.test(s)) return fixed ? undefined : [Number(s[0]), s.slice(1)];
  return [Number(s.slice(0, 2)), s.slice(2)];
}

/** One layout element; answers the rest of the value, or a range error name, or undefined (bad). */
function parseElem(std: string, value: string, c: Civil): string | { range: string; rest: string } | undefined {
  switch (std) {
    case '2006':
      if (!/^\d{4}/.test(value)) return undefined;
      c.year = Number(value.slice(0, 4));
      return value.slice(4);
    case '.999999999': {
      const m = /^[.,](\d+)/.exec(value);
      if (m === null) return value;
      c.nsec = Number(m[1]!.slice(0, 9).padEnd(9, '0'));
      return value.slice(m[0].length);
    }
    case 'Z07:00': {
      if (value.startsWith('Z')) {
        c.offset = 0;
        return value.slice(1);
      }
      if (value.length < 6 || value[3] !== ':' || (value[0] !== '+' && value[0] !== '-')) return undefined;
      const hr = getnum(value.slice(1, 3), true);
      const mm = getnum(value.slice(4, 6), true);
      if (hr === undefined || mm === undefined) return undefined;
      const rest = value.slice(6);
      if (hr[0] > 24) return { range: 'time zone offset hour', rest };
      if (mm[0] > 60) return { range: 'time zone offset minute', rest };
      c.offset = (value[0] === '-' ? -1 : 1) * (hr[0] * 60 + mm[0]) * 60;
      return rest;
    }
  }
  const n = getnum(value, std !== '15');
  if (n === undefined) return undefined;
  const [v, rest] = n;
  const limits: Record<string, [string, keyof Civil, number, number]> = {
    '01': ['month', 'month', 1, 12], '02': ['', 'day', 0, 99], '15': ['hour', 'hour', 0, 23], '04': ['minute', 'min', 0, 59],
    '05': ['second', 'sec', 0, 59],
  };
  const [name, key, lo, hi] = limits[std]!;
  if (v < lo || v > hi) return { range: name, rest };
  c[key] = v;
  return rest;
}

function daysIn(month: number, year: number): number {
  if (month === 2) return (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The literal text of `layout` up to its next element. */
function literalPrefix(layout: string): string {
  let i = 0;
  while (i < layout.length && !STD.test(layout.slice(i))) i++;
  return layout.slice(0, i);
}

/** Go's time.Parse for the layouts GetTimestamp uses; throws Go's ParseError text. */
export function parseGoTime(layout: string, value: string): Civil {
  const c: Civil = { year: 0, month: 1, day: 1, hour: 0, min: 0, sec: 0, nsec: 0 };
  let lay = layout;
  let val = value;
  while (lay !== '') {
    const m = STD.exec(lay);
    if (m === null) {
      // a literal character of the layout
      if (val[0] !== lay[0]) throw parseError(value, layout, val, literalPrefix(lay));
      lay = lay.slice(1);
      val = val.slice(1);
      continue;
    }
    const std = m[1]!;
    lay = lay.slice(std.length);
    const r = parseElem(std, val, c);
    if (r === undefined) throw parseError(value, layout, val, std);
    if (typeof r !== 'string') throw parseError(value, layout, r.rest, std, `: ${r.range} out of range`);
    val = r;
  }
  if (val !== '') throw parseError(value, layout, val, '', `: extra text: "${val}"`);
  if (c.day < 1 || c.day > daysIn(c.month, c.year)) throw parseError(value, layout, val, '', ': day out of range');
  return c;
}

/** Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y0: number, m: number, d: number): number {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** `sec.nanosec` of a parsed time, as GetTimestamp prints it (`%d.%09d`). */
function unixString(c: Civil, defaultOffset: number): string {
  const offset = c.offset ?? defaultOffset;
  const secs = daysFromCivil(c.year, c.month, c.day) * 86400 + c.hour * 3600 + c.min * 60 + c.sec - offset;
  return `${secs}.${String(c.nsec).padStart(9, '0')}`;
}

/** The layout GetTimestamp picks for `value`, and whether it is read in the local zone. */
function layoutFor(value: string): { layout: string; local: boolean } {
  const local = !/[zZ+]/.test(value) && value.split('-').length - 1 !== 3;
  if (value.includes('.')) return { layout: local ? '2006-01-02T15:04:05.999999999' : '2006-01-02T15:04:05.999999999Z07:00', local };
  if (value.includes('T')) {
    let colons = value.split(':').length - 1;
    if (!local && !/[zZ]/.test(value) && colons > 0) colons--;
    const base = colons === 0 ? '2006-01-02T15' : colons === 1 ? '2006-01-02T15:04' : '2006-01-02T15:04:05';
    return { layout: local ? base : `${base}Z07:00`, local };
  }
  return { layout: local ? '2006-01-02' : '2006-01-02Z07:00', local };
}

/**
 * GetTimestamp(value, now): the value the Engine API expects in `since`/`until`.
 * Throws Go's time parse error for date-like values, else `failed to parse value as time or duration`.
 */
export function getTimestamp(value: string, now: Date = new Date()): string {
  const d = value !== '0' ? parseGoDuration(value) : undefined;
  if (d !== undefined) return String(Math.floor((now.getTime() - d / 1e6) / 1000));
  const { layout, local } = layoutFor(value);
  try {
    return unixString(parseGoTime(layout, value), local ? -now.getTimezoneOffset() * 60 : 0);
  } catch (err) {
    if (value.includes('-')) throw err;
    if (!/^[+-]?\d+(\.[+-]?\d+)?$/.test(value)) throw new Error(`failed to parse value as time or duration: "${value}"`);
    return value;
  }
}
