/** GET /containers/{id}/stats (moby api/server/router/container: getContainersStats). */
import type { Engine } from '../../engine/index.js';
import { ContainerStats } from '../../engine/index.js';
import { compareApiVersions } from '../../protocol/index.js';
import { boolParam } from '../http.js';
import type { Router } from '../router.js';

/**
 * Registers the stats route: one JSON object per line, `stream` (default true) sends one per
 * second, `one-shot` (API ≥ 1.41, with stream=false) answers without priming precpu_stats.
 * 404 for an unknown container and 400 for stream with one-shot, before the headers.
 */
export function statsRoutes(r: Router, engine: Engine): void {
  const stats = new ContainerStats({ store: engine.store, isRunning: (rec) => engine.containers.isRunning(rec) });

  r.add('GET', '/containers/{id}/stats', async (ctx) => {
    const stream = boolParam(ctx.query, 'stream', true);
    const oneShot = compareApiVersions(ctx.version, '1.41') >= 0 && boolParam(ctx.query, 'one-shot');
    const samples = stats.open(ctx.params[0]!, { stream, oneShot, signal: ctx.signal });
    const out = ctx.reply.stream('application/json');
    try {
      for await (const s of samples) out.write(`${JSON.stringify(s)}\n`);
    } finally {
      out.end();
    }
  });
}
