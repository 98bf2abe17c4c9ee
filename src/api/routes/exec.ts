/** /containers/{id}/exec and /exec/… routes. */
import type { Engine } from '../../engine/index.js';
import { encodeFrame } from '../../protocol/index.js';
import type { Router } from '../router.js';
import { parseExecBody, parseExecStartBody } from '../schemas.js';
import { clientStream, streamContentType } from './streams.js';

export function execRoutes(r: Router, engine: Engine): void {
  r.add('POST', '/containers/{id}/exec', async (ctx) => {
    const body = parseExecBody(await ctx.body());
    ctx.reply.json(201, { Id: engine.execs.create(ctx.params[0]!, body) });
  });

  r.add('POST', '/exec/{id}/start', async (ctx) => {
    const id = ctx.params[0]!;
    const start = parseExecStartBody(await ctx.body());
    const exec = engine.execs.checkStart(id);
    if (start.Detach) {
      await engine.execs.start(id, undefined);
      ctx.reply.empty(200);
      return;
    }
    const tty = exec.body.Tty ?? start.Tty;
    const conn = ctx.reply.hijack(streamContentType(tty, ctx.version));
    const client = clientStream(conn, tty);
    try {
      await engine.execs.start(id, client);
    } catch (err) {
      const msg = Buffer.from(`${err instanceof Error ? err.message : String(err)}\n`);
      conn.write(tty ? msg : encodeFrame(3, msg));
      client.end();
    }
  });

  r.add('GET', '/exec/{id}/json', async (ctx) => ctx.reply.json(200, engine.execs.inspect(ctx.params[0]!)));

  r.add('POST', '/exec/{id}/resize', async (ctx) => {
    engine.execs.get(ctx.params[0]!);
    ctx.reply.empty(200);
  });
}
