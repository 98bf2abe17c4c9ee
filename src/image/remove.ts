import { conflict, shortId } from '../core/index.js';
import type { ImageDeleteItem } from '../protocol/index.js';
import type { ImageCatalog } from './catalog.js';
import { familiarString, parseReference, referenceString, withDefaultTag, type ImageReference } from './reference.js';
import { resolveImageId } from './resolve.js';
import type { RemoveImageOptions } from './types.js';

function isIdPrefix(id: string, ref: string): boolean {
  return id.startsWith(ref) || id.slice('sha256:'.length).startsWith(ref);
}

/** All references in one repository and at most one of them a tag (Moby's isSingleReference). */
function isSingleReference(refs: ImageReference[]): boolean {
  if (refs.length <= 1) return refs.length === 1;
  const tags = refs.filter((r) => r.digest === undefined);
  if (tags.length > 1) return false;
  const digestNames = new Set(refs.filter((r) => r.digest !== undefined).map((r) => `${r.domain}/${r.path}`));
  const single = tags[0] ?? refs[0]!;
  return digestNames.size === 1 && digestNames.has(`${single.domain}/${single.path}`);
}

interface Conflict {
  readonly hard: boolean;
  readonly used: boolean;
  readonly message: string;
}

function deleteConflict(id: string, c: Conflict): Error {
  return conflict(`conflict: unable to delete ${shortId(id)} (${c.hard ? 'cannot be forced' : 'must be forced'}) - ${c.message}`);
}

/**
 * DELETE /images/{name}, with Docker's semantics (Moby's ImageDelete): a name untags; the image
 * goes when its last reference does (or when removed by id), then layers nothing else uses.
 * Throws 'not-found' for an unknown image and 'conflict' (Docker's wording) when references or
 * containers keep it. Call under the catalog lock.
 */
export async function removeImage(cat: ImageCatalog, ref: string, opts: RemoveImageOptions = {}): Promise<ImageDeleteItem[]> {
  const id = resolveImageId(cat, ref);
  const records: ImageDeleteItem[] = [];
  const refsOf = (): ImageReference[] => cat.tags.refsOf(id).map((e) => parseReference(e.ref));
  const user = opts.usedBy?.(id);
  const force = opts.force ?? false;
  let quiet = false;
  if (!isIdPrefix(id, ref)) {
    if (!force && isSingleReference(refsOf()) && user) {
      throw conflict(`conflict: unable to remove repository reference "${ref}" (must force) - container ${shortId(user.id)} is using its referenced image ${shortId(id)}`);
    }
    const named = withDefaultTag(parseReference(ref));
    cat.tags.delete(referenceString(named));
    records.push({ Untagged: familiarString(named) });
    if (named.digest === undefined) {
      const sameRepo = (r: ImageReference): boolean => r.domain === named.domain && r.path === named.path;
      if (!refsOf().some((r) => r.digest === undefined && sameRepo(r))) {
        for (const r of refsOf().filter((r) => r.digest !== undefined && sameRepo(r))) {
          cat.tags.delete(referenceString(r));
          records.push({ Untagged: familiarString(r) });
        }
      }
    }
    await cat.tags.save();
    if (refsOf().length > 0) return records;
    quiet = true;
  } else if (isSingleReference(refsOf())) {
    const c = checkConflicts(cat, id, user, { soft: !force, references: false });
    if (c) throw deleteConflict(id, c);
    untagAll(cat, id, records);
    await cat.tags.save();
  }
  const c = checkConflicts(cat, id, user, { soft: !force, references: true });
  if (c) {
    if (quiet && (refsOf().length > 0 || c.used)) return records;
    throw deleteConflict(id, c);
  }
  untagAll(cat, id, records);
  await cat.tags.save();
  const parent = cat.records.get(id)?.parent;
  await deleteWithLayers(cat, id, records);
  if (!opts.noPrune) await pruneParents(cat, parent, opts, records);
  return records;
}

async function deleteWithLayers(cat: ImageCatalog, id: string, records: ImageDeleteItem[]): Promise<void> {
  const chain = cat.records.get(id)?.chainIds ?? [];
  await cat.deleteImage(id);
  records.push({ Deleted: id });
  for (const layer of await cat.collectLayers(chain)) records.push({ Deleted: layer });
}

/**
 * Docker's prune after a removal (unless `noprune`): the parents the image was committed or built
 * on go too, one after the other, while they have no tag, no other child and no container, as the
 * intermediate images of a classic build do.
 */
async function pruneParents(cat: ImageCatalog, parent: string | undefined, opts: RemoveImageOptions, records: ImageDeleteItem[]): Promise<void> {
  while (parent !== undefined) {
    const rec = cat.records.get(parent);
    if (!rec || cat.tags.refsOf(parent).length > 0 || opts.usedBy?.(parent)) return;
    const p = parent;
    if (cat.records.all().some((r) => r.parent === p)) return;
    parent = rec.parent;
    await deleteWithLayers(cat, p, records);
  }
}

function untagAll(cat: ImageCatalog, id: string, records: ImageDeleteItem[]): void {
  for (const e of cat.tags.refsOf(id)) {
    cat.tags.delete(e.ref);
    records.push({ Untagged: familiarString(parseReference(e.ref)) });
  }
}

function checkConflicts(
  cat: ImageCatalog, id: string, user: { id: string; running: boolean } | undefined, mask: { soft: boolean; references: boolean },
): Conflict | undefined {
  if (user?.running) return { hard: true, used: true, message: `image is being used by running container ${shortId(user.id)}` };
  if (!mask.soft) return undefined;
  if (mask.references && cat.tags.refsOf(id).length > 0) {
    return { hard: false, used: false, message: 'image is referenced in multiple repositories' };
  }
  if (user) return { hard: false, used: true, message: `image is being used by stopped container ${shortId(user.id)}` };
  return undefined;
}
