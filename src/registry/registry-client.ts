/**
 * createRegistryClient: the RegistryClient of types.ts over fetch, with per-client auth state,
 * mirrors for docker.io pulls, timeouts and retries (see transport.ts).
 */
import type { Readable } from 'node:stream';
import { EngineError } from '../core/index.js';
import { Authenticator } from './authenticator.js';
import { getBlobFrom, getForeignBlob, hasBlobAt } from './blob.js';
import { endpointsFor, repoScope, type Endpoint } from './endpoints.js';
import { getManifestFrom, putManifestTo } from './manifest.js';
import { pushBlobTo } from './push-blob.js';
import { kindForStatus, statusMessage } from './registry-errors.js';
import { timedFetch, Transport } from './transport.js';
import type { CreateRegistryClient, RegistryAuth, RegistryClient, RegistryOptions, RepoRef } from './types.js';

const DEFAULTS = { timeoutMs: 30_000, retries: 3, retryBaseMs: 500, maxRetryDelayMs: 10_000, chunkSize: 16 * 1024 * 1024 };

/** Creates a client; see CreateRegistryClient. Never throws; operations throw EngineErrors. */
export const createRegistryClient: CreateRegistryClient = (auth: RegistryAuth | undefined, opts: RegistryOptions = {}): RegistryClient => {
  const retries = opts.retries ?? DEFAULTS.retries;
  const timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
  const settings = {
    timeoutMs, retries,
    retryBaseMs: opts.retryBaseMs ?? DEFAULTS.retryBaseMs,
    maxRetryDelayMs: opts.maxRetryDelayMs ?? DEFAULTS.maxRetryDelayMs,
    userAgent: opts.userAgent ?? 'berth',
  };
  const t = new Transport(settings, new Authenticator(auth, timedFetch(timeoutMs), 'berth'));
  const chunkSize = opts.chunkSize ?? DEFAULTS.chunkSize;

  /** Endpoints known not to answer (HTTPS of an insecure registry serving HTTP), skipped later. */
  const dead = new Set<string>();

  /** Tries each endpoint in order (mirrors first), falling through as each endpoint allows. */
  async function onEndpoints<T>(domain: string, pull: boolean, signal: AbortSignal | undefined, fn: (ep: Endpoint) => Promise<T>): Promise<T> {
    const eps = endpointsFor(domain, opts, { pull });
    const live = eps.filter((ep) => !dead.has(ep.base));
    let last: unknown;
    for (const ep of live.length > 0 ? live : eps) {
      try {
        return await fn(ep);
      } catch (err) {
        last = err;
        if (signal?.aborted) throw err;
        const network = err instanceof EngineError && err.kind === 'unavailable';
        if (ep.fallback === 'none' || (ep.fallback === 'network' && !network)) throw err;
        if (ep.fallback === 'network') dead.add(ep.base);
      }
    }
    throw last;
  }

  return {
    getManifest: (repo, reference, o) => onEndpoints(repo.domain, true, o?.signal, (ep) => getManifestFrom(t, ep, repo, reference, o?.signal)),
    getBlob: async (repo, desc, o): Promise<Readable> => {
      try {
        return await onEndpoints(repo.domain, true, o?.signal, (ep) => getBlobFrom(t, ep, repo, desc, timeoutMs, o?.signal));
      } catch (err) {
        // a foreign layer the registry does not have comes from its URLs
        if (!desc.urls?.length || !(err instanceof EngineError) || err.kind !== 'not-found') throw err;
        return getForeignBlob(desc.urls, desc, timeoutMs, timeoutMs, o?.signal, err);
      }
    },
    hasBlob: (repo, digest, o) => onEndpoints(repo.domain, false, o?.signal, (ep) => hasBlobAt(t, ep, repo, digest, false, o?.signal)),
    pushBlob: (repo, desc, data, o) => onEndpoints(repo.domain, false, o?.signal, (ep) => pushBlobTo(t, ep, {
      repo, desc, data, mountFrom: o?.mountFrom, onProgress: o?.onProgress, signal: o?.signal, chunkSize, retries,
    })),
    putManifest: (repo, reference, mediaType, bytes, o) =>
      onEndpoints(repo.domain, false, o?.signal, (ep) => putManifestTo(t, ep, repo, reference, mediaType, bytes, o?.signal)),
    checkAuth: (domain, o) => onEndpoints(domain, false, o?.signal, (ep) => checkAuthAt(t, ep, auth, o?.signal)),
    listTags: (repo, o) => onEndpoints(repo.domain, true, o?.signal, (ep) => listTagsAt(t, ep, repo, o?.signal)),
  };
};

async function checkAuthAt(t: Transport, ep: Endpoint, auth: RegistryAuth | undefined, signal: AbortSignal | undefined): Promise<void> {
  const { response } = await t.send({ method: 'GET', url: `${ep.base}/v2/`, scopes: [], signal });
  const text = await response.text();
  if (response.status === 200) return;
  if (response.status === 401 || response.status === 403) {
    const withCreds = Boolean(auth?.username || auth?.password || auth?.identitytoken || auth?.registrytoken);
    throw new EngineError('unauthorized', withCreds ? 'unauthorized: incorrect username or password' : `unauthorized: ${statusMessage(response.status, text).replace(/^unexpected.*/, 'authentication required')}`);
  }
  throw new EngineError(kindForStatus(response.status), `Get "${ep.base}/v2/": ${statusMessage(response.status, text)}`);
}

async function listTagsAt(t: Transport, ep: Endpoint, repo: RepoRef, signal: AbortSignal | undefined): Promise<string[]> {
  const tags: string[] = [];
  let url: string | undefined = `${ep.base}/v2/${repo.path}/tags/list`;
  for (let page = 0; url && page < 1000; page++) {
    const { response } = await t.send({ method: 'GET', url, scopes: [repoScope(repo.path, false)], signal });
    const text = await response.text();
    if (response.status !== 200) {
      if (response.status === 404) throw new EngineError('not-found', `repository ${repo.domain}/${repo.path} not found: ${statusMessage(404, text)}`);
      throw new EngineError(kindForStatus(response.status), `error listing tags of ${repo.path}: ${statusMessage(response.status, text)}`);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (err) {
      throw new EngineError('internal', `tag list of ${repo.path} is not JSON`, { cause: err });
    }
    const list = typeof body === 'object' && body !== null && 'tags' in body ? body.tags : null;
    if (Array.isArray(list)) for (const x of list as unknown[]) if (typeof x === 'string') tags.push(x);
    const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(response.headers.get('link') ?? '')?.[1];
    url = next ? new URL(next, url).toString() : undefined;
  }
  return tags;
}
