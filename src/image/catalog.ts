import { mkdir } from 'node:fs/promises';
import {
  ContentStore, ImageRecords, LayerBlobs, LayerStore, TagStore, clearTempDirs, storePaths,
  type StorePaths, type StoredImage,
} from '../store/index.js';
import { type Logger } from '../core/index.js';
import { parseImageConfig } from './config-schema.js';
import { Mutex } from './mutex.js';
import { familiarString, parseReference, referenceString, type ImageReference } from './reference.js';
import type { ImageConfigFile, ImageRecord } from './types.js';

/** Docker's LastTagTime of an image never tagged. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/**
 * The image store as the operations in this folder share it: blobs, layers, records and tags,
 * an in-memory index of configs, one lock for metadata changes, and pins that keep layers of
 * in-flight loads from being collected.
 */
export class ImageCatalog {
  readonly content: ContentStore;
  readonly layers: LayerStore;
  readonly records: ImageRecords;
  readonly tags: TagStore;
  /** diff id → the blob the layer came as (kept for push and save). */
  readonly blobs: LayerBlobs;
  /** Layer downloads in progress, by chain id, so concurrent pulls fetch a layer once. */
  readonly inflight = new Map<string, Promise<void>>();
  private readonly configs = new Map<string, ImageConfigFile>();
  private readonly pins = new Map<string, number>();
  private readonly mutex = new Mutex();

  private constructor(readonly paths: StorePaths, readonly logger: Logger) {
    this.content = new ContentStore(paths.blobs);
    this.layers = new LayerStore(paths.layers, paths.tmp, logger);
    this.records = new ImageRecords(paths.images, logger);
    this.tags = new TagStore(paths.images, logger);
    this.blobs = new LayerBlobs(paths.layerBlobs, logger);
  }

  /**
   * Opens (creating) the store under `dataRoot`: clears tmp leftovers, drops records whose config
   * or layers are missing and tags of missing images, and removes layers no image uses.
   */
  static async open(dataRoot: string, logger: Logger): Promise<ImageCatalog> {
    const paths = storePaths(dataRoot);
    await mkdir(paths.blobs, { recursive: true, mode: 0o700 });
    const cat = new ImageCatalog(paths, logger);
    const leftovers = await clearTempDirs(paths.tmp);
    if (leftovers.length > 0) logger.info('removed leftovers of interrupted operations', { count: leftovers.length });
    await cat.layers.open();
    await cat.records.open();
    await cat.tags.open();
    await cat.blobs.open();
    for (const rec of cat.records.all()) {
      try {
        if (!rec.chainIds.every((c) => cat.layers.has(c))) throw new Error('missing layer');
        cat.configs.set(rec.id, parseImageConfig(await cat.content.read(rec.id)));
      } catch (err) {
        logger.warn('dropping broken image record', { image: rec.id, err });
        await cat.records.delete(rec.id);
      }
    }
    if (cat.tags.retain((id) => cat.configs.has(id)).length > 0) await cat.tags.save();
    await cat.collectLayers();
    await cat.collectBlobs();
    return cat;
  }

  /** Runs a metadata change under the store's lock. */
  locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.run(fn);
  }

  /** Keeps layers from being collected until the returned function is called. */
  pin(chainIds: readonly string[]): () => void {
    for (const c of chainIds) this.pins.set(c, (this.pins.get(c) ?? 0) + 1);
    return () => {
      for (const c of chainIds) {
        const n = (this.pins.get(c) ?? 1) - 1;
        if (n <= 0) this.pins.delete(c);
        else this.pins.set(c, n);
      }
    };
  }

  /**
   * Removes layers that no image record uses and no operation pins (among `candidates`, or all
   * layers); returns their chain ids.
   */
  async collectLayers(candidates?: readonly string[]): Promise<string[]> {
    const used = new Set(this.records.all().flatMap((r) => r.chainIds));
    const removed: string[] = [];
    for (const c of [...(candidates ?? this.layers.all())].reverse()) {
      if (!this.layers.has(c)) continue;
      if (used.has(c) || this.pins.has(c)) continue;
      await this.layers.remove(c);
      removed.push(c);
    }
    if (removed.length > 0) await this.collectBlobs();
    return removed;
  }

  /** Removes layer blobs (and their mapping) whose diff id no stored layer has any more. */
  async collectBlobs(): Promise<void> {
    const live = new Set(this.layers.all().map((c) => this.layers.get(c)?.diffId));
    const keep = new Set<string>();
    const drop: string[] = [];
    for (const diffId of this.blobs.diffIds()) {
      const blob = this.blobs.get(diffId)!;
      if (live.has(diffId)) keep.add(blob.digest);
      else drop.push(diffId);
    }
    if (drop.length === 0) return;
    for (const diffId of drop) {
      const digest = this.blobs.get(diffId)!.digest;
      this.blobs.delete(diffId);
      if (!keep.has(digest) && !this.records.get(digest)) await this.content.remove(digest);
    }
    await this.blobs.save();
  }

  /** The parsed config of a stored image. */
  config(id: string): ImageConfigFile | undefined {
    return this.configs.get(id);
  }

  /** Ids of every stored image. */
  ids(): string[] {
    return this.records.all().map((r) => r.id);
  }

  /**
   * Stores an image whose layers are already committed (config blob first, record last), under
   * the lock. An existing record is kept. Returns the id.
   */
  async addImage(configBytes: Uint8Array, config: ImageConfigFile, chainIds: readonly string[], parent?: string): Promise<string> {
    const id = await this.content.put(configBytes);
    if (this.records.get(id)) return id;
    const size = chainIds.reduce((sum, c) => sum + (this.layers.get(c)?.size ?? 0), 0);
    await this.records.put({ id, chainIds, size, added: new Date().toISOString(), lastTagTime: '', ...(parent ? { parent } : {}) });
    this.configs.set(id, config);
    return id;
  }

  /**
   * Points a tag (or digest reference) at an image and saves; returns the image it pointed at
   * before, if another. Call under the lock.
   */
  async setTag(ref: ImageReference, id: string): Promise<string | undefined> {
    const prev = this.tags.set({ ref: referenceString(ref), name: `${ref.domain}/${ref.path}`, id });
    await this.tags.save();
    const rec = this.records.get(id);
    if (rec) await this.records.put({ ...rec, lastTagTime: new Date().toISOString() });
    return prev === id ? undefined : prev;
  }

  /** Deletes an image record and its config blob (tags must be gone already). Call under the lock. */
  async deleteImage(id: string): Promise<void> {
    await this.records.delete(id);
    this.configs.delete(id);
    await this.content.remove(id);
  }

  /** The full record of a stored image, as the ImageService contract returns it. */
  record(stored: StoredImage): ImageRecord {
    const refs = this.tags.refsOf(stored.id).map((e) => parseReference(e.ref));
    return {
      id: stored.id,
      config: this.configs.get(stored.id)!,
      repoTags: refs.filter((r) => r.digest === undefined).map((r) => familiarString(r)).sort(),
      repoDigests: refs.filter((r) => r.digest !== undefined).map((r) => familiarString(r)).sort(),
      chainIds: stored.chainIds,
      size: stored.size,
      lastTagTime: stored.lastTagTime === '' ? ZERO_TIME : stored.lastTagTime,
      parent: stored.parent ?? '',
    };
  }
}
