/**
 * `docker commit` on the image side: a new image made of a parent image's layers plus one layer
 * from a tar stream, with a config built as Moby's image.NewChildImage does.
 */
import { mkdir, open, rename, rm, rmdir } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { wrapError } from '../core/index.js';
import type { ContainerConfig } from '../protocol/index.js';
import { ENGINE_VERSION } from '../protocol/index.js';
import { chainIds, makeTempDir, type LayerInfo } from '../store/index.js';
import type { ImageCatalog } from './catalog.js';
import { keepingTap } from './import.js';
import { repoTagReference, type ImageReference } from './reference.js';
import { keepLoadedBlob } from './registry/layer-blob.js';
import { resolveImageId } from './resolve.js';
import type { ImageConfigFile } from './types.js';
import { unpackLayer, type UnpackHost } from './unpack/index.js';
import { forEachTarEntry } from './unpack/each-entry.js';

/** The diff id of a tar with no members (1024 zero bytes): Moby's layer.DigestSHA256EmptyTar. */
export const EMPTY_TAR_DIFF_ID = 'sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';

/** What a commit stores: see commitImage. */
export interface CommitImageOptions {
  /** Id of the image the container was created from; '' for none (a build `FROM scratch`). */
  parent: string;
  /** Opens the new layer as an uncompressed tar in OCI/Docker layer format (`.wh.` whiteouts). */
  layer: () => Readable;
  /** The new image's config (the container's, with the changes applied and merged). */
  config: ContainerConfig;
  /** The committed container's own config, kept as `container_config`. */
  containerConfig: ContainerConfig;
  containerId: string;
  /** The history entry's `created_by` (Docker: the container's Cmd joined by spaces). */
  createdBy: string;
  author?: string;
  comment?: string;
  /** Repository and tag to give the image; none leaves it untagged. */
  repo?: string;
  tag?: string;
  signal?: AbortSignal;
  /**
   * A directory already in the layer store's format (overlay whiteouts and opaque markers: a
   * never-started container's upper dir) whose files become the layer as they are: moved into
   * the store instead of written a second time from the tar. The tar, still needed for the diff
   * id and the blob, is then made by `layerOf` from where the directory has moved. The directory
   * is gone afterwards, whatever happens. When it cannot be moved (another filesystem), `layer`
   * is used as without it.
   */
  adopt?: { dir: string; layerOf: (dir: string) => Readable };
}

/** The image store's side of `docker commit` (implemented by the store's image service). */
export interface CommitImageService {
  /** See commitImage. */
  commit(opts: CommitImageOptions): Promise<string>;
}

/** An image config as Moby writes one for a commit (V1Image fields, then rootfs and history). */
interface CommitConfigFile extends ImageConfigFile {
  container?: string;
}

/**
 * Stores the layer (unpacked into the layer store, its tar kept as the blob so push and save
 * reproduce it) and the image, and tags it. An empty layer is not stored: the history entry says
 * `empty_layer`, as Docker does. Atomic: on failure or abort nothing new stays visible.
 * Throws 'not-found' for a missing parent, 'invalid-argument' for a bad repository or tag.
 * Returns the image id.
 */
export async function commitImage(cat: ImageCatalog, opts: CommitImageOptions & { host?: UnpackHost }): Promise<string> {
  const ref: ImageReference | undefined = opts.repo ? repoTagReference(opts.repo, opts.tag) : undefined;
  // '' is `FROM scratch` (the builder): no parent, no layers
  const parentId = opts.parent === '' ? undefined : resolveImageId(cat, opts.parent);
  const parent = parentId === undefined ? scratchConfig() : cat.config(parentId)!;
  const parentChain = parentId === undefined ? [] : [...cat.records.get(parentId)!.chainIds];
  const unpinParent = cat.pin(parentChain);
  let unpinLayer = (): void => undefined;
  try {
    const layer = await storeLayer(cat, parentChain.at(-1) ?? '', opts, (chainId) => {
      const unpin = cat.pin([chainId]);
      unpinLayer = () => {
        unpinLayer = () => undefined;
        unpin();
      };
    });
    try {
      opts.signal?.throwIfAborted();
      const created = new Date().toISOString();
      const config = childConfig(parent, layer?.diffId, { ...opts, created });
      const bytes = Buffer.from(JSON.stringify(config));
      return await cat.locked(async () => {
        const id = await cat.addImage(bytes, config, layer ? [...parentChain, layer.chainId] : parentChain, parentId);
        if (ref) await cat.setTag(ref, id);
        cat.logger.info('image committed', { image: id, container: opts.containerId });
        return id;
      });
    } catch (err) {
      // the layer no image uses goes again (unless another image shares it)
      unpinLayer();
      if (layer) await cat.locked(() => cat.collectLayers([layer.chainId])).catch(() => undefined);
      throw wrapError(err, 'committing image');
    }
  } finally {
    unpinLayer();
    unpinParent();
  }
}

