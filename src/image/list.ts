import { invalidArgument } from '../core/index.js';
import type { ImageSummary } from '../protocol/index.js';
import type { ImageCatalog } from './catalog.js';
import { familiarName, parseReference } from './reference.js';
import { resolveImageId } from './resolve.js';
import type { ImageConfigFile, ImageRecord } from './types.js';

/** Options of GET /images/json, as the ImageService contract takes them. */
export interface ListOptions {
  all?: boolean;
  filters?: Record<string, string[]>;
  containersUsing?: (id: string) => number;
}

const FILTERS = new Set(['reference', 'dangling', 'label', 'before', 'since']);

/** Unix seconds of the config's `created`, 0 when absent. */
export function createdSeconds(config: ImageConfigFile): number {
  const t = config.created ? Date.parse(config.created) : NaN;
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

/** Go's path.Match for the glob characters Docker users write (`*`, `?`, `[...]`). */
function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '[' || ch === ']') re += ch;
    else re += ch.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function matchesReference(patterns: string[], tag: string): boolean {
  const name = familiarName(parseReference(tag));
  return patterns.some((p) => {
    const re = globToRegExp(p);
    const hasTag = p.lastIndexOf(':') > p.lastIndexOf('/');
    return re.test(tag) || (!hasTag && re.test(name));
  });
}

function matchesLabels(wanted: string[], labels: Record<string, string>): boolean {
  return wanted.every((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? w in labels : labels[w.slice(0, eq)] === w.slice(eq + 1);
  });
}

function boolFilter(values: string[] | undefined): boolean | undefined {
  if (!values || values.length === 0) return undefined;
  const v = values[values.length - 1]!.toLowerCase();
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw invalidArgument(`invalid filter 'dangling=${values[values.length - 1]!}'`);
}

/**
 * GET /images/json: Docker's ImageSummary per image, newest first, with the `reference`,
 * `dangling`, `label`, `before` and `since` filters. Throws 'invalid-argument' for an unknown filter.
 */
export function listImages(cat: ImageCatalog, opts: ListOptions = {}): ImageSummary[] {
  const filters = opts.filters ?? {};
  for (const key of Object.keys(filters)) if (!FILTERS.has(key)) throw invalidArgument(`invalid filter '${key}'`);
  const dangling = boolFilter(filters.dangling);
  const createdOf = (ref: string): number => createdSeconds(cat.config(resolveImageId(cat, ref))!);
  const before = filters.before?.map(createdOf);
  const since = filters.since?.map(createdOf);
  const out: ImageSummary[] = [];
  const parents = new Set(cat.records.all().flatMap((r) => (r.parent ? [r.parent] : [])));
  for (const stored of cat.records.all()) {
    const rec: ImageRecord = cat.record(stored);
    // without `all`, untagged images that others were built on (a build's intermediate images) are hidden, as Docker hides them
    if (!opts.all && rec.repoTags.length === 0 && rec.repoDigests.length === 0 && parents.has(rec.id)) continue;
    const created = createdSeconds(rec.config);
    if (dangling !== undefined && (rec.repoTags.length === 0) !== dangling) continue;
    if (before && !before.every((b) => created < b)) continue;
    if (since && !since.every((s) => created > s)) continue;
    const labels = rec.config.config?.Labels ?? {};
    if (filters.label && !matchesLabels(filters.label, labels)) continue;
    let repoTags = [...rec.repoTags];
    if (filters.reference && filters.reference.length > 0) {
      repoTags = repoTags.filter((t) => matchesReference(filters.reference!, t));
      if (repoTags.length === 0) continue;
    }
    out.push({
      Id: rec.id,
      ParentId: rec.parent,
      RepoTags: repoTags,
      RepoDigests: [...rec.repoDigests],
      Created: created,
      Size: rec.size,
      SharedSize: -1,
      VirtualSize: rec.size,
      Labels: rec.config.config?.Labels ?? null,
      Containers: opts.containersUsing ? opts.containersUsing(rec.id) : -1,
    });
  }
  return out.sort((a, b) => b.Created - a.Created || a.Id.localeCompare(b.Id));
}
