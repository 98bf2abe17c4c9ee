import { notFound, shortId } from '../../core/index.js';
import { MEDIA_TYPES, type RegistryClient, type RepoRef } from '../../registry/types.js';
import type { LayerBlob } from '../../store/index.js';
import type { ImageCatalog } from '../catalog.js';
import { familiarName, familiarString, parseReference, type ImageReference } from '../reference.js';
import type { PushOptions } from '../types.js';
import { gzipLayerBlob, isForeign } from './layer-blob.js';
import { emitter, layerStatus, throttledProgress, type Emit } from './progress.js';
import { Semaphore } from './semaphore.js';

/** Docker uploads five layers at a time (max-concurrent-uploads). */
const CONCURRENT_UPLOADS = 5;

/**
 * POST /images/{name}/push: pushes `opts.tag`, the reference's tag, or every local tag of the
 * repository, as Docker schema 2 manifests with gzip layers (the blobs kept from a pull when there
 * are some, so digests round-trip). Records the pushed digest as a RepoDigest. Streams Docker's push
 * progress. Throws 'not-found' ("An image does not exist locally with the tag: …") and what the
 * registry client throws.
 */
export async function pushImage(cat: ImageCatalog, client: RegistryClient, ref: string, opts: PushOptions = {}): Promise<void> {
  const named = parseReference(ref);
  const repo: RepoRef = { domain: named.domain, path: named.path };
  const tag = opts.tag !== undefined && opts.tag !== '' ? opts.tag : named.tag;
  const sameRepo = (r: ImageReference): boolean => r.domain === repo.domain && r.path === repo.path;
  const local = cat.tags.all().map((e) => ({ ref: parseReference(e.ref), id: e.id }))
    .filter((e) => sameRepo(e.ref) && e.ref.tag !== undefined && (tag === undefined || e.ref.tag === tag))
    .sort((a, b) => a.ref.tag!.localeCompare(b.ref.tag!));
  if (local.length === 0) {
    throw notFound(`An image does not exist locally with the tag: ${familiarName(named)}${tag !== undefined ? `:${tag}` : ''}`);
  }
  const emit = emitter(opts.onProgress);
  emit({ status: `The push refers to repository [${repo.domain}/${repo.path}]` });
  for (const { ref: tagged, id } of local) await pushTag(cat, client, { repo, tag: tagged.tag!, id }, emit, opts.signal);
}

async function pushTag(
  cat: ImageCatalog, client: RegistryClient, t: { repo: RepoRef; tag: string; id: string }, emit: Emit, signal: AbortSignal | undefined,
): Promise<void> {
  const rec = cat.records.get(t.id);
  const config = cat.config(t.id);
  if (!rec || !config) throw notFound(`No such image: ${shortId(t.id)}`);
  const sig = signal ? { signal } : {};
  const unpin = cat.pin(rec.chainIds);
  try {
    const diffIds = config.rootfs.diff_ids;
    const order = diffIds.map((d, i) => ({ diffId: d, chainId: rec.chainIds[i]!, id: d.slice(7, 19) })).reverse();
    for (const l of order) layerStatus(emit, l.id, 'Preparing');
    const sem = new Semaphore(CONCURRENT_UPLOADS);
    const blobs = await Promise.all(order.map(async (l, n) => {
      if (n >= CONCURRENT_UPLOADS) layerStatus(emit, l.id, 'Waiting');
      return sem.run(() => pushLayer({ cat, client, repo: t.repo, emit, sig }, l));
    }));
    const configBytes = await cat.content.read(t.id);
    await client.pushBlob(t.repo, { digest: t.id, size: configBytes.length }, () => cat.content.stream(t.id), sig);
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MEDIA_TYPES.dockerManifest,
      config: { mediaType: MEDIA_TYPES.dockerConfig, size: configBytes.length, digest: t.id },
      layers: blobs.reverse().map((b) => (isForeign(b)
        ? { mediaType: MEDIA_TYPES.dockerForeignLayer, size: b.size, digest: b.digest, urls: b.urls }
        : { mediaType: MEDIA_TYPES.dockerLayer, size: b.size, digest: b.digest })),
    }, null, 3));
    const digest = await client.putManifest(t.repo, t.tag, MEDIA_TYPES.dockerManifest, manifest, sig);
    await cat.locked(() => cat.setTag({ ...t.repo, digest }, t.id).then(() => undefined));
    emit({ status: `${t.tag}: digest: ${digest} size: ${manifest.length}` });
    emit({ progressDetail: {}, aux: { Tag: t.tag, Digest: digest, Size: manifest.length } });
    cat.logger.info('image pushed', { image: t.id, ref: familiarString({ ...t.repo, tag: t.tag }) });
  } finally {
    unpin();
  }
}

interface LayerPush {
  readonly cat: ImageCatalog;
  readonly client: RegistryClient;
  readonly repo: RepoRef;
  readonly emit: Emit;
  readonly sig: { signal?: AbortSignal };
}

/**
 * Pushes one layer's gzip blob (mounted from another repository of the registry that holds it,
 * when known), reporting Pushing / Pushed / Layer already exists / Mounted from / Skipped foreign
 * layer; records the repository as a source of the blob. Returns the blob.
 */
async function pushLayer(p: LayerPush, l: { diffId: string; chainId: string; id: string }): Promise<LayerBlob> {
  const { cat, emit, repo } = p;
  const blob = await gzipLayerBlob(cat, l.diffId, l.chainId);
  if (isForeign(blob)) {
    layerStatus(emit, l.id, 'Skipped foreign layer');
    return blob;
  }
  const repoName = `${repo.domain}/${repo.path}`;
  const mountFrom = blob.sources.find((s) => s !== repoName && s.startsWith(`${repo.domain}/`))?.slice(repo.domain.length + 1);
  const report = throttledProgress(emit, l.id, 'Pushing', blob.size);
  const result = await p.client.pushBlob(repo, { digest: blob.digest, size: blob.size }, () => cat.content.stream(blob.digest), {
    ...p.sig, ...(mountFrom !== undefined ? { mountFrom } : {}), onProgress: (sent) => report(sent),
  });
  if (result === 'exists') layerStatus(emit, l.id, 'Layer already exists');
  else if (result === 'mounted') layerStatus(emit, l.id, `Mounted from ${mountFrom ?? ''}`);
  else {
    report(blob.size, true);
    layerStatus(emit, l.id, 'Pushed');
  }
  await cat.locked(async () => {
    cat.blobs.set(l.diffId, { ...blob, sources: [repoName] });
    await cat.blobs.save();
  });
  return blob;
}