/** The parent config of an image built `FROM scratch`: the host platform, no layers, no history. */
function scratchConfig(): ImageConfigFile {
  const arch = ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<string, string>)[process.arch];
  return { architecture: arch ?? process.arch, os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, history: [] };
}

/** The config of the child image, field by field as Moby's NewChildImage fills it. */
export function childConfig(
  parent: ImageConfigFile, diffId: string | undefined, o: Omit<CommitImageOptions, 'layer' | 'parent'> & { created: string },
): CommitConfigFile {
  const history = {
    ...(o.author ? { author: o.author } : {}),
    created: o.created,
    ...(o.createdBy ? { created_by: o.createdBy } : {}),
    ...(o.comment ? { comment: o.comment } : {}),
    ...(diffId === undefined ? { empty_layer: true } : {}),
  };
  return {
    created: o.created,
    container: o.containerId,
    container_config: o.containerConfig,
    docker_version: ENGINE_VERSION,
    ...(o.author ? { author: o.author } : {}),
    config: o.config,
    architecture: parent.architecture,
    ...(parent.variant ? { variant: parent.variant } : {}),
    os: parent.os || 'linux',
    rootfs: { type: 'layers', diff_ids: diffId === undefined ? [...parent.rootfs.diff_ids] : [...parent.rootfs.diff_ids, diffId] },
    history: [...(parent.history ?? []), history],
  };
}

/**
 * Unpacks the layer tar into a pending layer while keeping its bytes as the blob, then commits
 * both. Returns undefined for an empty layer. `pin` is called with the chain id before the layer
 * becomes visible, so a concurrent collection cannot take it before the image record exists.
 */
async function storeLayer(
  cat: ImageCatalog, parentChainId: string, opts: CommitImageOptions & { host?: UnpackHost }, pin: (chainId: string) => void,
): Promise<LayerInfo | undefined> {
  const pending = await cat.layers.begin();
  const work = await makeTempDir(cat.paths.tmp, 'commit');
  try {
    const blob = join(work, 'blob');
    const fh = await open(blob, 'wx', 0o600);
    const tap = keepingTap(fh);
    let result;
    try {
      const adopted = opts.adopt !== undefined && (await moveInto(opts.adopt.dir, pending.diff));
      const src = adopted ? opts.adopt!.layerOf(pending.diff) : opts.layer();
      const tapped = src.on('error', (err) => tap.stream.destroy(err)).pipe(tap.stream);
      // adopted: the tap hashes the uncompressed tar it keeps as the blob, which is the diff id
      result = adopted
        ? { size: await regularFileBytes(tapped, opts.signal), diffId: tap.digest() }
        : await unpackLayer(tapped, pending.diff, {
          logger: cat.logger,
          ...(opts.host ? { host: opts.host } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
        });
    } finally {
      await fh.close();
    }
    opts.signal?.throwIfAborted();
    if (result.diffId === EMPTY_TAR_DIFF_ID) {
      await cat.layers.abort(pending);
      return undefined;
    }
    const diffId = result.diffId;
    pin(parentChainId === '' ? diffId : chainIds([parentChainId, diffId])[1]!);
    return await cat.locked(async () => {
      await keepLoadedBlob(cat, { file: blob, digest: tap.digest(), size: tap.size() }, diffId);
      return cat.layers.commit(pending, { diffId, parent: parentChainId, size: result.size });
    });
  } catch (err) {
    await cat.layers.abort(pending);
    throw wrapError(err, 'committing layer');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Moves `dir` to be the pending layer's files (its empty `diff` replaced); false if it cannot. */
async function moveInto(dir: string, diff: string): Promise<boolean> {
  await rmdir(diff);
  try {
    await rename(dir, diff);
    return true;
  } catch {
    await mkdir(diff, { mode: 0o755 });
    return false;
  }
}

/** The bytes of a layer tar's regular files (what unpacking reports as the layer's size), read without writing a file. */
async function regularFileBytes(tarStream: Readable, signal?: AbortSignal): Promise<number> {
  let size = 0;
  await forEachTarEntry(tarStream, async (header, body) => {
    if (header.type === 'file' || header.type === 'contiguous-file') size += header.size ?? 0;
    body.resume();
    await finished(body);
  }, { ...(signal ? { signal } : {}), streamError: (err) => err });
  return size;
}
