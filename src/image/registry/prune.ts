import type { ImageCatalog } from '../catalog.js';
import { familiarString, parseReference } from '../reference.js';

/** The answer of POST /images/prune, in Docker's shape. */
export interface PruneReport {
  ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }> | null;
  SpaceReclaimed: number;
}

/**
 * POST /images/prune: removes dangling images (no tag), or with `all` every image, that no
 * container uses; then the layers nothing else uses. SpaceReclaimed sums the removed layers.
 * Call under the catalog lock.
 */
export async function pruneImages(cat: ImageCatalog, opts: { all?: boolean; usedBy: (imageId: string) => boolean }): Promise<PruneReport> {
  const deleted: Array<{ Untagged?: string; Deleted?: string }> = [];
  let reclaimed = 0;
  for (const id of cat.ids().sort()) {
    const refs = cat.tags.refsOf(id);
    const tagged = refs.some((e) => parseReference(e.ref).tag !== undefined);
    if ((tagged && !opts.all) || opts.usedBy(id)) continue;
    for (const e of refs) {
      cat.tags.delete(e.ref);
      deleted.push({ Untagged: familiarString(parseReference(e.ref)) });
    }
    if (refs.length > 0) await cat.tags.save();
    const chain = cat.records.get(id)?.chainIds ?? [];
    await cat.deleteImage(id);
    deleted.push({ Deleted: id });
    const sizes = new Map(chain.map((c) => [c, cat.layers.get(c)?.size ?? 0]));
    for (const c of await cat.collectLayers(chain)) {
      deleted.push({ Deleted: c });
      reclaimed += sizes.get(c) ?? 0;
    }
  }
  return { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
}
