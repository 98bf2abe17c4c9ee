import type { ImageHistoryItem, ImageInspect } from '../protocol/index.js';
import type { ImageCatalog } from './catalog.js';
import { createdSeconds } from './list.js';
import type { ImageRecord } from './types.js';

/** GET /images/{name}/json for a record: Docker's ImageInspect, with overlay2-style GraphDriver data. */
export function inspectImage(cat: ImageCatalog, rec: ImageRecord): ImageInspect {
  const c = rec.config;
  const dirs = rec.chainIds.map((id) => cat.layers.diffDir(id)).reverse();
  const top = dirs[0];
  const data: Record<string, string> | null = top === undefined ? null : {
    ...(dirs.length > 1 ? { LowerDir: dirs.slice(1).join(':') } : {}),
    MergedDir: top.replace(/\/diff$/, '/merged'),
    UpperDir: top,
    WorkDir: top.replace(/\/diff$/, '/work'),
  };
  return {
    Id: rec.id,
    RepoTags: [...rec.repoTags],
    RepoDigests: [...rec.repoDigests],
    Parent: rec.parent,
    // Moby: an image without a comment shows its last history entry's (docker commit -m)
    Comment: c.comment || (c.history?.at(-1)?.comment ?? ''),
    Created: c.created ?? '',
    DockerVersion: c.docker_version ?? '',
    Author: c.author ?? '',
    Config: c.config ?? {},
    Architecture: c.architecture,
    ...(c.variant ? { Variant: c.variant } : {}),
    Os: c.os,
    Size: rec.size,
    VirtualSize: rec.size,
    GraphDriver: { Name: 'overlay2', Data: data },
    RootFS: { Type: 'layers', Layers: [...c.rootfs.diff_ids] },
    Metadata: { LastTagTime: rec.lastTagTime },
  };
}

/**
 * GET /images/{name}/history: one row per config history entry, newest first; the top row
 * carries the image id and tags, the others `<missing>` (as Docker shows images it did not build).
 * Without history, one row per layer.
 */
export function imageHistory(cat: ImageCatalog, rec: ImageRecord): ImageHistoryItem[] {
  const layerSizes = rec.chainIds.map((id) => cat.layers.get(id)?.size ?? 0);
  const history = rec.config.history ?? layerSizes.map(() => ({ created: rec.config.created ?? '' }));
  let layer = 0;
  const rows: ImageHistoryItem[] = history.map((h) => {
    const empty = 'empty_layer' in h && h.empty_layer === true;
    const size = empty ? 0 : (layerSizes[layer++] ?? 0);
    const created = h.created ? Math.floor(Date.parse(h.created) / 1000) : createdSeconds(rec.config);
    return {
      Id: '<missing>',
      Created: Number.isNaN(created) ? 0 : created,
      CreatedBy: ('created_by' in h ? h.created_by : undefined) ?? '',
      Tags: null,
      Size: size,
      Comment: ('comment' in h ? h.comment : undefined) ?? '',
    };
  });
  rows.reverse();
  if (rows[0]) rows[0] = { ...rows[0], Id: rec.id, Tags: rec.repoTags.length > 0 ? [...rec.repoTags] : null };
  return rows;
}
