/**
 * GET and PUT of manifests (distribution spec "Pulling manifests" / "Pushing manifests").
 */
import { EngineError, sha256 } from '../core/index.js';
import type { Endpoint } from './endpoints.js';
import { repoScope } from './endpoints.js';
import { familiarRef, familiarRepo, kindForStatus, statusMessage } from './registry-errors.js';
import type { Transport } from './transport.js';
import { MEDIA_TYPES, type FetchedManifest, type RepoRef } from './types.js';

const ACCEPT = [MEDIA_TYPES.ociIndex, MEDIA_TYPES.dockerManifestList, MEDIA_TYPES.ociManifest, MEDIA_TYPES.dockerManifest].join(', ');
/** Manifests larger than this are refused (containerd uses 4 MiB as well). */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** Fetches and verifies one manifest from one endpoint. */
export async function getManifestFrom(
  t: Transport, ep: Endpoint, repo: RepoRef, reference: string, signal: AbortSignal | undefined,
): Promise<FetchedManifest> {
  const url = `${ep.base}/v2/${repo.path}/manifests/${reference}`;
  const { response } = await t.send({ method: 'GET', url, scopes: [repoScope(repo.path, false)], headers: { accept: ACCEPT }, signal });
  const bytes = Buffer.from(await response.arrayBuffer());
  if (response.status === 404) {
    const detail = statusMessage(404, bytes.toString('utf8'));
    throw new EngineError('not-found', `manifest for ${familiarRef(repo, reference)} not found: ${detail.startsWith('unexpected') ? 'manifest unknown: manifest unknown' : detail}`);
  }
  if (response.status === 401 || response.status === 403) {
    const detail = statusMessage(response.status, bytes.toString('utf8'));
    throw new EngineError('unauthorized', `pull access denied for ${familiarRepo(repo)}, repository does not exist or may require 'docker login'${detail.startsWith('unexpected') ? '' : `: ${detail}`}`);
  }
  if (response.status !== 200) {
    throw new EngineError(kindForStatus(response.status), `error fetching manifest for ${familiarRef(repo, reference)}: ${statusMessage(response.status, bytes.toString('utf8'))}`);
  }
  if (bytes.length > MAX_MANIFEST_BYTES) throw new EngineError('invalid-argument', `manifest for ${familiarRef(repo, reference)} is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const digest = sha256(bytes);
  const expected = reference.startsWith('sha256:') ? reference : response.headers.get('docker-content-digest');
  if (expected && expected.startsWith('sha256:') && expected !== digest) {
    throw new EngineError('invalid-argument', `manifest verification failed for digest ${expected}: content hashes to ${digest}`);
  }
  return { mediaType: mediaTypeOf(response.headers.get('content-type'), bytes), digest, bytes };
}

function mediaTypeOf(contentType: string | null, bytes: Buffer): string {
  const ct = (contentType ?? '').split(';')[0]?.trim() ?? '';
  if (ct && ct !== 'application/json' && ct !== 'text/plain' && ct !== 'application/octet-stream') return ct;
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'mediaType' in parsed && typeof parsed.mediaType === 'string') return parsed.mediaType;
    if (typeof parsed === 'object' && parsed !== null && 'manifests' in parsed) return MEDIA_TYPES.ociIndex;
  } catch {
    // not JSON: the caller's parser reports it
  }
  return ct || MEDIA_TYPES.ociManifest;
}

/** PUTs a manifest; returns Docker-Content-Digest or the sha256 of the bytes. */
export async function putManifestTo(
  t: Transport, ep: Endpoint, repo: RepoRef, reference: string, mediaType: string, bytes: Buffer, signal: AbortSignal | undefined,
): Promise<string> {
  const url = `${ep.base}/v2/${repo.path}/manifests/${reference}`;
  const { response } = await t.send({ method: 'PUT', url, scopes: [repoScope(repo.path, true)], headers: { 'content-type': mediaType }, body: bytes, signal });
  const text = await response.text();
  if (response.status === 401 || response.status === 403) {
    throw new EngineError('unauthorized', statusMessage(response.status, text).replace(/^unexpected.*/, 'denied: requested access to the resource is denied'));
  }
  if (response.status !== 201 && response.status !== 200 && response.status !== 202) {
    throw new EngineError(kindForStatus(response.status), `error putting manifest ${familiarRef(repo, reference)}: ${statusMessage(response.status, text)}`);
  }
  const reported = response.headers.get('docker-content-digest');
  return reported && reported.startsWith('sha256:') ? reported : sha256(bytes);
}
