/**
 * The Engine API's network endpoints (moby api/swagger.yaml v1.47 "Network"), called the way
 * docker's Go client calls them. Kept in the CLI until src/client grows network methods.
 */
import type { Filters } from '../../client/index.js';
import type { Ctx } from '../command.js';
import type { EndpointSettings } from '../opts/network-opts.js';
import type { NetworkCreateBody } from '../opts/network-create.js';

/** One entry of GET /networks (network.Summary); the fields the CLI reads. */
export interface NetworkSummary {
  Name: string;
  Id: string;
  Created?: string;
  Scope?: string;
  Driver?: string;
  EnableIPv4?: boolean;
  EnableIPv6?: boolean;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  Labels?: Record<string, string> | null;
}

const enc = encodeURIComponent;

/** The `filters` query parameter: `{"name":{"x":true}}` (filters.ToJSON). */
function filtersQuery(f: Filters | undefined): string | undefined {
  if (f === undefined || Object.keys(f).length === 0) return undefined;
  return JSON.stringify(Object.fromEntries(Object.entries(f).map(([k, vs]) => [k, Object.fromEntries(vs.map((v) => [v, true]))])));
}

/** The Go client's trimID: surrounding space dropped; empty is an error before any request. */
export function trimId(kind: 'network' | 'container', id: string): string {
  const t = id.trim();
  if (t === '') throw new Error(`invalid ${kind} name or ID: value is empty`);
  return t;
}

/** POST /networks/create */
export function networkCreate(ctx: Ctx, body: NetworkCreateBody): Promise<{ Id: string; Warning?: string }> {
  return ctx.client().transport.json({ method: 'POST', path: '/networks/create', json: body });
}

/** GET /networks */
export async function networkList(ctx: Ctx, filters?: Filters): Promise<NetworkSummary[]> {
  const list = await ctx.client().transport.json<NetworkSummary[] | null>({ method: 'GET', path: '/networks', query: { filters: filtersQuery(filters) } });
  return list ?? [];
}

/** GET /networks/{id}: the raw JSON, to print exactly what the daemon sent. */
export function networkInspect(ctx: Ctx, id: string, opts: { verbose?: boolean } = {}): Promise<unknown> {
  const query = { verbose: opts.verbose === true ? 'true' : undefined };
  return ctx.client().transport.json({ method: 'GET', path: `/networks/${enc(trimId('network', id))}`, query });
}

/** DELETE /networks/{id} */
export function networkRemove(ctx: Ctx, id: string): Promise<void> {
  return ctx.client().transport.call({ method: 'DELETE', path: `/networks/${enc(trimId('network', id))}` });
}

/** POST /networks/prune */
export function networksPrune(ctx: Ctx, filters?: Filters): Promise<{ NetworksDeleted?: string[] | null }> {
  return ctx.client().transport.json({ method: 'POST', path: '/networks/prune', query: { filters: filtersQuery(filters) } });
}

/** POST /networks/{id}/connect with `{Container, EndpointConfig}`. */
export function networkConnect(ctx: Ctx, id: string, container: string, endpoint: EndpointSettings): Promise<void> {
  const path = `/networks/${enc(trimId('network', id))}/connect`;
  return ctx.client().transport.call({ method: 'POST', path, json: { Container: trimId('container', container), EndpointConfig: endpoint } });
}

/** POST /networks/{id}/disconnect with `{Container, Force}`. */
export function networkDisconnect(ctx: Ctx, id: string, container: string, force: boolean): Promise<void> {
  const path = `/networks/${enc(trimId('network', id))}/disconnect`;
  return ctx.client().transport.call({ method: 'POST', path, json: { Container: trimId('container', container), Force: force } });
}
