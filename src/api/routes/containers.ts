/** /containers/… routes. */
import { invalidArgument } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { formatLogTimestamp, parseDetachKeys } from '../../engine/index.js';
import { encodeFrame } from '../../protocol/index.js';
import { boolParam, filtersParam, intParam } from '../http.js';
import type { Router } from '../router.js';
import { parseCreateBody } from '../schemas.js';
import { clientStream, streamContentType } from './streams.js';

/** Unix seconds from Docker's since/until values (seconds, fractional, or RFC 3339). */
function timeParam(v: string | null, name: string): number | undefined {
  if (v === null || v === '' || v === '0') return undefined;
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid value for "${name}": ${v}`);
  return t / 1000;
}

export function containerRoutes(r: Router, engine: Engine): void {
  const c = engine.containers;

  r.add('POST', '/containers/create', async (ctx) => {
    const body = parseCreateBody(await ctx.body());
    const name = ctx.query.get('name') ?? undefined;
    ctx.reply.json(201, await c.create(body, name));
  });

  r.add('GET', '/containers/json', async (ctx) => {
    const q = ctx.query;
    const limit = intParam(q, 'limit');
    ctx.reply.json(200, await engine.list({
      all: boolParam(q, 'all'), filters: filtersParam(q), size: boolParam(q, 'size'), ...(limit !== undefined ? { limit } : {}),
    }));
  });

  r.add('POST', '/containers/prune', async (ctx) => {
    const f = filtersParam(ctx.query);
    const labels = f.label ?? [];
    ctx.reply.json(200, await c.prune((rec) => labels.some((l) => {
      const [k, v] = l.split('=', 2) as [string, string?];
      const has = rec.config.Labels?.[k];
      return v === undefined ? has === undefined : has !== v;
    })));
  });

  r.add('GET', '/containers/{id}/json', async (ctx) => {
    ctx.reply.json(200, await engine.inspect(ctx.params[0]!, { size: boolParam(ctx.query, 'size') }));
  });

  r.add('POST', '/containers/{id}/start', async (ctx) => {
    await c.start(ctx.params[0]!);
    ctx.reply.empty(204);
  });

  r.add('POST', '/containers/{id}/stop', async (ctx) => {
    const t = intParam(ctx.query, 't') ?? intParam(ctx.query, 'timeout');
    const signal = ctx.query.get('signal') ?? undefined;
    await c.stop(ctx.params[0]!, { ...(t !== undefined ? { timeout: t } : {}), ...(signal ? { signal } : {}) });
    ctx.reply.empty(204);
  });

  r.add('POST', '/containers/{id}/restart', async (ctx) => {
    const t = intParam(ctx.query, 't') ?? intParam(ctx.query, 'timeout');
    const signal = ctx.query.get('signal') ?? undefined;
    await c.restart(ctx.params[0]!, { ...(t !== undefined ? { timeout: t } : {}), ...(signal ? { signal } : {}) });
    ctx.reply.empty(204);
  });

  r.add('POST', '/containers/{id}/update', async (ctx) => {
    const body = (await ctx.body()) ?? {};
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidArgument('invalid JSON: expected an object');
    for (const [k, v] of Object.entries(body)) {
      const want = k === 'CpusetCpus' || k === 'CpusetMems' ? 'string' : k === 'RestartPolicy' ? 'object' : 'number';
      if (v !== null && typeof v !== want && ['Memory', 'MemorySwap', 'MemoryReservation', 'NanoCpus', 'CpuShares', 'CpuPeriod',
        'CpuQuota', 'CpusetCpus', 'CpusetMems', 'PidsLimit', 'BlkioWeight', 'RestartPolicy'].includes(k)) {
        throw invalidArgument(`invalid value for field "${k}": expected ${want}`);
      }
    }
    ctx.reply.json(200, await c.update(ctx.params[0]!, body as Parameters<typeof c.update>[1]));
  });

  r.add('POST', '/containers/{id}/pause', async (ctx) => {
    await c.pause(ctx.params[0]!);
    ctx.reply.empty(204);
  });

  r.add('POST', '/containers/{id}/unpause', async (ctx) => {
    await c.unpause(ctx.params[0]!);
    ctx.reply.empty(204);
  });

  r.add('POST', '/containers/{id}/kill', async (ctx) => {
    await c.kill(ctx.params[0]!, ctx.query.get('signal') || 'KILL');
    ctx.reply.empty(204);
  });

  r.add('POST', '/containers/{id}/wait', async (ctx) => {
    let stream: { write(d: string): void; end(): void } | undefined;
    const res = await c.wait(ctx.params[0]!, ctx.query.get('condition') ?? '', ctx.signal, () => {
      stream = ctx.reply.stream('application/json');
    });
    stream!.write(JSON.stringify(res) + '\n');
    stream!.end();
  });

  r.add('DELETE', '/containers/{id}', async (ctx) => {
    await engine.remove(ctx.params[0]!, { force: boolParam(ctx.query, 'force'), volumes: boolParam(ctx.query, 'v') });
    ctx.reply.empty(204);
  });

  r.add('POST', '/containers/{id}/rename', async (ctx) => {
    await c.rename(ctx.params[0]!, ctx.query.get('name') ?? '');
    ctx.reply.empty(204);
  });

  r.add('GET', '/containers/{id}/top', async (ctx) => {
    ctx.reply.json(200, await engine.top(ctx.params[0]!, ctx.query.get('ps_args') ?? undefined));
  });

  r.add('GET', '/containers/{id}/logs', async (ctx) => {
    const q = ctx.query;
    const stdout = boolParam(q, 'stdout');
    const stderr = boolParam(q, 'stderr');
    if (!stdout && !stderr) throw invalidArgument('Bad parameters: you must choose at least one stream');
    const tailRaw = q.get('tail');
    const tail = tailRaw === null || tailRaw === '' || tailRaw === 'all' ? undefined : Number(tailRaw);
    if (tail !== undefined && (!Number.isInteger(tail))) throw invalidArgument(`invalid value for "tail": ${tailRaw}`);
    const since = timeParam(q.get('since'), 'since');
    const until = timeParam(q.get('until'), 'until');
    const timestamps = boolParam(q, 'timestamps');
    const { tty, entries } = engine.logs(ctx.params[0]!, {
      stdout, stderr, follow: boolParam(q, 'follow'), signal: ctx.signal,
      ...(tail !== undefined && tail >= 0 ? { tail } : {}),
      ...(since !== undefined ? { since } : {}), ...(until !== undefined ? { until } : {}),
    });
    const out = ctx.reply.stream(streamContentType(tty, ctx.version));
    try {
      for await (const e of entries) {
        const data = timestamps ? Buffer.concat([Buffer.from(formatLogTimestamp(e.time) + ' '), e.data]) : e.data;
        out.write(tty ? data : encodeFrame(e.stream === 'stdout' ? 1 : 2, data));
      }
    } finally {
      out.end();
    }
  });

  r.add('POST', '/containers/{id}/attach', async (ctx) => {
    const q = ctx.query;
    const id = ctx.params[0]!;
    const tty = engine.hasTty(id);
    const keys = q.get('detachKeys');
    const opts = {
      stdin: boolParam(q, 'stdin'), stdout: boolParam(q, 'stdout'), stderr: boolParam(q, 'stderr'),
      logs: boolParam(q, 'logs'), stream: boolParam(q, 'stream'),
      ...(keys ? { detachKeys: parseDetachKeys(keys) } : {}),
    };
    const conn = ctx.reply.hijack(streamContentType(tty, ctx.version));
    const client = clientStream(conn, tty);
    try {
      await engine.attach(id, opts, client);
    } catch (err) {
      // headers are sent: report on the stream as Docker does (systemerr frame without a TTY)
      const msg = Buffer.from(`${err instanceof Error ? err.message : String(err)}\n`);
      conn.write(tty ? msg : encodeFrame(3, msg));
      client.end();
    }
  });

  r.add('POST', '/containers/{id}/resize', async (ctx) => {
    const h = intParam(ctx.query, 'h');
    const w = intParam(ctx.query, 'w');
    if (h === undefined || w === undefined || h < 0 || w < 0) throw invalidArgument('height and width must be given as non-negative integers');
    await engine.resize(ctx.params[0]!, h, w);
    ctx.reply.empty(200);
  });
}
