import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { internal } from '../../core/index.js';
import { MEDIA_TYPES } from '../../registry/types.js';
import { makeTempDir, type LayerBlob } from '../../store/index.js';
import type { ImageCatalog } from '../catalog.js';
import { decompressStream, sniffCompression } from '../unpack/index.js';
import { layerTar } from './layer-tar.js';

/** Media types whose blobs are gzip streams a Docker schema 2 manifest may name. */
const GZIP_TYPES: ReadonlySet<string> = new Set([MEDIA_TYPES.dockerLayer, MEDIA_TYPES.ociLayerGzip]);

/** A foreign (non-distributable) layer with URLs: Docker does not push it, the manifest names its URLs. */
export function isForeign(blob: LayerBlob): boolean {
  return (blob.urls?.length ?? 0) > 0 && /foreign|nondistributable/.test(blob.mediaType);
}

/** The uncompressed tar of a layer as a stream: the kept blob decompressed, else rebuilt from the diff dir. */
export async function plainLayer(cat: ImageCatalog, diffId: string, chainId: string): Promise<Readable> {
  const blob = cat.blobs.get(diffId);
  if (blob && (await cat.content.has(blob.digest))) return decompressStream(cat.content.stream(blob.digest));
  return layerTar(cat.layers.diffDir(chainId));
}

/**
 * The gzip blob of a layer for push: the kept blob when it is gzip (the digests it was pulled as),
 * else one made now (from the kept blob or the diff dir), stored and recorded. The uncompressed
 * content must hash to `diffId`, else 'internal' (the layer cannot be reproduced).
 */
export async function gzipLayerBlob(cat: ImageCatalog, diffId: string, chainId: string): Promise<LayerBlob> {
  const kept = cat.blobs.get(diffId);
  if (kept && isForeign(kept)) return kept;
  if (kept && GZIP_TYPES.has(kept.mediaType) && (await cat.content.has(kept.digest))) return kept;
  const work = await makeTempDir(cat.paths.tmp, 'blob');
  try {
    const file = join(work, 'blob');
    const plainHash = createHash('sha256');
    const blobHash = createHash('sha256');
    let size = 0;
    await pipeline(
      await plainLayer(cat, diffId, chainId),
      hashing(plainHash, () => undefined),
      createGzip(),
      hashing(blobHash, (n) => {
        size += n;
      }),
      createWriteStream(file, { mode: 0o600 }),
    );
    const got = `sha256:${plainHash.digest('hex')}`;
    if (got !== diffId) throw internal(`layer ${diffId} cannot be reproduced from its files (got ${got})`);
    const blob: LayerBlob = { digest: `sha256:${blobHash.digest('hex')}`, mediaType: MEDIA_TYPES.dockerLayer, size, sources: [] };
    await cat.locked(async () => {
      await cat.content.adopt(file, blob.digest);
      cat.blobs.set(diffId, blob);
      await cat.blobs.save();
    });
    return cat.blobs.get(diffId) ?? blob;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function hashing(hash: ReturnType<typeof createHash>, count: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      count(chunk.length);
      cb(null, chunk);
    },
  });
}

/**
 * Keeps a loaded layer's blob (a verified spooled file) in the content store and records it for
 * the diff id, unless a blob is already recorded. Call under the catalog lock.
 */
export async function keepLoadedBlob(cat: ImageCatalog, file: { file: string; digest: string; size: number }, diffId: string): Promise<void> {
  if (cat.blobs.get(diffId)) return;
  const fh = await open(file.file, 'r');
  const head = Buffer.alloc(6);
  try {
    await fh.read(head, 0, 6, 0);
  } finally {
    await fh.close();
  }
  const kind = sniffCompression(head);
  const mediaType = kind === 'gzip' ? MEDIA_TYPES.dockerLayer : kind === 'zstd' ? MEDIA_TYPES.ociLayerZstd
    : kind === 'none' ? MEDIA_TYPES.ociLayer : undefined;
  if (mediaType === undefined) return;
  if (file.digest !== diffId && kind === 'none') return;
  await cat.content.adopt(file.file, file.digest, { keep: true });
  cat.blobs.set(diffId, { digest: file.digest, mediaType, size: file.size, sources: [] });
  await cat.blobs.save();
}
