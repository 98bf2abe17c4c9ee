import { createHash } from 'node:crypto';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { invalidArgument, wrapError } from '../core/index.js';
import type { ContainerConfig } from '../protocol/index.js';
import { makeTempDir } from '../store/index.js';
import type { ImageCatalog } from './catalog.js';
import { keepLoadedBlob } from './registry/layer-blob.js';
import { applyChanges } from './changes.js';
import { repoTagReference, type ImageReference } from './reference.js';
import type { ImageConfigFile, ImportOptions } from './types.js';
import { unpackLayer, type UnpackHost } from './unpack/index.js';

/** The empty config Docker starts an import from (all fields present, as Go serializes them). */
function emptyContainerConfig(): ContainerConfig {
  return {
    Hostname: '', Domainname: '', User: '', AttachStdin: false, AttachStdout: false, AttachStderr: false,
    Tty: false, OpenStdin: false, StdinOnce: false, Env: null, Cmd: null, Image: '', Volumes: null,
    WorkingDir: '', Entrypoint: null, OnBuild: null, Labels: null,
  };
}

/** `os/arch[/variant]` → parts; only linux images are accepted. */
function parsePlatform(platform: string | undefined): { os: string; architecture: string; variant?: string } {
  if (platform === undefined || platform === '') return { os: 'linux', architecture: 'amd64' };
  const [os = '', architecture = 'amd64', variant] = platform.toLowerCase().split('/');
  if (os !== 'linux') throw invalidArgument(`unsupported os ${os}`);
  return { os, architecture, ...(variant ? { variant } : {}) };
}

/**
 * POST /images/create?fromSrc=-: makes a one-layer image from a rootfs tarball (gzip or plain),
 * as Docker's ImportImage does: config from the `changes`, history comment "Imported from -"
 * (or the message), tagged `repo:tag` when a repo is given. Returns the image id.
 * Throws 'invalid-argument' for a bad reference, change, platform or archive.
 */
export async function importImage(
  cat: ImageCatalog, src: Readable, opts: ImportOptions & { host?: UnpackHost } = {},
): Promise<string> {
  const ref: ImageReference | undefined = opts.repo ? repoTagReference(opts.repo, opts.tag) : undefined;
  const platform = parsePlatform(opts.platform);
  const containerConfig = applyChanges(emptyContainerConfig(), opts.changes ?? []);
  const pending = await cat.layers.begin();
  const work = await makeTempDir(cat.paths.tmp, 'import');
  let layer;
  let unpin = (): void => undefined;
  try {
    // The tarball is kept as the layer's blob, so push and save reproduce its exact bytes.
    const blob = join(work, 'blob');
    const fh = await open(blob, 'wx', 0o600);
    const tap = keepingTap(fh);
    let result;
    try {
      result = await unpackLayer(src.on('error', (err) => tap.stream.destroy(err)).pipe(tap.stream), pending.diff, {
        logger: cat.logger,
        ...(opts.host ? { host: opts.host } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } finally {
      await fh.close();
    }
    // A base layer's chain id is its diff id: pin it before it becomes visible.
    unpin = cat.pin([result.diffId]);
    const diffId = result.diffId;
    const size = result.size;
    layer = await cat.locked(async () => {
      await keepLoadedBlob(cat, { file: blob, digest: tap.digest(), size: tap.size() }, diffId);
      return cat.layers.commit(pending, { diffId, parent: '', size });
    });
  } catch (err) {
    unpin();
    await cat.layers.abort(pending);
    throw wrapError(err, 'importing image');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  try {
    const created = new Date().toISOString();
    const message = opts.message || 'Imported from -';
    const config: ImageConfigFile = {
      architecture: platform.architecture,
      ...(platform.variant ? { variant: platform.variant } : {}),
      os: platform.os,
      created,
      comment: message,
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, comment: message }],
    };
    const bytes = Buffer.from(JSON.stringify(config));
    return await cat.locked(async () => {
      const id = await cat.addImage(bytes, config, [layer.chainId]);
      if (ref) await cat.setTag(ref, id);
      opts.onProgress?.({ status: id });
      cat.logger.info('image imported', { image: id });
      return id;
    });
  } finally {
    unpin();
  }
}

/** Saves and hashes the bytes passing through (import and commit keep a layer's tar as its blob). */
export function keepingTap(fh: import('node:fs/promises').FileHandle): { stream: Transform; digest(): string; size(): number } {
  const hash = createHash('sha256');
  let size = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      fh.write(chunk).then(() => cb(null, chunk), (err: Error) => cb(err));
    },
  });
  let digest: string | undefined;
  return { stream, digest: () => (digest ??= `sha256:${hash.digest('hex')}`), size: () => size };
}
