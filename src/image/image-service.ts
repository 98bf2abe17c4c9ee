import type { Readable, Writable } from 'node:stream';
import { notImplemented, type Logger } from '../core/index.js';
import type { CreateRegistryClient, RegistryAuth, RegistryClient, RegistryOptions } from '../registry/types.js';
import type { ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary } from '../protocol/index.js';
import { ImageCatalog } from './catalog.js';
import { commitImage, type CommitImageOptions, type CommitImageService } from './commit.js';
import { importImage } from './import.js';
import { imageHistory, inspectImage } from './inspect.js';
import { listImages, type ListOptions } from './list.js';
import { loadImages } from './load.js';
import { repoTagReference } from './reference.js';
import { pruneImages, type PruneReport } from './registry/prune.js';
import { pullImage } from './registry/pull.js';
import { pushImage } from './registry/push.js';
import { saveImages } from './registry/save.js';
import { removeImage } from './remove.js';
import { resolveImageId } from './resolve.js';
import type {
  ImageRecord, ImageService, ImportOptions, ProgressOptions, PullOptions, PushOptions, RegistryImageService, RemoveImageOptions,
} from './types.js';
import type { UnpackHost } from './unpack/index.js';

/** Options of createImageService. */
export interface ImageServiceOptions {
  /** The data root; the store lives in its content/, layers/, images/ and tmp/ dirs. */
  dataRoot: string;
  logger: Logger;
  /** The privileged-call seam for unpacking (default: the real host). */
  unpackHost?: UnpackHost;
  /**
   * The registry client factory for pull and push (src/registry's createRegistryClient) and its
   * options (insecure registries, mirrors, …). Without it, pull and push throw 'not-implemented'.
   */
  registry?: { create: CreateRegistryClient; options?: RegistryOptions };
}

/** The ImageService over the on-disk store (see ARCHITECTURE.md "On disk"). */
class StoreImageService implements ImageService, RegistryImageService, CommitImageService {
  constructor(
    private readonly cat: ImageCatalog,
    private readonly host: UnpackHost | undefined,
    private readonly registry: ImageServiceOptions['registry'],
  ) {}

  async get(ref: string): Promise<ImageRecord> {
    return this.cat.record(this.cat.records.get(resolveImageId(this.cat, ref))!);
  }

  async list(opts?: ListOptions): Promise<ImageSummary[]> {
    return listImages(this.cat, opts);
  }

  async inspect(ref: string): Promise<ImageInspect> {
    return inspectImage(this.cat, await this.get(ref));
  }

  async history(ref: string): Promise<ImageHistoryItem[]> {
    return imageHistory(this.cat, await this.get(ref));
  }

  async tag(source: string, repo: string, tag?: string): Promise<void> {
    const id = resolveImageId(this.cat, source);
    const ref = repoTagReference(repo, tag);
    await this.cat.locked(async () => {
      await this.cat.setTag(ref, id);
    });
  }

  remove(ref: string, opts?: RemoveImageOptions): Promise<ImageDeleteItem[]> {
    return this.cat.locked(() => removeImage(this.cat, ref, opts));
  }

  load(tar: Readable, opts: ProgressOptions = {}): Promise<string[]> {
    return loadImages(this.cat, tar, { ...opts, ...(this.host ? { host: this.host } : {}) });
  }

  import(tar: Readable, opts: ImportOptions = {}): Promise<string> {
    return importImage(this.cat, tar, { ...opts, ...(this.host ? { host: this.host } : {}) });
  }

  commit(opts: CommitImageOptions): Promise<string> {
    return commitImage(this.cat, { ...opts, ...(this.host ? { host: this.host } : {}) });
  }

  layerDirs(image: ImageRecord): string[] {
    return image.chainIds.map((c) => this.cat.layers.diffDir(c)).reverse();
  }

  pull(ref: string, opts: PullOptions = {}): Promise<string> {
    return pullImage({ cat: this.cat, client: this.client(opts.auth), ...(this.host ? { host: this.host } : {}) }, ref, opts);
  }

  push(ref: string, opts: PushOptions = {}): Promise<void> {
    return pushImage(this.cat, this.client(opts.auth), ref, opts);
  }

  save(refs: string[], out: Writable, opts: { signal?: AbortSignal } = {}): Promise<void> {
    return saveImages(this.cat, refs, out, opts);
  }

  prune(opts: { all?: boolean; usedBy: (imageId: string) => boolean }): Promise<PruneReport> {
    return this.cat.locked(() => pruneImages(this.cat, opts));
  }

  private client(auth: RegistryAuth | undefined): RegistryClient {
    if (!this.registry) throw notImplemented('no registry client is configured');
    return this.registry.create(auth, this.registry.options);
  }
}

/**
 * Opens (or creates) the image store under `dataRoot`, removes leftovers of interrupted
 * operations and unused layers, loads the in-memory index, and returns the ImageService.
 */
export async function createImageService(opts: ImageServiceOptions): Promise<ImageService & RegistryImageService & CommitImageService> {
  const cat = await ImageCatalog.open(opts.dataRoot, opts.logger.child({ op: 'images' }));
  return new StoreImageService(cat, opts.unpackHost, opts.registry);
}
