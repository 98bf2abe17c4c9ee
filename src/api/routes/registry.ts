/**
 * Registry-facing routes: pull (/images/create?fromImage), push, /auth, save (/images/get),
 * /images/prune, /distribution/{name}/json and /system/df.
 */
import { PassThrough } from 'node:stream';
import { invalidArgument } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { volumeView } from '../../engine/index.js';
import { parseReference, type ImageService, type RegistryImageService } from '../../image/index.js';
import type { ContainerSummary } from '../../protocol/index.js';
import { parseRegistryAuthHeader, type CreateRegistryClient, type RegistryOptions } from '../../registry/index.js';
import { filtersParam } from '../http.js';
import type { Router } from '../router.js';
import { progressStream } from './progress.js';

/** Docker's `until` for prune: Unix seconds, RFC 3339, or a Go duration before now; Unix seconds out. */
export function pruneUntil(v: string, now = Date.now()): number {
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v);
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  const parts = [...v.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)];
  if (parts.length > 0 && parts.map((p) => p[0]).join('') === v) {
    return now / 1000 - parts.reduce((a, p) => a + Number(p[1]) * units[p[2]!]!, 0);
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw invalidArgument(`invalid filter 'until=${v}'`);
  return t / 1000;
}

export interface RegistryDeps {
  images: ImageService & RegistryImageService;
  engine: Engine;
  registry: { create: CreateRegistryClient; options: RegistryOptions };
}

/** `fromImage` + `tag` as the docker CLI sends them: the tag may be a digest, or already in fromImage. */
export function pullReference(fromImage: string, tag: string): string {
  if (!tag) return fromImage;
  if (tag.startsWith('sha256:')) return `${fromImage}@${tag}`;
  return `${fromImage}:${tag}`;
}

export function registryRoutes(r: Router, d: RegistryDeps): void {
  const { images, engine } = d;

  r.add('POST', '/images/{name*}/push', async (ctx) => {
    const auth = parseRegistryAuthHeader(headerOf(ctx.req.headers['x-registry-auth']));
    const tag = ctx.query.get('tag') || undefined;
    await progressStream(ctx, async (send) => {
      await images.push(ctx.params[0]!, {
        signal: ctx.signal, onProgress: send, ...(auth ? { auth } : {}), ...(tag ? { tag } : {}),
      });
      const name = tag ? `${ctx.params[0]!}:${tag}` : ctx.params[0]!;
      engine.events.emit('image', 'push', name, { name });
    });
  });

  r.add('POST', '/auth', async (ctx) => {
    const body = (await ctx.body()) as { username?: unknown; password?: unknown; serveraddress?: unknown } | undefined;
    if (!body || typeof body.username !== 'string' || typeof body.password !== 'string') {
      throw invalidArgument('username and password are required');
    }
    const server = typeof body.serveraddress === 'string' && body.serveraddress !== '' ? body.serveraddress : 'docker.io';
    const domain = server.replace(/^https?:\/\//, '').replace(/\/v[12]\/?$/, '').replace(/\/$/, '').replace(/^index\.docker\.io$/, 'docker.io');
    const client = d.registry.create({ username: body.username, password: body.password, serveraddress: server }, d.registry.options);
    await client.checkAuth(domain, { signal: ctx.signal });
    ctx.reply.json(200, { Status: 'Login Succeeded', IdentityToken: '' });
  });

  const save = async (ctx: Parameters<Parameters<Router['add']>[2]>[0], names: string[]): Promise<void> => {
    if (names.length === 0) throw invalidArgument('no images given to save');
    for (const n of names) await images.get(n); // 404 before any byte
    const out = ctx.reply.stream('application/x-tar');
    const pt = new PassThrough();
    pt.on('data', (c: Buffer) => out.write(c));
    const done = new Promise<void>((resolve) => pt.on('end', resolve));
    try {
      await images.save(names, pt, { signal: ctx.signal });
      pt.end();
      await done;
    } finally {
      out.end();
    }
  };
  r.add('GET', '/images/get', async (ctx) => save(ctx, ctx.query.getAll('names')));
  r.add('GET', '/images/{name*}/get', async (ctx) => save(ctx, [ctx.params[0]!]));

  r.add('POST', '/images/prune', async (ctx) => {
    const f = filtersParam(ctx.query);
    for (const k of Object.keys(f)) {
      if (!['dangling', 'until', 'label', 'label!'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    }
    const dangling = f.dangling?.[0];
    const all = dangling !== undefined && ['false', '0'].includes(dangling.toLowerCase());
    // until / label / label!: images that do not match are kept
    const keep = new Set<string>();
    if (f.until?.length || f.label?.length || f['label!']?.length) {
      const until = f.until?.[0] !== undefined ? pruneUntil(f.until[0]) : undefined;
      for (const img of await images.list({ all: true })) {
        const labels = img.Labels ?? {};
        const has = (l: string) => {
          const i = l.indexOf('=');
          return i < 0 ? l in labels : labels[l.slice(0, i)] === l.slice(i + 1);
        };
        const match = (until === undefined || img.Created < until)
          && (f.label ?? []).every(has) && !(f['label!'] ?? []).some(has);
        if (!match) keep.add(img.Id);
      }
    }
    ctx.reply.json(200, await images.prune({ all, usedBy: (id) => engine.imageUser(id) !== undefined || keep.has(id) }));
  });

  r.add('GET', '/distribution/{name*}/json', async (ctx) => {
    const ref = parseReference(ctx.params[0]!);
    const auth = parseRegistryAuthHeader(headerOf(ctx.req.headers['x-registry-auth']));
    const client = d.registry.create(auth, d.registry.options);
    const repo = { domain: ref.domain, path: ref.path };
    const m = await client.getManifest(repo, ref.digest ?? ref.tag ?? 'latest', { signal: ctx.signal });
    const parsed = JSON.parse(m.bytes.toString('utf8')) as { manifests?: Array<{ platform?: { architecture: string; os: string; variant?: string } }> };
    const platforms = parsed.manifests
      ? parsed.manifests.flatMap((x) => (x.platform ? [x.platform] : []))
      : [{ architecture: 'amd64', os: 'linux' }];
    ctx.reply.json(200, { Descriptor: { mediaType: m.mediaType, digest: m.digest, size: m.bytes.length }, Platforms: platforms });
  });

  r.add('GET', '/system/df', async (ctx) => {
    const imgs = await images.list({ all: true, containersUsing: (id) => engine.store.all().filter((c) => c.image === id).length });
    const containers: ContainerSummary[] = await engine.list({ all: true, size: true });
    ctx.reply.json(200, {
      LayersSize: imgs.reduce((a, i) => a + i.Size, 0),
      // the docker CLI skips images whose SharedSize is -1 when it sums what is in use
      Images: imgs.map((i) => ({ ...i, SharedSize: 0, VirtualSize: i.Size })),
      Containers: containers,
      Volumes: await Promise.all(d.engine.volumes.list({}).map(async (v) => volumeView(v, d.engine.volumes.volumes.mountpoint(v.name), {
        Size: await d.engine.volumes.volumes.size(v.name), RefCount: d.engine.volumes.users(v.name).length,
      }))),
      BuildCache: [],
    });
  });
}

function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
