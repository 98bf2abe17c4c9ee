/**
 * POST /build (moby api/swagger.yaml ImageBuild; api/server/router/build): the classic builder's
 * protocol. The body is the context tar; the answer a JSON message stream. A request that fails
 * before the first message (no Dockerfile, parse error, bad tag) gets a status code instead.
 */
import type { Readable } from 'node:stream';
import { invalidArgument } from '../../core/index.js';
import { BuildRunError, type Builder } from '../../engine/index.js';
import type { JsonMessage } from '../../protocol/index.js';
import { messageOf } from '../errors.js';
import { boolParam, filtersParam } from '../http.js';
import { pruneUntil } from './registry.js';
import type { Router } from '../router.js';

/** A JSON object of string values from a query parameter (`buildargs`, `labels`); nulls skipped. */
function jsonMap(q: URLSearchParams, name: string): Map<string, string> {
  const text = q.get(name);
  const out = new Map<string, string>();
  if (!text) return out;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalidArgument(`invalid ${name} parameter: ${text}`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw invalidArgument(`invalid ${name} parameter: ${text}`);
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) if (typeof v === 'string') out.set(k, v);
  return out;
}

/** `cachefrom`: a JSON list of image references (Docker's classic builder); empty when absent. */
function jsonList(q: URLSearchParams, name: string): string[] {
  const text = q.get(name);
  if (!text) return [];
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalidArgument(`invalid ${name} parameter: ${text}`);
  }
  if (data === null) return [];
  if (!Array.isArray(data) || !data.every((v): v is string => typeof v === 'string')) throw invalidArgument(`invalid ${name} parameter: ${text}`);
  return data.filter((v) => v !== '');
}

/** berth's secrets header: base64 of a JSON object id → base64 content. */
function secretsHeader(value: string | string[] | undefined): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return out;
  try {
    const data = JSON.parse(Buffer.from(v, 'base64').toString('utf8')) as Record<string, unknown>;
    for (const [k, s] of Object.entries(data)) if (typeof s === 'string') out.set(k, Buffer.from(s, 'base64'));
  } catch {
    throw invalidArgument('invalid X-Berth-Build-Secrets header');
  }
  return out;
}

/** Filters BuildKit's prune takes (moby's build prune). */
const PRUNE_FILTERS = ['until', 'id', 'parent', 'type', 'description', 'inuse', 'shared', 'private', 'label', 'label!'];

/** Registers POST /build and POST /build/prune. */
export function buildRoutes(r: Router, builder: Builder): void {
  r.add('POST', '/build/prune', async (ctx) => {
    const f = filtersParam(ctx.query);
    for (const k of Object.keys(f)) if (!PRUNE_FILTERS.includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    const until = f.until?.[0] !== undefined ? pruneUntil(f.until[0]) * 1000 : undefined;
    // the cache here is cache mounts (type exec.cachemount, no labels, ids of their own): a filter
    // on anything else selects none of them, as it would select none in BuildKit
    const other = ['id', 'parent', 'description', 'label'].some((k) => (f[k]?.length ?? 0) > 0);
    const typeOk = !f.type?.length || f.type.includes('exec.cachemount');
    const inUseOk = !f.inuse?.length || f.inuse.every((v) => ['false', '0'].includes(v.toLowerCase()));
    ctx.reply.json(200, await builder.prune(({ lastUsedMs }) => !other && typeOk && inUseOk && (until === undefined || lastUsedMs < until)));
  });

  r.add('POST', '/build', async (ctx) => {
    const q = ctx.query;
    const remote = q.get('remote');
    if (remote) throw invalidArgument('building from a remote context (remote=…) is not supported; send the context as the request body');
    const opts = {
      dockerfile: q.get('dockerfile') || 'Dockerfile',
      tags: q.getAll('t').filter((t) => t !== ''),
      buildArgs: jsonMap(q, 'buildargs'),
      labels: Object.fromEntries(jsonMap(q, 'labels')),
      ...(q.get('target') ? { target: q.get('target')! } : {}),
      noCache: boolParam(q, 'nocache'),
      pull: boolParam(q, 'pull'),
      rm: boolParam(q, 'rm', true),
      forceRm: boolParam(q, 'forcerm'),
      networkMode: q.get('networkmode') || 'default',
      quiet: boolParam(q, 'q'),
      ...(q.get('platform') ? { platform: q.get('platform')! } : {}),
      cacheFrom: jsonList(q, 'cachefrom'),
      secrets: secretsHeader(ctx.req.headers['x-berth-build-secrets']),
      signal: ctx.signal,
    };
    let out: { write(d: string): void; end(): void } | undefined;
    const send = (m: JsonMessage): void => {
      out ??= ctx.reply.stream('application/json');
      out.write(`${JSON.stringify(m)}\r\n`);
    };
    try {
      await builder.build(ctx.raw() as unknown as Readable, opts, send);
    } catch (err) {
      if (!out) throw err;
      const message = messageOf(err);
      send({ errorDetail: { ...(err instanceof BuildRunError ? { code: err.exitCode } : {}), message }, error: message });
    }
    (out ?? ctx.reply.stream('application/json')).end();
  });
}
