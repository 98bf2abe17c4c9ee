/**
 * `RUN --mount=type=cache,target=/root/.cache,…` (BuildKit instructions/commands_runmount.go):
 * CSV fields, types bind (default), cache, tmpfs, secret and ssh, with Docker's validation.
 * Values may hold variables, so the full parse happens with an expander at dispatch time;
 * at parse time only `from` is checked (it cannot be expanded).
 */
import { Problem } from './errors.js';
import { ramInBytes } from './units.js';
import { withSuggestion } from './text.js';

/** `--mount type=`. */
export type MountType = 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
/** `--mount type=cache,sharing=`. */
export type CacheSharing = 'shared' | 'private' | 'locked';

/** A parsed `--mount`. Fields are absent when not given. */
export interface RunMount {
  readonly type: MountType;
  /** Stage name or image to mount from (bind, cache); the build context when absent. */
  readonly from: string | undefined;
  readonly source: string | undefined;
  readonly target: string | undefined;
  /** Defaults: read-only for bind, secret and ssh; writable for cache and tmpfs. */
  readonly readOnly: boolean;
  /** tmpfs size in bytes. */
  readonly size: number | undefined;
  /** Cache id, or secret/ssh id. */
  readonly id: string | undefined;
  readonly sharing: CacheSharing | undefined;
  /** Secret or ssh mount that must exist. */
  readonly required: boolean;
  /** Secret exposed as this environment variable. */
  readonly env: string | undefined;
  readonly mode: number | undefined;
  readonly uid: number | undefined;
  readonly gid: number | undefined;
}

const TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING: readonly CacheSharing[] = ['shared', 'private', 'locked'];
const ALL_KEYS = ['type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid', 'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env'];

/** Splits one CSV record (RFC 4180 quoting, as Go's encoding/csv). Throws a Problem. */
export function csvFields(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) throw new Problem('extraneous or missing " in quoted-field');
        const ch = text[i]!;
        if (ch === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += ch;
        i++;
      }
      if (i < text.length && text[i] !== ',') throw new Problem('extraneous or missing " in quoted-field');
    } else {
      const end = text.indexOf(',', i);
      field = end < 0 ? text.slice(i) : text.slice(i, end);
      if (field.includes('"')) throw new Problem('bare " in non-quoted-field');
      i = end < 0 ? text.length : end;
    }
    fields.push(field);
    if (i >= text.length) return fields;
    i++; // the comma
  }
}

