/** /networks/… routes (moby api/swagger.yaml "Network" operations). */
import { invalidArgument } from '../../core/index.js';
import type { Engine } from '../../engine/index.js';
import { connectContainer, disconnectContainer, inspectNetwork, networkView } from '../../engine/index.js';
import { filtersParam } from '../http.js';
import type { Router } from '../router.js';
import { parseNetworkCreate } from '../schemas.js';

function objectBody(v: unknown): Record<string, unknown> {
  if (v === undefined) return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw invalidArgument('invalid JSON: expected an object');
  return v as Record<string, unknown>;
}

export function networkRoutes(r: Router, engine: Engine): void {
  const networks = engine.networking.networks;
  const deps = { networks, store: engine.store, containers: engine.containers, events: engine.events };

  r.add('GET', '/networks', async (ctx) => {
    ctx.reply.json(200, networks.list(filtersParam(ctx.query)).map((n) => networkView(n, {})));
  });

  r.add('GET', '/networks/{id}', async (ctx) => ctx.reply.json(200, inspectNetwork(deps, ctx.params[0]!)));

  r.add('POST', '/networks/create', async (ctx) => {
    const rec = await networks.create(parseNetworkCreate(await ctx.body()));
    engine.events.emit('network', 'create', rec.id, { name: rec.name, type: rec.driver });
    ctx.reply.json(201, { Id: rec.id, Warning: '' });
  });

  r.add('DELETE', '/networks/{id}', async (ctx) => {
    const rec = networks.records.get(ctx.params[0]!);
    await networks.remove(rec.id);
    engine.events.emit('network', 'destroy', rec.id, { name: rec.name, type: rec.driver });
    ctx.reply.empty(204);
  });

  r.add('POST', '/networks/prune', async (ctx) => {
    const removed = await networks.prune(filtersParam(ctx.query));
    for (const name of removed) engine.events.emit('network', 'destroy', name, { name, type: 'bridge' });
    ctx.reply.json(200, { NetworksDeleted: removed });
  });

  r.add('POST', '/networks/{id}/connect', async (ctx) => {
    const b = objectBody(await ctx.body());
    await connectContainer(deps, ctx.params[0]!, {
      ...(typeof b.Container === 'string' ? { Container: b.Container } : {}),
      EndpointConfig: (b.EndpointConfig ?? null) as NonNullable<Parameters<typeof connectContainer>[2]['EndpointConfig']> | null,
    });
    ctx.reply.empty(200);
  });

  r.add('POST', '/networks/{id}/disconnect', async (ctx) => {
    const b = objectBody(await ctx.body());
    await disconnectContainer(deps, ctx.params[0]!, {
      ...(typeof b.Container === 'string' ? { Container: b.Container } : {}), Force: b.Force === true,
    });
    ctx.reply.empty(200);
  });
}
