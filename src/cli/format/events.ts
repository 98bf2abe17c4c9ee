/**
 * Engine events (moby api/types/events.Message) as `docker events` prints them: the default line
 * (docker/cli system/events.go prettyPrintEvent), and the value `--format` templates run over.
 * `timeNano` is an int64 beyond 2^53, so it is read and written as a bigint, never a double.
 */
import { goJson } from './template-funcs.js';
import { TemplateError } from './template.js';

/** One decoded event; zero values where the daemon sent nothing (as Go's decoder leaves them). */
export interface EventMessage {
  status: string;
  id: string;
  from: string;
  Type: string;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> | null };
  scope: string;
  time: number;
  timeNano: bigint;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Decodes one JSON line of GET /events, keeping `timeNano` exact. Throws SyntaxError on bad JSON. */
export function parseEvent(line: string): EventMessage {
  // quote the integer before JSON.parse rounds it (attribute values are strings, so only the field matches)
  const raw = JSON.parse(line.replace(/("timeNano"\s*:\s*)(-?\d+)/i, '$1"$2"')) as Record<string, unknown>;
  const actor = (raw['Actor'] ?? {}) as Record<string, unknown>;
  const attrs = actor['Attributes'];
  const nano = raw['timeNano'];
  return {
    status: str(raw['status']),
    id: str(raw['id']),
    from: str(raw['from']),
    Type: str(raw['Type']),
    Action: str(raw['Action']),
    Actor: {
      ID: str(actor['ID']),
      Attributes: attrs !== null && typeof attrs === 'object' ? attrs as Record<string, string> : null,
    },
    scope: str(raw['scope']),
    time: typeof raw['time'] === 'number' ? raw['time'] : 0,
    timeNano: typeof nano === 'string' && /^-?\d+$/.test(nano) ? BigInt(nano) : 0n,
  };
}

/** Minutes east of UTC at a unix time in ms; the local zone by default (Go's time.Local). */
export type ZoneOffset = (unixMs: number) => number;
const localOffset: ZoneOffset = (ms) => -new Date(ms).getTimezoneOffset();

/** Go's `2006-01-02T15:04:05.000000000Z07:00` (docker's rfc3339NanoFixed) for unix nanoseconds. */
export function rfc3339NanoFixed(unixNano: bigint, zone: ZoneOffset = localOffset): string {
  let sec = unixNano / 1_000_000_000n;
  let nsec = unixNano % 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  const ms = Number(sec) * 1000;
  const off = zone(ms);
  const d = new Date(ms + off * 60_000);
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const date = `${p(d.getUTCFullYear(), 4)}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())}`;
  const clock = `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${nsec.toString().padStart(9, '0')}`;
  const z = off === 0 ? 'Z' : `${off < 0 ? '-' : '+'}${p(Math.floor(Math.abs(off) / 60))}:${p(Math.abs(off) % 60)}`;
  return `${date}T${clock}${z}`;
}

/** The default output line: `<time> <Type> <Action> <Actor.ID> (k=v, …)`, attributes sorted by key. */
export function formatEventLine(e: EventMessage, zone?: ZoneOffset): string {
  let out = '';
  if (e.timeNano !== 0n) out += `${rfc3339NanoFixed(e.timeNano, zone)} `;
  else if (e.time !== 0) out += `${rfc3339NanoFixed(BigInt(e.time) * 1_000_000_000n, zone)} `;
  out += `${e.Type} ${e.Action} ${e.Actor.ID}`;
  const attrs = e.Actor.Attributes ?? {};
  const keys = Object.keys(attrs).sort();
  if (keys.length > 0) out += ` (${keys.map((k) => `${k}=${attrs[k]}`).join(', ')})`;
  return `${out}\n`;
}

/** Placeholder for the exact timeNano inside JSON text (private-use code points; replaced after rendering). */
const NANO_OPEN = '\uE000';
const NANO_CLOSE = '\uE001';
const NANO_MARK = /"\uE000(-?\d+)\uE001"/g;

/** The attributes in key order, as Go marshals and prints maps. */
function sortedAttributes(e: EventMessage): Record<string, string> | null {
  const attrs = e.Actor.Attributes;
  return attrs === null ? null : Object.fromEntries(Object.keys(attrs).sort().map((k) => [k, attrs[k]!]));
}

/** events.Message marshalled as Go does: JSON tags, omitempty fields left out, exact timeNano. */
function wireObject(e: EventMessage): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (e.status !== '') o['status'] = e.status;
  if (e.id !== '') o['id'] = e.id;
  if (e.from !== '') o['from'] = e.from;
  o['Type'] = e.Type;
  o['Action'] = e.Action;
  o['Actor'] = { ID: e.Actor.ID, Attributes: sortedAttributes(e) };
  if (e.scope !== '') o['scope'] = e.scope;
  if (e.time !== 0) o['time'] = e.time;
  if (e.timeNano !== 0n) o['timeNano'] = `${NANO_OPEN}${e.timeNano}${NANO_CLOSE}`;
  return o;
}

/** Puts the exact timeNano digits back into text rendered from a template view. */
export function restoreTimeNano(text: string): string {
  return text.replace(NANO_MARK, '$1');
}

/** `{{json .}}` of an event, byte for byte as docker prints it. */
export function eventJson(e: EventMessage): string {
  return restoreTimeNano(goJson(wireObject(e)));
}

/** Where `.Name` sits in the template source, as Go's ErrorContext prints it (`:line:col`). */
function position(src: string, path: string): string {
  const at = Math.max(0, src.indexOf(path));
  const before = src.slice(0, at);
  const nl = before.lastIndexOf('\n');
  return `:${before.split('\n').length}:${nl < 0 ? at : at - nl - 1}`;
}

/** A struct view: reading a field it lacks is Go's "can't evaluate field" execution error. */
function strict<T extends object>(target: T, src: string, prefix: string, type: string): T {
  return new Proxy(target, {
    has(t, key) {
      if (typeof key !== 'string' || key in t) return key in t;
      const path = `${prefix}.${key}`;
      throw new TemplateError(`${position(src, path)}: executing "" at <${path}>: can't evaluate field ${key} in type ${type}`);
    },
  });
}

/**
 * The value a `--format` template sees: Go's field names (Status, ID, From, Type, Action,
 * Actor.ID, Actor.Attributes, Scope, Time, TimeNano); `{{json .}}` gives the wire form (with a
 * placeholder for timeNano that restoreTimeNano replaces). Unknown fields throw TemplateError.
 */
export function eventView(e: EventMessage, src: string, opts: { exactNano?: boolean } = {}): object {
  // a nil map indexes to "<no value>" in Go; an empty object does the same here
  const actor = strict({ ID: e.Actor.ID, Attributes: sortedAttributes(e) ?? {} }, src, '.Actor', 'events.Actor');
  return strict({
    Status: e.status, ID: e.id, From: e.from, Type: e.Type, Action: e.Action, Actor: actor, Scope: e.scope, Time: e.time,
    TimeNano: opts.exactNano === false ? Number(e.timeNano) : e.timeNano,
    toJSON: () => wireObject(e),
  }, src, '', '*events.Message');
}

/** A zero event, for checking a template before any event arrives (docker executes it once). */
export const EMPTY_EVENT: EventMessage = {
  status: '', id: '', from: '', Type: '', Action: '', Actor: { ID: '', Attributes: null }, scope: '', time: 0, timeNano: 0n,
};
