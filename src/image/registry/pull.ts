import { invalidArgument, notFound, sha256, shortId } from '../../core/index.js';
import type { Descriptor, RegistryClient, RepoRef } from '../../registry/types.js';
import { chainIds } from '../../store/index.js';
import type { ImageCatalog } from '../catalog.js';
import { parseImageConfig } from '../config-schema.js';
import { familiarName, familiarString, parseReference, referenceString, withDefaultTag, type ImageReference } from '../reference.js';
import type { ImageConfigFile, PullOptions } from '../types.js';
import type { UnpackHost } from '../unpack/index.js';
import {
  isIndex, parseManifest, parsePlatform, platformString, selectPlatform, type ImageManifest, type Platform,
} from './manifest.js';
import { emitter, layerStatus, type Emit } from './progress.js';
import { fetchLayer, type LayerFetch, type LayerJob } from './pull-layer.js';
import { Semaphore } from './semaphore.js';

/** Docker downloads three layers at a time (max-concurrent-downloads). */
const CONCURRENT_DOWNLOADS = 3;

/** What a pull needs besides the catalog. */
export interface PullContext {
  readonly cat: ImageCatalog;
  readonly client: RegistryClient;
  readonly host?: UnpackHost;
}

/**
 * POST /images/create?fromImage=…: pulls an image (or every tag with `allTags`) with Docker's
 * progress messages. Layers are committed one by one once verified; the image record and its
 * references are written last. Returns the image id (of the last tag pulled with `allTags`).
 * Throws 'not-found' (unknown manifest, no matching platform), 'invalid-argument' (bad reference,
 * malformed manifest or config, digest mismatch), and what the registry client throws.
 */
export async function pullImage(ctx: PullContext, ref: string, opts: PullOptions = {}): Promise<string> {
  const named = parseReference(ref);
  const emit = emitter(opts.onProgress);
  if (!opts.allTags) {
    const target = withDefaultTag(named);
    const { id, updated } = await pullOne(ctx, target, opts, emit);
    emit({ status: `Status: ${updated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarString(target)}` });
    return id;
  }
  if (named.tag !== undefined || named.digest !== undefined) throw invalidArgument('tag can\'t be used with --all-tags/-a');
  const repo: RepoRef = { domain: named.domain, path: named.path };
  const tags = await ctx.client.listTags(repo, opts.signal ? { signal: opts.signal } : {});
  if (tags.length === 0) throw notFound(`no tags found for ${familiarName(named)}`);
  let last = '';
  let anyUpdated = false;
  for (const tag of tags) {
    const { id, updated } = await pullOne(ctx, { ...repo, tag }, opts, emit);
    last = id;
    anyUpdated ||= updated;
  }
  emit({ status: `Status: ${anyUpdated ? 'Downloaded newer image' : 'Image is up to date'} for ${familiarName(named)}` });
  return last;
}

async function pullOne(ctx: PullContext, target: ImageReference, opts: PullOptions, emit: Emit): Promise<{ id: string; updated: boolean }> {
  const { cat, client } = ctx;
  const sig = opts.signal ? { signal: opts.signal } : {};
  const repo: RepoRef = { domain: target.domain, path: target.path };
  const platform = parsePlatform(opts.platform);
  // resolve first: an unknown image fails before any output, so the API can answer 404 as dockerd does
  const { digest, manifest } = await resolveManifest(client, repo, target.digest ?? target.tag!, platform, sig);
  emit({ status: `Pulling from ${target.path}`, id: target.digest ?? target.tag! });
  const id = manifest.config.digest;
  const fetched = cat.records.get(id) ? undefined : await fetchConfig(client, repo, manifest.config, sig);
  if (fetched && opts.platform) checkPlatform(fetched.config, platform, target);
  const chain = fetched ? chainIds(fetched.config.rootfs.diff_ids) : [];
  const unpin = once(cat.pin(chain));
  try {
    if (fetched) await pullLayers(ctx, { repo, layers: manifest.layers, config: fetched.config, emit, opts });
    emit({ status: `Digest: ${digest}` });
    // The record and its references last, in one locked step (a prune never sees it untagged).
    const updated = await cat.locked(async () => {
      if (fetched) {
        if (!chain.every((c) => cat.layers.has(c))) throw notFound(`layers of ${shortId(id)} vanished during the pull`);
        await cat.addImage(fetched.bytes, fetched.config, chain);
      }
      const digestRef: ImageReference = { ...repo, digest };
      const primary = cat.tags.get(referenceString(target.digest !== undefined ? digestRef : target))?.id;
      if (target.tag !== undefined) await cat.setTag({ ...repo, tag: target.tag }, id);
      await cat.setTag(digestRef, id);
      return primary !== id;
    });
    cat.logger.info('image pulled', { image: id, ref: familiarString(target) });
    return { id, updated };
  } catch (err) {
    // Layers this pull committed go again (unless another operation pins them).
    unpin();
    await cat.locked(() => cat.collectLayers(chain));
    throw err;
  } finally {
    unpin();
  }
}

