/**
 * `--cache-from` (`cachefrom`) as Docker's classic builder uses it (moby image/cache
 * `ImageCache.GetCache`): an image named there satisfies a step when its history starts with
 * the step's parent image (same history entries, same layers) and the next history entry was
 * recorded by the same instruction (`created_by`). The step's result is then that image itself
 * when the entry is its last one and the config matches, otherwise an image restored from the
 * parent plus that entry and its layer, with the step's config (moby `restoreCachedImage`).
 * Restored images are stored through `load` of a small docker-archive whose layers all exist
 * already (so no layer is read); no layer is ever copied.
 */
import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import tar from 'tar-stream';
import type { ImageConfigFile, ImageRecord } from '../image/index.js';
import type { ImageService } from '../image/types.js';
import { ENGINE_VERSION, type ContainerConfig } from '../protocol/index.js';

type History = NonNullable<ImageConfigFile['history']>[number];

/** The cache-from images of one build. */
export class CacheFromSources {
  private constructor(private readonly sources: readonly ImageRecord[], private readonly images: ImageService) {}

  /** Resolves the references; unknown ones are skipped, as Docker skips them. */
  static async open(refs: readonly string[], images: ImageService): Promise<CacheFromSources> {
    const found: ImageRecord[] = [];
    for (const ref of refs) {
      const image = await images.get(ref).catch(() => undefined);
      if (image && !found.some((f) => f.id === image.id)) found.push(image);
    }
    return new CacheFromSources(found, images);
  }

  /**
   * The image a source offers for the step on `parent` (undefined: `FROM scratch`, nothing
   * committed yet) recorded as `createdBy`, with `config` after the step; undefined when none has it.
   */
  async lookup(parent: ImageRecord | undefined, createdBy: string, config: ContainerConfig, o: { signal?: AbortSignal } = {}): Promise<ImageRecord | undefined> {
    const parentHistory = parent?.config.history ?? [];
    for (const target of this.sources) {
      const history = target.config.history ?? [];
      if (!validParent(target.config, parent?.config) || history[parentHistory.length]?.created_by !== createdBy) continue;
      const plain = JSON.parse(JSON.stringify(config)) as unknown;
      if (history.length - 1 === parentHistory.length && isDeepStrictEqual(target.config.config ?? {}, plain)) return target;
      return this.restore(parent?.config, target.config, config, o);
    }
    return undefined;
  }

  /** The parent plus the target's next history entry and its layer, with the step's config. */
  private async restore(parent: ImageConfigFile | undefined, target: ImageConfigFile, config: ContainerConfig, o: { signal?: AbortSignal }): Promise<ImageRecord> {
    const history = [...(parent?.history ?? [])];
    const entry = (target.history ?? [])[history.length]!;
    history.push(entry);
    const diffIds = [...(parent?.rootfs.diff_ids ?? [])];
    const layer = layerOfEntry(target, history.length - 1);
    if (layer !== undefined) diffIds.push(layer);
    const file: ImageConfigFile = {
      architecture: target.architecture, ...(target.variant ? { variant: target.variant } : {}), os: target.os,
      ...(target.author ? { author: target.author } : {}), ...(entry.created ? { created: entry.created } : {}),
      docker_version: ENGINE_VERSION, config, rootfs: { type: 'layers', diff_ids: diffIds }, history,
    };
    const bytes = Buffer.from(JSON.stringify(file));
    await this.images.load(archiveOf(bytes, diffIds.length), o.signal ? { signal: o.signal } : {});
    return this.images.get(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  }
}

/** moby's isValidParent: `img`'s history and layers start with all of `parent`'s. */
function validParent(img: ImageConfigFile, parent: ImageConfigFile | undefined): boolean {
  const history = img.history ?? [];
  if (history.length === 0) return false;
  const ph = parent?.history ?? [];
  const pd = parent?.rootfs.diff_ids ?? [];
  if (ph.length === 0 && pd.length === 0) return true;
  if (ph.length >= history.length || pd.length > img.rootfs.diff_ids.length) return false;
  return ph.every((h, i) => sameEntry(h, history[i])) && pd.every((d, i) => d === img.rootfs.diff_ids[i]);
}

function sameEntry(a: History, b: History | undefined): boolean {
  return b !== undefined && isDeepStrictEqual(JSON.parse(JSON.stringify(a)), JSON.parse(JSON.stringify(b)));
}

/** The diff id of the layer history entry `index` added (moby getLayerForHistoryIndex); undefined for an empty layer. */
function layerOfEntry(img: ImageConfigFile, index: number): string | undefined {
  const history = img.history ?? [];
  if (history[index]?.empty_layer) return undefined;
  const before = history.slice(0, index).filter((h) => !h.empty_layer).length;
  return img.rootfs.diff_ids[before];
}

/**
 * A docker-archive holding only `config` and an empty placeholder for each of its `layers`:
 * load skips layers it has already, and every layer of a restored image is a source's layer.
 */
function archiveOf(config: Buffer, layers: number): Readable {
  const pack = tar.pack();
  const manifest = [{ Config: 'config.json', RepoTags: null, Layers: Array.from({ length: layers }, () => 'layer.tar') }];
  pack.entry({ name: 'manifest.json', mode: 0o644 }, JSON.stringify(manifest));
  pack.entry({ name: 'config.json', mode: 0o644 }, config);
  pack.entry({ name: 'layer.tar', mode: 0o644 }, Buffer.alloc(1024));
  pack.finalize();
  const out = new PassThrough();
  pack.on('error', (err: Error) => out.destroy(err));
  pack.pipe(out);
  return out;
}
