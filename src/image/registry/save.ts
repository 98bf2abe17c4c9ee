import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Pack } from 'tar-stream';
import { digestHex, internal } from '../../core/index.js';
import { MEDIA_TYPES } from '../../registry/types.js';
import { makeTempDir } from '../../store/index.js';
import type { ImageCatalog } from '../catalog.js';
import { familiarName, familiarString, parseReference, referenceString, withDefaultTag, type ImageReference } from '../reference.js';
import { resolveImageId } from '../resolve.js';
import { plainLayer } from './layer-blob.js';

/** One image to save and the names it goes under. */
interface SaveItem {
  readonly id: string;
  readonly names: ImageReference[];
}

/**
 * GET /images/get: writes a tar with the images as Docker 25+ does: an OCI image layout
 * (`oci-layout`, `index.json`, `blobs/sha256/…` with uncompressed layer tars) plus `manifest.json`
 * and `repositories` for older readers. A name without a tag saves every tag of that repository;
 * an id saves the image untagged. Throws 'not-found' before writing anything for an unknown ref.
 */
export async function saveImages(cat: ImageCatalog, refs: string[], out: Writable, opts: { signal?: AbortSignal } = {}): Promise<void> {
  const items = resolveItems(cat, refs);
  const unpin = cat.pin(items.flatMap((i) => cat.records.get(i.id)?.chainIds ?? []));
  const work = await makeTempDir(cat.paths.tmp, 'save');
  const pack = tar.pack();
  const writing = pipeline(pack, out, ...(opts.signal ? [{ signal: opts.signal }] : []));
  writing.catch(() => undefined);
  try {
    await writeArchive(cat, items, pack, work);
    pack.finalize();
    await writing;
  } catch (err) {
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
    await writing.catch(() => undefined);
    throw err;
  } finally {
    unpin();
    await rm(work, { recursive: true, force: true });
  }
}

function resolveItems(cat: ImageCatalog, refs: string[]): SaveItem[] {
  const byId = new Map<string, ImageReference[]>();
  const add = (id: string, names: ImageReference[]): void => {
    const list = byId.get(id) ?? [];
    for (const n of names) if (!list.some((r) => referenceString(r) === referenceString(n))) list.push(n);
    byId.set(id, list);
  };
  for (const ref of refs) {
    const id = resolveImageId(cat, ref);
    if (/^(sha256:)?[a-f0-9]+$/.test(ref) && id.slice(7).startsWith(ref.replace(/^sha256:/, ''))) {
      add(id, []);
      continue;
    }
    const named = parseReference(ref);
    if (named.tag === undefined && named.digest === undefined) {
      const repoTags = cat.tags.all().map((e) => ({ ref: parseReference(e.ref), id: e.id }))
        .filter((e) => e.ref.tag !== undefined && e.ref.domain === named.domain && e.ref.path === named.path);
      for (const e of repoTags) add(e.id, [e.ref]);
      if (repoTags.length === 0) add(id, [withDefaultTag(named)]);
    } else add(id, named.tag !== undefined ? [{ domain: named.domain, path: named.path, tag: named.tag }] : []);
  }
  return [...byId].map(([id, names]) => ({ id, names }));
}

async function writeArchive(cat: ImageCatalog, items: SaveItem[], pack: Pack, work: string): Promise<void> {
  const written = new Set<string>();
  const index: unknown[] = [];
  const manifests: unknown[] = [];
  const repositories: Record<string, Record<string, string>> = {};
  await addBuffer(pack, 'oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  for (const item of items) {
    const rec = cat.records.get(item.id)!;
    const config = cat.config(item.id)!;
    const layers: Array<{ digest: string; size: number }> = [];
    for (const [i, diffId] of config.rootfs.diff_ids.entries()) {
      const size = await addLayer(cat, pack, work, { diffId, chainId: rec.chainIds[i]! }, written);
      layers.push({ digest: diffId, size });
    }
    const configBytes = await cat.content.read(item.id);
    await addBlob(pack, item.id, configBytes, written);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.ociManifest,
      config: { mediaType: MEDIA_TYPES.ociConfig, digest: item.id, size: configBytes.length },
      layers: layers.map((l) => ({ mediaType: MEDIA_TYPES.ociLayer, digest: l.digest, size: l.size })),
    }));
    const manifestDigest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    await addBlob(pack, manifestDigest, manifest, written);
    const desc = { mediaType: MEDIA_TYPES.ociManifest, digest: manifestDigest, size: manifest.length };
    if (item.names.length === 0) index.push(desc);
    for (const name of item.names) {
      index.push({ ...desc, annotations: { 'io.containerd.image.name': referenceString(name), 'org.opencontainers.image.ref.name': name.tag! } });
      (repositories[familiarName(name)] ??= {})[name.tag!] = digestHex(item.id);
    }
    manifests.push({
      Config: `blobs/sha256/${digestHex(item.id)}`,
      RepoTags: item.names.length > 0 ? item.names.map((n) => familiarString(n)) : null,
      Layers: layers.map((l) => `blobs/sha256/${digestHex(l.digest)}`),
    });
  }
  await addBuffer(pack, 'index.json', Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests: index })));
  await addBuffer(pack, 'manifest.json', Buffer.from(JSON.stringify(manifests)));
  if (Object.keys(repositories).length > 0) await addBuffer(pack, 'repositories', Buffer.from(JSON.stringify(repositories)));
}

/** Writes a layer's uncompressed tar as `blobs/sha256/<diff id hex>` (once); returns its size. */
async function addLayer(
  cat: ImageCatalog, pack: Pack, work: string, l: { diffId: string; chainId: string }, written: Set<string>,
): Promise<number> {
  const file = join(work, digestHex(l.diffId));
  if (written.has(l.diffId)) return (await stat(file)).size;
  const hash = createHash('sha256');
  const hashing = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  await pipeline(await plainLayer(cat, l.diffId, l.chainId), hashing, createWriteStream(file, { mode: 0o600 }));
  const got = `sha256:${hash.digest('hex')}`;
  if (got !== l.diffId) throw internal(`layer ${l.diffId} cannot be reproduced from its files (got ${got})`);
  const { size } = await stat(file);
  const sink = pack.entry({ name: `blobs/sha256/${digestHex(l.diffId)}`, size, mode: 0o444, mtime: new Date(0) });
  await pipeline(createReadStream(file), sink as unknown as Writable);
  written.add(l.diffId);
  return size;
}

async function addBlob(pack: Pack, digest: string, data: Buffer, written: Set<string>): Promise<void> {
  if (written.has(digest)) return;
  written.add(digest);
  await addBuffer(pack, `blobs/sha256/${digestHex(digest)}`, data);
}

function addBuffer(pack: Pack, name: string, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry({ name, size: data.length, mode: 0o444, mtime: new Date(0) }, data, (err) => (err ? reject(err) : resolve()));
  });
}
