/** /containers/{id}/exec and /exec/… routes. */
import type { Engine } from '../../engine/index.js';
import { invalidArgument } from '../../core/index.js';
import { parseDetachKeys } from '../../engine/index.js';
import { compareApiVersions, encodeFrame } from '../../protocol/index.js';
import { intParam } from '../http.js';
import type { Router } from '../router.js';
import { parseExecBody, parseExecStartBody } from '../schemas.js';
import { clientStream, streamContentType } from './streams.js';

export function execRoutes(r: Router, engine: Engine): void {
  r.add('POST', '/containers/{id}/exec', async (ctx) => {
    const body = parseExecBody(await ctx.body());
    if (body.DetachKeys) parseDetachKeys(body.DetachKeys); // 400 before anything runs
    ctx.reply.json(201, { Id: engine.execs.create(ctx.params[0]!, body) });
  });

  r.add('POST', '/exec/{id}/start', async (ctx) => {
    const id = ctx.params[0]!;
    const start = parseExecStartBody(await ctx.body());
    const exec = engine.execs.checkStart(id);
    const sizeOpt = start.ConsoleSize && compareApiVersions(ctx.version, '1.42') >= 0 ? { consoleSize: start.ConsoleSize } : {};
    if (start.Detach) {
      await engine.execs.start(id, undefined, sizeOpt);
      ctx.reply.empty(200);
      return;
    }
    const tty = exec.body.Tty ?? start.Tty;
    const conn = ctx.reply.hijack(streamContentType(tty, ctx.version));
    const client = clientStream(conn, tty);
    try {
      await engine.execs.start(id, client, sizeOpt);
    } catch (err) {
      const msg = Buffer.from(`${err instanceof Error ? err.message : String(err)}\n`);
      conn.write(tty ? msg : encodeFrame(3, msg));
      client.end();
    }
  });

  r.add('GET', '/exec/{id}/json', async (ctx) => ctx.reply.json(200, engine.execs.inspect(ctx.params[0]!)));

  r.add('POST', '/exec/{id}/resize', async (ctx) => {
    const h = intParam(ctx.query, 'h');
    const w = intParam(ctx.query, 'w');
    if (h === undefined || w === undefined || h < 0 || w < 0) throw invalidArgument('height and width must be given as non-negative integers');
    await engine.execs.resize(ctx.params[0]!, h, w);
    ctx.reply.empty(200);
  });
}
