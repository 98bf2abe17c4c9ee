import { goPrint } from './go-print.js';
import { TemplateError } from './template-parse.js';

type Fn = (...args: unknown[]) => unknown;

const str = (v: unknown): string => goPrint(v);

/** Go's json.Marshal: HTML-sensitive characters and U+2028/9 escaped. */
export function goJson(v: unknown): string {
  return (JSON.stringify(v === undefined ? null : v) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go-ish sprintf for the verbs people use: %s %v %d %q %%. */
function sprintf(format: unknown, ...args: unknown[]): string {
  let i = 0;
  return String(format).replace(/%([-+# 0]*\d*(?:\.\d+)?)([svdqf%])/g, (_, flags: string, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    let s = verb === 'q' ? JSON.stringify(str(a)) : verb === 'f' ? Number(a).toFixed(6) : str(a);
    const w = /(\d+)/.exec(flags);
    if (w !== null) s = flags.startsWith('-') ? s.padEnd(Number(w[1])) : s.padStart(Number(w[1]));
    return s;
  });
}

function index(v: unknown, ...keys: unknown[]): unknown {
  let cur = v;
  for (const k of keys) {
    if (cur === null || cur === undefined) return undefined;
    if (Array.isArray(cur)) {
      const n = Number(k);
      if (n < 0 || n >= cur.length) throw new TemplateError(`:1: error calling index: index out of range: ${n}`);
      cur = cur[n];
    } else if (typeof cur === 'object') {
      const obj = cur as Record<string, unknown>;
      // a missing key of a string map (labels, attributes, options) is Go's zero value ""
      cur = String(k) in obj ? obj[String(k)] : Object.values(obj).every((x) => typeof x === 'string') ? '' : undefined;
    } else {
      throw new TemplateError(`:1: error calling index: can't index item of type ${typeof cur}`);
    }
  }
  return cur;
}

const cmp = (a: unknown, b: unknown): number => {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const sa = str(a);
  const sb = str(b);
  return sa < sb ? -1 : sa > sb ? 1 : 0;
};

/** The function map: Go's builtins plus docker/cli's templates.basicFunctions. */
export const FUNCS: Record<string, Fn> = {
  json: (v) => goJson(v),
  upper: (v) => str(v).toUpperCase(),
  lower: (v) => str(v).toLowerCase(),
  title: (v) => str(v).replace(/\b\w/g, (c) => c.toUpperCase()),
  split: (s, sep) => str(s).split(str(sep)),
  join: (v, sep) => (Array.isArray(v) ? v.map(str).join(str(sep)) : str(v)),
  truncate: (v, n) => [...str(v)].slice(0, Number(n)).join(''),
  pad: (v, l, r) => `${' '.repeat(Number(l))}${str(v)}${' '.repeat(Number(r))}`,
  index,
  len: (v) => (Array.isArray(v) ? v.length : typeof v === 'string' ? v.length : v !== null && typeof v === 'object' ? Object.keys(v).length : 0),
  print: (...a) => a.map(str).join(''),
  println: (...a) => `${a.map(str).join(' ')}\n`,
  printf: (f, ...a) => sprintf(f, ...a),
  eq: (a, ...bs) => bs.some((b) => cmp(a, b) === 0),
  ne: (a, b) => cmp(a, b) !== 0,
  lt: (a, b) => cmp(a, b) < 0,
  le: (a, b) => cmp(a, b) <= 0,
  gt: (a, b) => cmp(a, b) > 0,
  ge: (a, b) => cmp(a, b) >= 0,
  not: (a) => !truthyLoose(a),
  and: (...a) => a.find((x) => !truthyLoose(x)) ?? a[a.length - 1],
  or: (...a) => a.find((x) => truthyLoose(x)) ?? a[a.length - 1],
};

function truthyLoose(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}
