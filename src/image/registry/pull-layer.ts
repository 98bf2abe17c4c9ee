import { createWriteStream, type WriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { invalidArgument, wrapError } from '../../core/index.js';
import type { Descriptor, RegistryClient, RepoRef } from '../../registry/types.js';
import { makeTempDir } from '../../store/index.js';
import type { ImageCatalog } from '../catalog.js';
import { unpackLayer, type UnpackHost } from '../unpack/index.js';
import { isForeignLayer } from './manifest.js';
import { layerStatus, progressBar, throttledProgress, type Emit } from './progress.js';

/** What downloading one layer needs. */
export interface LayerFetch {
  readonly cat: ImageCatalog;
  readonly client: RegistryClient;
  readonly repo: RepoRef;
  readonly host?: UnpackHost;
  readonly signal?: AbortSignal;
  readonly emit: Emit;
}

/** One layer of the image being pulled. */
export interface LayerJob {
  readonly desc: Descriptor;
  readonly diffId: string;
  /** Chain id of the layer below, or ''. */
  readonly parent: string;
  /** Progress id: the first 12 hex digits of the blob digest. */
  readonly id: string;
}

/**
 * Downloads a layer blob and unpacks it as it arrives (download, decompression and unpacking
 * overlap), keeping the blob in a temp file. The blob digest (hashed here and by the client) and
 * the diff id are verified before anything is committed: the blob into the content store, its
 * diff id mapping, then the layer dir by rename. On failure nothing is left behind.
 * Throws 'invalid-argument' on a digest or diff id mismatch.
 */
export async function fetchLayer(f: LayerFetch, job: LayerJob): Promise<void> {
  const { cat } = f;
  const work = await makeTempDir(cat.paths.tmp, 'pull');
  const pending = await cat.layers.begin();
  const blobFile = join(work, 'blob');
  try {
    const src = await f.client.getBlob(f.repo, blobRequest(job), f.signal ? { signal: f.signal } : {});
    const file = createWriteStream(blobFile, { flags: 'wx', mode: 0o600 });
    const tap = blobTap(file, job, f.emit);
    let result;
    try {
      const input = src.on('error', (err) => tap.stream.destroy(err)).pipe(tap.stream);
      result = await unpackLayer(input as Readable, pending.diff, {
        logger: cat.logger,
        ...(f.host ? { host: f.host } : {}),
        ...(f.signal ? { signal: f.signal } : {}),
      });
    } catch (err) {
      // Garbage bytes fail the unpack before the digest check at the stream's end could run:
      // read the blob once more to the end so that a digest mismatch, the real cause, is reported.
      await drainBlob(f, job);
      throw err;
    } finally {
      src.destroy();
      if (!file.closed) await new Promise<void>((resolve) => file.destroy().once('close', () => resolve()));
    }
    // the client's stream checks the digest: it errors at its end unless the bytes hash to it
    if (!tap.ended()) throw invalidArgument(`blob ${job.desc.digest}: stream ended early`);
    layerStatus(f.emit, job.id, 'Verifying Checksum');
    layerStatus(f.emit, job.id, 'Download complete');
    f.emit({
      status: 'Extracting', progressDetail: { current: tap.bytes(), total: tap.bytes() }, progress: progressBar(tap.bytes(), tap.bytes()), id: job.id,
    });
    if (result.diffId !== job.diffId) {
      throw invalidArgument(`layer ${job.desc.digest}: diff id ${result.diffId} does not match ${job.diffId} in the image config`);
    }
    await cat.locked(async () => {
      await cat.content.adopt(blobFile, job.desc.digest);
      cat.blobs.set(job.diffId, {
        digest: job.desc.digest, mediaType: job.desc.mediaType, size: tap.bytes(), sources: [`${f.repo.domain}/${f.repo.path}`],
        ...(job.desc.urls && job.desc.urls.length > 0 ? { urls: job.desc.urls } : {}),
      });
      await cat.blobs.save();
      await cat.layers.commit(pending, { diffId: result.diffId, parent: job.parent, size: result.size });
    });
    layerStatus(f.emit, job.id, 'Pull complete');
  } catch (err) {
    await cat.layers.abort(pending);
    throw wrapError(err, `pulling layer ${job.id}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The blob to GET; a foreign layer's URLs are the fallback when the registry does not have it. */
function blobRequest(job: LayerJob): { digest: string; size: number; urls?: readonly string[] } {
  const { digest, size, urls } = job.desc;
  return isForeignLayer(job.desc) && urls && urls.length > 0 ? { digest, size, urls } : { digest, size };
}

/** Reads a whole blob through the client, which throws at the end if its digest does not match. */
async function drainBlob(f: LayerFetch, job: LayerJob): Promise<void> {
  const again = await f.client.getBlob(f.repo, blobRequest(job), f.signal ? { signal: f.signal } : {});
  for await (const chunk of again) void chunk;
}

interface BlobTap {
  readonly stream: Transform;
  ended(): boolean;
  bytes(): number;
}

/**
 * Counts and saves the blob bytes passing through, and reports Downloading progress. A chunk goes
 * on to the unpacker while it is being written (the file only holds it up when it falls behind),
 * and the end waits until the file has everything. The client's stream verifies the digest.
 */
function blobTap(file: WriteStream, job: LayerJob, emit: Emit): BlobTap {
  let count = 0;
  let done = false;
  let failed: Error | undefined;
  let waiting: (() => void) | undefined;
  const release = (): void => {
    const w = waiting;
    waiting = undefined;
    w?.();
  };
  file.on('error', (err) => {
    failed = err;
    release();
  });
  file.on('drain', release);
  const report = throttledProgress(emit, job.id, 'Downloading', job.desc.size);
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      if (failed) return cb(failed);
      count += chunk.length;
      report(count);
      if (file.write(chunk)) return cb(null, chunk);
      waiting = () => cb(failed ?? null, chunk);
    },
    flush(cb) {
      if (failed) return cb(failed);
      file.end((err?: Error | null) => {
        done = !err && failed === undefined;
        cb(err ?? failed ?? null);
      });
    },
  });
  return { stream, ended: () => done, bytes: () => count };
}
