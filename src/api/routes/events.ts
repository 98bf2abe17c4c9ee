/** GET /events: past events since `since`, then live ones until `until` or the client leaves. */
import type { Engine } from '../../engine/index.js';
import { eventFilter, parseEventTime, type EventMessage } from '../../engine/index.js';
import { filtersParam } from '../http.js';
import type { Router } from '../router.js';

export function eventRoutes(r: Router, engine: Engine): void {
  r.add('GET', '/events', async (ctx) => {
    const q = ctx.query;
    const since = q.get('since');
    const until = q.get('until');
    const keep = eventFilter(filtersParam(q));
    const sinceNano = since ? parseEventTime(since, 'since') : undefined;
    const untilNano = until ? parseEventTime(until, 'until') : undefined;
    const out = ctx.reply.stream('application/json');
    const send = (e: EventMessage) => {
      if (keep(e)) out.write(JSON.stringify(e) + '\n');
    };
    if (sinceNano !== undefined) for (const e of engine.events.history(sinceNano, untilNano)) send(e);
    const now = Date.now() * 1e6;
    if (untilNano !== undefined && untilNano <= now) {
      out.end();
      return;
    }
    // no await between the history and the subscription: nothing falls in between
    const unsubscribe = engine.events.subscribe((e) => {
      if (untilNano === undefined || e.timeNano <= untilNano) send(e);
    });
    await new Promise<void>((resolve) => {
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      if (untilNano !== undefined) setTimeout(resolve, Math.ceil((untilNano - now) / 1e6)).unref();
    });
    unsubscribe();
    out.end();
  });
}
