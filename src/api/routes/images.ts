/** /images/… routes. */
import { EngineError, invalidArgument } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import type { ImageService, RegistryImageService } from '../../image/types.js';
import { parseRegistryAuthHeader } from '../../registry/index.js';
import { pullReference } from './registry.js';
import { progressStream } from './progress.js';
import { boolParam, filtersParam } from '../http.js';
import type { Router } from '../router.js';

/** Splits `name[:tag]` where the tag follows the last '/' (a registry port is not a tag). */
export function splitRepoTag(repo: string): { repo: string; tag?: string } {
  const at = repo.indexOf('@');
  if (at !== -1) return { repo };
  const colon = repo.lastIndexOf(':');
  if (colon > repo.lastIndexOf('/')) return { repo: repo.slice(0, colon), tag: repo.slice(colon + 1) };
  return { repo };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

export function imageRoutes(r: Router, images: ImageService & RegistryImageService, engine: Engine): void {
  r.add('GET', '/images/json', async (ctx) => {
    ctx.reply.json(200, await images.list({
      all: boolParam(ctx.query, 'all'), filters: filtersParam(ctx.query),
      containersUsing: (id) => engine.store.all().filter((c) => c.image === id).length,
    }));
  });

  r.add('POST', '/images/load', async (ctx) => {
    const quiet = boolParam(ctx.query, 'quiet');
    // fail before streaming when nothing usable arrives, so clients get a status code
    await progressStream(ctx, async (send) => {
      const lines = await images.load(ctx.raw() as never, {
        signal: ctx.signal,
        ...(quiet ? {} : { onProgress: send }),
      });
      for (const l of lines) send({ stream: `${l}\n` });
      for (const l of lines) {
        const name = /^Loaded image(?: ID)?: (.+)$/.exec(l)?.[1];
        if (name) engine.events.emit('image', 'load', name, { name });
      }
    });
  });

  r.add('POST', '/images/create', async (ctx) => {
    const q = ctx.query;
    const fromSrc = q.get('fromSrc');
    if (fromSrc === null) {
      const fromImage = q.get('fromImage');
      if (!fromImage) throw invalidArgument('fromImage or fromSrc is required');
      const auth = parseRegistryAuthHeader(headerValue(ctx.req.headers['x-registry-auth']));
      const platform = q.get('platform') || undefined;
      const ref = pullReference(fromImage, q.get('tag') ?? '');
      await progressStream(ctx, async (send) => {
        await images.pull(ref, { signal: ctx.signal, onProgress: send, ...(auth ? { auth } : {}), ...(platform ? { platform } : {}) });
        engine.events.emit('image', 'pull', ref, { name: ref });
      });
      return;
    }
    if (fromSrc !== '-') throw new EngineError('not-implemented', 'importing from a URL is not supported; send the tarball in the request body (fromSrc=-)');
    const { repo, tag: repoTag } = splitRepoTag(q.get('repo') ?? '');
    const tag = q.get('tag') || repoTag;
    const message = q.get('message');
    const platform = q.get('platform');
    const changes = q.getAll('changes').filter((c) => c !== '');
    await progressStream(ctx, async (send) => {
      const id = await images.import(ctx.raw() as never, {
        signal: ctx.signal, changes,
        ...(repo ? { repo } : {}), ...(tag ? { tag } : {}),
        ...(message ? { message } : {}), ...(platform ? { platform } : {}),
      });
      send({ status: id });
      engine.events.emit('image', 'import', id, { name: id });
    });
  });

  r.add('GET', '/images/{name*}/json', async (ctx) => ctx.reply.json(200, await images.inspect(ctx.params[0]!)));
  r.add('GET', '/images/{name*}/history', async (ctx) => ctx.reply.json(200, await images.history(ctx.params[0]!)));

  r.add('POST', '/images/{name*}/tag', async (ctx) => {
    const repo = ctx.query.get('repo');
    if (!repo) throw invalidArgument('repository name must have at least one component');
    const split = splitRepoTag(repo);
    const tag = ctx.query.get('tag') || split.tag;
    await images.tag(ctx.params[0]!, split.repo, tag);
    const img = await images.get(ctx.params[0]!);
    engine.events.emit('image', 'tag', img.id, { name: `${split.repo}:${tag || 'latest'}` });
    ctx.reply.empty(201);
  });

  r.add('DELETE', '/images/{name*}', async (ctx) => {
    // a container removed a moment ago may still be unmounting its rootfs from the image's layers
    const img = await images.get(ctx.params[0]!).catch(() => undefined);
    if (img) await engine.containers.settleRemovals(img.id);
    const gone = await images.remove(ctx.params[0]!, {
      force: boolParam(ctx.query, 'force'),
      noPrune: boolParam(ctx.query, 'noprune'),
      usedBy: (id) => engine.imageUser(id),
    });
    for (const g of gone as Array<{ Untagged?: string; Deleted?: string }>) {
      if (g.Untagged) engine.events.emit('image', 'untag', g.Untagged, { name: g.Untagged });
      if (g.Deleted) engine.events.emit('image', 'delete', g.Deleted, { name: g.Deleted });
    }
    ctx.reply.json(200, gone);
  });
}
