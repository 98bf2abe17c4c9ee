/**
 * The image side of container data: POST /commit, GET /containers/{id}/export and
 * GET /containers/{id}/changes.
 */
import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import { invalidArgument } from '../../core/index.js';
import { commitContainer, containerChanges, exportContainer, type Engine } from '../../engine/index.js';
import type { CommitImageService, ImageService } from '../../image/index.js';
import type { ContainerConfig } from '../../protocol/index.js';
import { boolParam } from '../http.js';
import { parseCreateBody } from '../schemas.js';
import type { Ctx, Router } from '../router.js';

/** What these routes need of the images. */
export type ChangesImages = Pick<ImageService, 'get' | 'layerDirs'> & CommitImageService;

/** POST /commit, GET /containers/{id}/changes and GET /containers/{id}/export. */
export function changesRoutes(r: Router, engine: Engine, images: ChangesImages): void {
  r.add('POST', '/commit', async (ctx) => {
    const q = ctx.query;
    const container = q.get('container') ?? '';
    if (container === '') throw invalidArgument('No container name or ID supplied');
    const comment = q.get('comment');
    const author = q.get('author');
    const repo = q.get('repo');
    const tag = q.get('tag');
    const id = await commitContainer(engine, images, container, {
      changes: q.getAll('changes').filter((c) => c !== ''),
      config: commitBody(await ctx.body()),
      // Docker: pause unless `pause` is given and false (API >= 1.13)
      pause: q.get('pause') === null || q.get('pause') === '' ? true : boolParam(q, 'pause'),
      signal: ctx.signal,
      ...(comment ? { comment } : {}), ...(author ? { author } : {}), ...(repo ? { repo } : {}), ...(tag ? { tag } : {}),
    });
    ctx.reply.json(201, { Id: id });
  });

  r.add('GET', '/containers/{id}/changes', async (ctx) => {
    const changes = await containerChanges(engine, images, ctx.params[0]!);
    // Moby answers a nil slice, JSON null, when nothing changed
    ctx.reply.json(200, changes.length === 0 ? null : changes);
  });

  r.add('GET', '/containers/{id}/export', async (ctx) => {
    await exportContainer(engine, ctx.params[0]!, (tar) => sendStream(ctx, tar, 'application/x-tar'));
  });
}

/**
 * The body of POST /commit: nothing (empty or `null`, as the docker CLI sends), or a container
 * config, checked by the create schema (Moby decodes it the same way); host and network parts
 * play no role in a commit.
 */
function commitBody(body: unknown): ContainerConfig | null {
  if (body === undefined || body === null) return null;
  const { HostConfig: _h, NetworkingConfig: _n, Platform: _p, ...config } = parseCreateBody(body);
  return config;
}

/**
 * Streams `src` as a 200 answer with back-pressure: Reply.stream() has no flow control, so the
 * connection's socket (what the answer is written to) is watched for 'drain'. A failure after
 * the headers cuts the connection, so the client sees a truncated answer rather than a short tar.
 */
async function sendStream(ctx: Ctx, src: Readable, contentType: string): Promise<void> {
  const socket: Socket = ctx.req.socket;
  const out = ctx.reply.stream(contentType);
  try {
    for await (const chunk of src) {
      if (ctx.signal.aborted) break;
      out.write(chunk as Buffer);
      if (socket.writableNeedDrain) await drained(socket);
    }
  } catch (err) {
    socket.destroy();
    throw err;
  }
  out.end();
}

/** Resolves once the socket can take more, or is gone. */
function drained(socket: Socket): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('drain', done);
    socket.on('close', done);
  });
}