function csv(spec: string): string[] {
  try {
    return csvFields(spec);
  } catch (err) {
    throw new Problem(`failed to parse csv mounts: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The `from` of a mount spec, checked as Docker does at parse time: it cannot use variables.
 * Undefined when absent. Throws a Problem.
 */
export function mountFrom(spec: string): string | undefined {
  let from: string | undefined;
  for (const field of csv(spec)) {
    const eq = field.indexOf('=');
    if (eq < 0 || field.slice(0, eq).toLowerCase() !== 'from') continue;
    const value = field.slice(eq + 1);
    const dollar = value.indexOf('$');
    if (dollar !== -1 && dollar !== value.length - 1) {
      throw new Problem("'from' doesn't support variable expansion, define alias stage instead");
    }
    from = value;
  }
  return from;
}

const TRUE = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Go's strconv.ParseBool. */
function parseBool(key: string, value: string): boolean {
  if (TRUE.has(value)) return true;
  if (FALSE.has(value)) return false;
  throw new Problem(`invalid value for ${key}: ${value}`);
}

function parseUint(value: string, radix: 8 | 10, what: string): number {
  const ok = radix === 8 ? /^[0-7]+$/.test(value) : /^[0-9]+$/.test(value);
  const n = ok ? Number.parseInt(value, radix) : NaN;
  if (!Number.isSafeInteger(n) || n > 0xffffffff) throw new Problem(`invalid value ${value} for ${what}`);
  return n;
}

type MutableMount = { -readonly [K in keyof RunMount]: RunMount[K] };

/**
 * Parses a `--mount` value, expanding each value with `expand` first. Throws a Problem with
 * Docker's messages ("unsupported mount type", "unexpected key 'x' in 'x=y'", …).
 */
export function parseMount(spec: string, expand: (word: string) => string): RunMount {
  const m: MutableMount = {
    type: 'bind', from: undefined, source: undefined, target: undefined, readOnly: false, size: undefined,
    id: undefined, sharing: undefined, required: false, env: undefined, mode: undefined, uid: undefined, gid: undefined,
  };
  let roAuto = true;
  for (const field of csv(spec)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      if (key === 'readonly' || key === 'ro') {
        m.readOnly = true;
        roAuto = false;
      } else if (key === 'readwrite' || key === 'rw') {
        m.readOnly = false;
        roAuto = false;
      } else if (key === 'required') {
        if (m.type !== 'secret' && m.type !== 'ssh') throw new Problem(`unexpected key '${key}' for mount type '${m.type}'`);
        m.required = true;
      } else {
        throw new Problem(`invalid field '${field}' must be a key=value pair`);
      }
      continue;
    }
    const value = expand(field.slice(eq + 1));
    roAuto = applyField(m, key, value, field) && roAuto;
  }
  return finish(m, roAuto);
}

/** Sets one key; returns false when it decided read-only-ness explicitly. */
function applyField(m: MutableMount, key: string, value: string, field: string): boolean {
  switch (key) {
    case 'type': {
      const t = value.toLowerCase();
      if (!(TYPES as readonly string[]).includes(t)) throw new Problem(withSuggestion(`unsupported mount type "${value}"`, value, TYPES, true));
      m.type = t as MountType;
      return true;
    }
    case 'from': m.from = value; return true;
    case 'source': case 'src': m.source = value; return true;
    case 'target': case 'dst': case 'destination': m.target = value; return true;
    case 'readonly': case 'ro': m.readOnly = parseBool(key, value); return false;
    case 'readwrite': case 'rw': m.readOnly = !parseBool(key, value); return false;
    case 'required':
      if (m.type !== 'secret' && m.type !== 'ssh') throw new Problem(`unexpected key '${key}' for mount type '${m.type}'`);
      m.required = parseBool(key, value);
      return true;
    case 'size':
      if (m.type !== 'tmpfs') throw new Problem(`unexpected key '${key}' for mount type '${m.type}'`);
      try {
        m.size = ramInBytes(value);
      } catch {
        throw new Problem(`invalid value for ${key}: ${value}`);
      }
      return true;
    case 'id': m.id = value; return true;
    case 'sharing': {
      const s = value.toLowerCase();
      if (!(SHARING as readonly string[]).includes(s)) throw new Problem(withSuggestion(`unsupported sharing value "${value}"`, value, SHARING, true));
      m.sharing = s as CacheSharing;
      return true;
    }
    case 'mode': m.mode = parseUint(value, 8, 'mode'); return true;
    case 'uid': m.uid = parseUint(value, 10, 'uid'); return true;
    case 'gid': m.gid = parseUint(value, 10, 'gid'); return true;
    case 'env': m.env = value; return true;
    default:
      throw new Problem(withSuggestion(`unexpected key '${key}' in '${field}'`, key, ALL_KEYS, true));
  }
}

function finish(m: MutableMount, roAuto: boolean): RunMount {
  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfoAllowed) {
    for (const k of ['mode', 'uid', 'gid'] as const) {
      if (m[k] !== undefined) throw new Problem(`${k} not allowed for "${m.type}" type mounts`);
    }
  }
  if (roAuto) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from !== undefined && m.from !== '') throw new Problem('secret mount should not have a from');
    if (m.sharing !== undefined) throw new Problem('secret mount should not define sharing');
    if (!m.source && !m.target && !m.id) throw new Problem('invalid secret mount. one of source, target required');
    if (m.source && m.id) throw new Problem("both source and id can't be set");
  }
  if (m.sharing !== undefined && m.type !== 'cache') throw new Problem(`invalid cache sharing set for ${m.type} mount`);
  return m;
}
