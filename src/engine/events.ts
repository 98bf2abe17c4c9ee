/**
 * The daemon's event log (GET /events): container, image, network and volume events in Docker's
 * message shape, kept in a ring for `since` and handed to live subscribers. Filters and time
 * bounds as Docker applies them (moby daemon/events).
 */
import { invalidArgument } from '../core/index.js';

export type EventType = 'container' | 'image' | 'network' | 'volume' | 'daemon';

/** One event as the API sends it. */
export interface EventMessage {
  status?: string;
  id?: string;
  from?: string;
  Type: EventType;
  Action: string;
  Actor: { ID: string; Attributes: Record<string, string> };
  scope: 'local';
  time: number;
  timeNano: number;
}

const KEEP = 1024;

export class Events {
  private readonly ring: EventMessage[] = [];
  private readonly subscribers = new Set<(e: EventMessage) => void>();
  private lastNano = 0;

  /** Records an event and hands it to the subscribers. */
  emit(type: EventType, action: string, id: string, attributes: Record<string, string> = {}): EventMessage {
    // nanosecond timestamps from the millisecond clock, kept strictly increasing
    let nano = Date.now() * 1e6;
    if (nano <= this.lastNano) nano = this.lastNano + 1;
    this.lastNano = nano;
    const e: EventMessage = {
      ...(type === 'container' || (type === 'image' && action !== 'untag' && action !== 'delete')
        ? { status: action, id, ...(attributes.image ? { from: attributes.image } : {}) } : {}),
      Type: type, Action: action, Actor: { ID: id, Attributes: attributes }, scope: 'local',
      time: Math.floor(nano / 1e9), timeNano: nano,
    };
    this.ring.push(e);
    if (this.ring.length > KEEP) this.ring.shift();
    for (const s of this.subscribers) s(e);
    return e;
  }

  /** Events at or after `sinceNano` (and up to `untilNano`) still in the ring. */
  history(sinceNano: number, untilNano = Infinity): EventMessage[] {
    return this.ring.filter((e) => e.timeNano >= sinceNano && e.timeNano <= untilNano);
  }

  subscribe(cb: (e: EventMessage) => void): () => void {
    this.subscribers.add(cb);
    return () => this.subscribers.delete(cb);
  }
}

/** Docker's since/until: Unix seconds (with a fraction) or RFC 3339; nanoseconds out. */
export function parseEventTime(v: string, name: string): number {
  if (/^\d+(\.\d+)?$/.test(v)) {
    const [s, frac = ''] = v.split('.');
    return Number(s) * 1e9 + Number((frac + '000000000').slice(0, 9));
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid value for ${name}: ${v}`);
  return t * 1e6;
}

const FILTERS = new Set(['container', 'event', 'image', 'label', 'network', 'type', 'volume', 'daemon', 'scope', 'plugin', 'node', 'service', 'secret', 'config']);

/** A predicate for Docker's event filters; throws 400 for an unknown one. */
export function eventFilter(filters: Record<string, string[]>): (e: EventMessage) => boolean {
  for (const k of Object.keys(filters)) if (!FILTERS.has(k)) throw invalidArgument(`invalid filter '${k}'`);
  const any = (key: string, test: (v: string) => boolean) => !filters[key]?.length || filters[key]!.some(test);
  return (e) => {
    const a = e.Actor.Attributes;
    const actor = (type: EventType) => (v: string) => e.Type === type && (e.Actor.ID.startsWith(v) || a.name === v);
    if (!any('type', (v) => e.Type === v)) return false;
    if (!any('event', (v) => e.Action === v || e.Action.startsWith(`${v}:`))) return false;
    if (!any('container', actor('container'))) return false;
    if (!any('network', actor('network'))) return false;
    if (!any('volume', actor('volume'))) return false;
    if (!any('image', (v) => (e.Type === 'image' && (e.Actor.ID === v || a.name === v)) || a.image === v)) return false;
    if (!any('scope', (v) => v === 'local')) return false;
    if (filters.label?.length && !filters.label.every((l) => {
      const i = l.indexOf('=');
      return i < 0 ? l in a : a[l.slice(0, i)] === l.slice(i + 1);
    })) return false;
    return true;
  };
}