/** A function that runs `fn` at most once. */
function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) fn();
    done = true;
  };
}

/** Gets the manifest for `reference`, following an index to `platform`; `digest` is the top-level one. */
async function resolveManifest(
  client: RegistryClient, repo: RepoRef, reference: string, platform: Platform, sig: { signal?: AbortSignal },
): Promise<{ digest: string; manifest: ImageManifest }> {
  const top = await client.getManifest(repo, reference, sig);
  if (!isIndex(top.mediaType, top.bytes)) return { digest: top.digest, manifest: parseManifest(top.bytes) };
  const pick = selectPlatform(top.bytes, platform);
  return { digest: top.digest, manifest: parseManifest((await client.getManifest(repo, pick.digest, sig)).bytes) };
}

async function fetchConfig(
  client: RegistryClient, repo: RepoRef, desc: Descriptor, sig: { signal?: AbortSignal },
): Promise<{ bytes: Buffer; config: ImageConfigFile }> {
  const chunks: Buffer[] = [];
  for await (const c of await client.getBlob(repo, { digest: desc.digest, size: desc.size }, sig)) chunks.push(c as Buffer);
  const bytes = Buffer.concat(chunks);
  if (sha256(bytes) !== desc.digest) throw invalidArgument(`image config verification failed for digest ${desc.digest}`);
  return { bytes, config: parseImageConfig(bytes) };
}

function checkPlatform(config: ImageConfigFile, want: Platform, target: ImageReference): void {
  if (config.os === want.os && config.architecture === want.architecture) return;
  const actual = platformString({ os: config.os, architecture: config.architecture, ...(config.variant ? { variant: config.variant } : {}) });
  throw notFound(`image with reference ${familiarString(target)} was found but does not match the specified platform: wanted ${platformString(want)}, actual: ${actual}`);
}

interface LayerPlan {
  readonly repo: RepoRef;
  readonly layers: readonly Descriptor[];
  readonly config: ImageConfigFile;
  readonly emit: Emit;
  readonly opts: PullOptions;
}

/**
 * Fetches the missing layers, three at a time; a layer another pull is fetching is awaited, not
 * fetched again. The caller pins the chain.
 */
async function pullLayers(ctx: PullContext, plan: LayerPlan): Promise<void> {
  const { cat } = ctx;
  const diffIds = plan.config.rootfs.diff_ids;
  if (diffIds.length !== plan.layers.length) {
    throw invalidArgument(`image config lists ${diffIds.length} layers but the manifest ${plan.layers.length}`);
  }
  const chain = chainIds(diffIds);
  const jobs: LayerJob[] = plan.layers.map((desc, i) => ({
    desc, diffId: diffIds[i]!, parent: i === 0 ? '' : chain[i - 1]!, id: desc.digest.slice(7, 19),
  }));
  const todo: Array<{ job: LayerJob; chainId: string }> = [];
  jobs.forEach((job, i) => {
    if (cat.layers.has(chain[i]!)) layerStatus(plan.emit, job.id, 'Already exists');
    else {
      layerStatus(plan.emit, job.id, 'Pulling fs layer');
      todo.push({ job, chainId: chain[i]! });
    }
  });
  const f: LayerFetch = {
    cat, client: ctx.client, repo: plan.repo, emit: plan.emit,
    ...(ctx.host ? { host: ctx.host } : {}), ...(plan.opts.signal ? { signal: plan.opts.signal } : {}),
  };
  const sem = new Semaphore(CONCURRENT_DOWNLOADS);
  const results = await Promise.allSettled(todo.map(({ job, chainId }, n) => {
      const shared = cat.inflight.get(chainId);
      if (shared) return shared.then(() => layerStatus(plan.emit, job.id, 'Pull complete'));
      if (n >= CONCURRENT_DOWNLOADS) layerStatus(plan.emit, job.id, 'Waiting');
      const p = sem.run(() => (cat.layers.has(chainId) ? Promise.resolve() : fetchLayer(f, job)));
      cat.inflight.set(chainId, p);
      const clear = (): void => {
        if (cat.inflight.get(chainId) === p) cat.inflight.delete(chainId);
      };
      p.then(clear, clear);
      return p;
    }));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
