/**
 * /containers/{id}/archive: what `docker cp` uses. HEAD answers the stat of a path in the
 * `X-Docker-Container-Path-Stat` header, GET adds a tar of it, PUT extracts a tar into a
 * directory (moby api/swagger.yaml, ContainerArchive*).
 */
import { Writable, type Readable } from 'node:stream';
import {
  archiveContainerPath, encodePathStat, extractToContainer, statContainerPath, type PathStat,
} from '../../engine/index.js';
import type { Engine } from '../../engine/index.js';
import { boolParam } from '../http.js';
import type { Ctx, Router } from '../router.js';

const STAT_HEADER = 'X-Docker-Container-Path-Stat';

export function archiveRoutes(r: Router, engine: Engine): void {
  // registered before GET: the router lets HEAD fall back to a GET route
  r.add('HEAD', '/containers/{id}/archive', async (ctx) => {
    const stat = await statContainerPath(engine, ctx.params[0]!, ctx.query.get('path') ?? '');
    ctx.reply.stream('text/plain; charset=utf-8', { [STAT_HEADER]: encodePathStat(stat) }).end();
  });

  r.add('GET', '/containers/{id}/archive', async (ctx) => {
    await archiveContainerPath(engine, ctx.params[0]!, ctx.query.get('path') ?? '', (stat) => tarResponse(ctx, stat), {
      signal: ctx.signal,
    });
  });

  r.add('PUT', '/containers/{id}/archive', async (ctx) => {
    await extractToContainer(engine, ctx.params[0]!, ctx.query.get('path') ?? '', ctx.raw() as Readable, {
      noOverwriteDirNonDir: boolParam(ctx.query, 'noOverwriteDirNonDir'),
      copyUIDGID: boolParam(ctx.query, 'copyUIDGID'),
      signal: ctx.signal,
    });
    ctx.reply.empty(200);
  });
}

/**
 * The tar answer as a Writable that waits for the connection to drain, so a slow client does
 * not make the daemon buffer the archive. A failure after the headers went out cuts the
 * connection: the client sees a broken stream, never a short archive that looks whole.
 */
function tarResponse(ctx: Ctx, stat: PathStat): Writable {
  const out = ctx.reply.stream('application/x-tar', { [STAT_HEADER]: encodePathStat(stat) });
  const socket = ctx.req.socket;
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.write(chunk);
      if (!socket.writableNeedDrain) {
        cb();
        return;
      }
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        cb();
      };
      socket.on('drain', done);
      socket.on('close', done);
    },
    final(cb) {
      out.end();
      cb();
    },
    destroy(err, cb) {
      if (err) socket.destroy();
      cb(err);
    },
  });
}
