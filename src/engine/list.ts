/**
 * GET /containers/json: Docker's listing with `all`, `limit`, `latest`-style limit and filters
 * (id, name, label, status, ancestor, exited, before, since).
 */
import { invalidArgument } from '../core/index.js';
import type { ContainerStatus } from '../protocol/index.js';
import type { ContainerRecord } from './record.js';

export interface ListOptions {
  all?: boolean;
  limit?: number;
  filters?: Record<string, string[]>;
  /** Fill SizeRw and SizeRootFs (`?size=1`, docker ps -s). */
  size?: boolean;
}

const FILTER_KEYS = new Set(['id', 'name', 'label', 'status', 'ancestor', 'exited', 'before', 'since', 'health', 'network', 'volume', 'publish', 'expose', 'isolation', 'is-task']);
const STATUSES: ContainerStatus[] = ['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead'];

function labelMatches(rec: ContainerRecord, spec: string): boolean {
  const labels = rec.config.Labels ?? {};
  const eq = spec.indexOf('=');
  if (eq === -1) return spec in labels;
  const key = spec.slice(0, eq);
  return labels[key] === spec.slice(eq + 1);
}

/**
 * Filters and orders records newest first. `ancestorOf(ref)` resolves an image reference to
 * the set of image ids it names (undefined when unknown).
 */
export function listContainers(
  records: ContainerRecord[],
  opts: ListOptions,
  resolve: { ancestorIds: (ref: string) => Set<string> | undefined; find: (ref: string) => ContainerRecord | undefined },
): ContainerRecord[] {
  const f = opts.filters ?? {};
  for (const key of Object.keys(f)) if (!FILTER_KEYS.has(key)) throw invalidArgument(`invalid filter '${key}'`);
  for (const s of f.status ?? []) {
    if (!STATUSES.includes(s as ContainerStatus)) throw invalidArgument(`invalid filter 'status=${s}'`);
  }
  for (const h of f.health ?? []) {
    if (!['starting', 'healthy', 'unhealthy', 'none'].includes(h)) {
      throw invalidArgument(`Unrecognised filter value for health: ${h}`);
    }
  }
  const exited = (f.exited ?? []).map((e) => {
    if (!/^-?\d+$/.test(e)) throw invalidArgument(`invalid filter 'exited=${e}'`);
    return Number(e);
  });
  const ancestors = (f.ancestor ?? []).map((a) => resolve.ancestorIds(a) ?? new Set<string>());
  const before = f.before?.[0] ? resolve.find(f.before[0]) : undefined;
  const since = f.since?.[0] ? resolve.find(f.since[0]) : undefined;
  if (f.before?.[0] && !before) throw invalidArgument(`No such container: ${f.before[0]}`);
  if (f.since?.[0] && !since) throw invalidArgument(`No such container: ${f.since[0]}`);

  let list = [...records].sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : 0));
  const showAll = opts.all || (opts.limit ?? -1) > 0 || f.status || f.exited || before || since;
  list = list.filter((rec) => {
    const st = rec.state.status;
    if (!showAll && st !== 'running' && st !== 'paused' && st !== 'restarting') return false;
    if (f.id && !f.id.some((p) => rec.id.startsWith(p))) return false;
    if (f.name && !f.name.some((n) => new RegExp(n.replace(/^\//, '')).test(rec.name))) return false;
    if (f.label && !f.label.every((l) => labelMatches(rec, l))) return false;
    if (f.status && !f.status.includes(st)) return false;
    if (f.health && !f.health.includes(rec.state.health?.Status ?? 'none')) return false;
    if (exited.length > 0 && (st !== 'exited' || !exited.includes(rec.state.exitCode))) return false;
    if (ancestors.length > 0 && !ancestors.some((set) => set.has(rec.image))) return false;
    if (before && rec.created >= before.created) return false;
    if (since && rec.created <= since.created) return false;
    return true;
  });
  if (opts.limit && opts.limit > 0) list = list.slice(0, opts.limit);
  return list;
}
