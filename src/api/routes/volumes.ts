/** /volumes/… routes (moby api/swagger.yaml "Volume" operations). */
import { invalidArgument } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { volumeView } from '../../engine/index.js';
import { boolParam, filtersParam } from '../http.js';
import type { Router } from '../router.js';

function stringMap(v: unknown, field: string): Record<string, string> | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v) || Object.values(v).some((x) => typeof x !== 'string')) {
    throw invalidArgument(`invalid value for field "${field}": expected an object of strings`);
  }
  return v as Record<string, string>;
}

export function volumeRoutes(r: Router, engine: Engine): void {
  const ops = engine.volumes;
  const view = (name: string) => volumeView(ops.volumes.get(name), ops.volumes.mountpoint(name));

  r.add('GET', '/volumes', async (ctx) => {
    const list = ops.list(filtersParam(ctx.query)).map((v) => view(v.name));
    ctx.reply.json(200, { Volumes: list, Warnings: null });
  });

  r.add('GET', '/volumes/{name}', async (ctx) => ctx.reply.json(200, view(ctx.params[0]!)));

  r.add('POST', '/volumes/create', async (ctx) => {
    const b = (await ctx.body()) ?? {};
    if (typeof b !== 'object' || b === null || Array.isArray(b)) throw invalidArgument('invalid JSON: expected an object');
    const body = b as Record<string, unknown>;
    if (body.Name !== undefined && typeof body.Name !== 'string') throw invalidArgument('invalid value for field "Name"');
    if (body.Driver !== undefined && body.Driver !== null && typeof body.Driver !== 'string') throw invalidArgument('invalid value for field "Driver"');
    const labels = stringMap(body.Labels, 'Labels');
    const options = stringMap(body.DriverOpts, 'DriverOpts');
    const v = await ops.volumes.create({
      ...(body.Name ? { name: body.Name as string } : {}), ...(body.Driver ? { driver: body.Driver as string } : {}),
      ...(labels ? { labels } : {}), ...(options ? { options } : {}),
    });
    engine.events.emit('volume', 'create', v.name, { driver: v.driver });
    ctx.reply.json(201, view(v.name));
  });

  r.add('DELETE', '/volumes/{name}', async (ctx) => {
    const existed = ops.volumes.find(ctx.params[0]!);
    await ops.remove(ctx.params[0]!, boolParam(ctx.query, 'force'));
    if (existed) engine.events.emit('volume', 'destroy', existed.name, { driver: existed.driver });
    ctx.reply.empty(204);
  });

  r.add('POST', '/volumes/prune', async (ctx) => {
    const r2 = await ops.prune(filtersParam(ctx.query));
    for (const name of r2.VolumesDeleted) engine.events.emit('volume', 'destroy', name, { driver: 'local' });
    ctx.reply.json(200, r2);
  });
}
