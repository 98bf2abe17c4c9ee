import { createReadStream } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { invalidArgument, shortId, wrapError } from '../core/index.js';
import { chainIds, makeTempDir } from '../store/index.js';
import type { ImageCatalog } from './catalog.js';
import { parseImageConfig } from './config-schema.js';
import { isDockerArchive, readDockerArchive } from './archive/docker-archive.js';
import type { ImageSource } from './archive/image-source.js';
import { isOciLayout, readOciLayout } from './archive/oci-layout.js';
import { spoolArchive, type SpooledFile } from './archive/spool.js';
import { familiarString } from './reference.js';
import type { ProgressOptions } from './types.js';
import { keepLoadedBlob } from './registry/layer-blob.js';
import { unpackLayer, type UnpackHost } from './unpack/index.js';

/** Options of loadImages beyond progress: the host seam for unpacking. */
export interface LoadOptions extends ProgressOptions {
  host?: UnpackHost;
}

/**
 * POST /images/load: stores every image of a docker-archive or OCI image-layout tarball.
 * The archive is spooled to a work dir under the store's tmp/, layers are unpacked there and
 * renamed into place, and each image record and its tags are written last, so an interruption
 * leaves nothing half-stored. Returns Docker's "Loaded image: NAME" / "Loaded image ID: ID" lines.
 * Throws 'invalid-argument' for a malformed archive or a layer whose diff id does not match.
 */
export async function loadImages(cat: ImageCatalog, src: Readable, opts: LoadOptions = {}): Promise<string[]> {
  const work = await makeTempDir(cat.paths.tmp, 'load');
  try {
    const archive = await spoolArchive(src, work, opts.signal ? { signal: opts.signal } : {});
    let sources: ImageSource[];
    if (isDockerArchive(archive)) sources = await readDockerArchive(archive);
    else if (isOciLayout(archive)) sources = await readOciLayout(archive);
    else throw invalidArgument('invalid archive: found neither manifest.json nor an OCI layout (oci-layout, index.json)');
    const lines: string[] = [];
    for (const source of sources) lines.push(...(await loadOne(cat, source, opts)));
    return lines;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

async function loadOne(cat: ImageCatalog, source: ImageSource, opts: LoadOptions): Promise<string[]> {
  const configBytes = await readFile(source.config.file);
  const config = parseImageConfig(configBytes);
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== source.layers.length) {
    throw invalidArgument(`invalid archive: config lists ${diffIds.length} layers but the manifest ${source.layers.length}`);
  }
  const chain = chainIds(diffIds);
  const unpin = cat.pin(chain);
  try {
    for (let i = 0; i < chain.length; i++) {
      if (cat.layers.has(chain[i]!)) continue;
      await loadLayer(cat, source.layers[i]!, { diffId: diffIds[i]!, parent: i === 0 ? '' : chain[i - 1]! }, opts);
    }
    return await cat.locked(async () => {
      const id = await cat.addImage(configBytes, config, chain);
      const lines: string[] = [];
      for (const name of source.names) {
        const prev = await cat.setTag(name, id);
        if (prev !== undefined) {
          lines.push(`The image ${familiarString(name)} already exists, renaming the old one with ID ${prev} to empty string`);
        }
        lines.push(`Loaded image: ${familiarString(name)}`);
      }
      if (source.names.length === 0) lines.push(`Loaded image ID: ${id}`);
      cat.logger.info('image loaded', { image: id });
      return lines;
    });
  } finally {
    unpin();
  }
}

async function loadLayer(
  cat: ImageCatalog, file: SpooledFile, want: { diffId: string; parent: string }, opts: LoadOptions,
): Promise<void> {
  const pending = await cat.layers.begin();
  try {
    const tap = progressTap(shortId(want.diffId), file.size, opts);
    const input = createReadStream(file.file).on('error', (err) => tap.destroy(err)).pipe(tap);
    const result = await unpackLayer(input, pending.diff, {
      logger: cat.logger,
      ...(opts.host ? { host: opts.host } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    if (result.diffId !== want.diffId) {
      throw invalidArgument(`invalid archive: layer diff id ${result.diffId} does not match ${want.diffId} in the image config`);
    }
    await cat.locked(async () => {
      // The blob is kept (hard link to the spooled file) so push and save reproduce the same bytes.
      await keepLoadedBlob(cat, file, result.diffId);
      await cat.layers.commit(pending, { diffId: result.diffId, parent: want.parent, size: result.size });
    });
  } catch (err) {
    await cat.layers.abort(pending);
    throw wrapError(err, `loading layer ${shortId(want.diffId)}`);
  }
}

/** Reports "Loading layer" progress (at most once per MiB, and at the end). */
function progressTap(id: string, total: number, opts: ProgressOptions): Transform {
  let current = 0;
  let reported = 0;
  const report = (): void => opts.onProgress?.({ status: 'Loading layer', id, progressDetail: { current, total } });
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      current += chunk.length;
      if (current - reported >= 1 << 20) {
        reported = current;
        report();
      }
      cb(null, chunk);
    },
    flush(cb) {
      report();
      cb();
    },
  });
}
