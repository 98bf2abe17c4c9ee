/**
 * Pushing blobs (distribution spec "Pushing blobs"): HEAD, then a cross-repository mount when a
 * source is known, then a monolithic (POST, PUT) or chunked (POST, PATCH…, PUT) upload.
 */
import { Transform, type Readable } from 'node:stream';
import { EngineError } from '../core/index.js';
import { hasBlobAt } from './blob.js';
import type { Endpoint } from './endpoints.js';
import { repoScope } from './endpoints.js';
import { kindForStatus, statusMessage } from './registry-errors.js';
import type { RegistryResponse, Transport } from './transport.js';
import type { RepoRef } from './types.js';

/** One blob push. */
export interface PushBlobJob {
  repo: RepoRef;
  desc: { digest: string; size: number };
  data: () => Readable;
  mountFrom?: string | undefined;
  onProgress?: ((sent: number) => void) | undefined;
  signal?: AbortSignal | undefined;
  /** Blobs larger than this go in PATCH chunks of this size. */
  chunkSize: number;
  /** Whole-upload restarts after a network error or 5xx. */
  retries: number;
}

/** Pushes unless present; see RegistryClient.pushBlob. */
export async function pushBlobTo(t: Transport, ep: Endpoint, job: PushBlobJob): Promise<'exists' | 'mounted' | 'uploaded'> {
  if (await hasBlobAt(t, ep, job.repo, job.desc.digest, true, job.signal)) return 'exists';
  for (let attempt = 0; ; attempt++) {
    try {
      return await uploadOnce(t, ep, job);
    } catch (err) {
      if (job.signal?.aborted || attempt >= job.retries || !(err instanceof EngineError) || err.kind !== 'unavailable') throw err;
    }
  }
}

async function uploadOnce(t: Transport, ep: Endpoint, job: PushBlobJob): Promise<'mounted' | 'uploaded'> {
  const scope = repoScope(job.repo.path, true);
  const uploads = `${ep.base}/v2/${job.repo.path}/blobs/uploads/`;
  let location: string | undefined;
  if (job.mountFrom && job.mountFrom !== job.repo.path) {
    const url = `${uploads}?mount=${encodeURIComponent(job.desc.digest)}&from=${encodeURIComponent(job.mountFrom)}`;
    const res = await t.send({ method: 'POST', url, scopes: [scope, repoScope(job.mountFrom, false)], headers: { 'content-length': '0' }, body: Buffer.alloc(0), signal: job.signal });
    await drain(res);
    if (res.response.status === 201) return 'mounted';
    if (res.response.status === 202) location = locationOf(res);
  }
  if (location === undefined) {
    const res = await t.send({ method: 'POST', url: uploads, scopes: [scope], headers: { 'content-length': '0' }, body: Buffer.alloc(0), signal: job.signal });
    const text = await res.response.text();
    if (res.response.status !== 202) throw uploadError(job.desc.digest, res.response.status, text);
    location = locationOf(res);
  }
  if (job.desc.size > job.chunkSize) await chunked(t, job, location, scope);
  else await monolithic(t, job, location, scope);
  return 'uploaded';
}

async function monolithic(t: Transport, job: PushBlobJob, location: string, scope: string): Promise<void> {
  let sent = 0;
  const body = (): Readable => {
    const counter = new Transform({
      transform(c: Buffer, _enc, cb): void {
        sent += c.length;
        job.onProgress?.(sent);
        cb(null, c);
      },
    });
    const src = job.data();
    src.on('error', (err) => counter.destroy(err));
    return src.pipe(counter);
  };
  const res = await t.send({
    method: 'PUT', url: withDigest(location, job.desc.digest), scopes: [scope], signal: job.signal, body,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(job.desc.size) },
  });
  const text = await res.response.text();
  if (res.response.status !== 201 && res.response.status !== 204) throw uploadError(job.desc.digest, res.response.status, text);
}

async function chunked(t: Transport, job: PushBlobJob, location: string, scope: string): Promise<void> {
  let offset = 0;
  let loc = location;
  const send = async (chunk: Buffer): Promise<void> => {
    const res = await t.send({
      method: 'PATCH', url: loc, scopes: [scope], signal: job.signal, body: chunk,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(chunk.length), 'content-range': `${offset}-${offset + chunk.length - 1}` },
    });
    const text = await res.response.text();
    if (res.response.status !== 202) throw uploadError(job.desc.digest, res.response.status, text);
    loc = locationOf(res);
    offset += chunk.length;
    job.onProgress?.(offset);
  };
  let pending: Buffer[] = [];
  let pendingLen = 0;
  for await (const c of job.data() as AsyncIterable<Buffer>) {
    let rest = c;
    while (pendingLen + rest.length >= job.chunkSize) {
      const take = job.chunkSize - pendingLen;
      pending.push(rest.subarray(0, take));
      rest = rest.subarray(take);
      await send(Buffer.concat(pending));
      pending = [];
      pendingLen = 0;
    }
    if (rest.length > 0) {
      pending.push(rest);
      pendingLen += rest.length;
    }
  }
  if (pendingLen > 0) await send(Buffer.concat(pending));
  if (offset !== job.desc.size) throw new EngineError('invalid-argument', `blob ${job.desc.digest}: read ${offset} bytes, expected ${job.desc.size}`);
  const res = await t.send({ method: 'PUT', url: withDigest(loc, job.desc.digest), scopes: [scope], signal: job.signal, body: Buffer.alloc(0), headers: { 'content-length': '0' } });
  const text = await res.response.text();
  if (res.response.status !== 201 && res.response.status !== 204) throw uploadError(job.desc.digest, res.response.status, text);
}

/** The upload URL from Location, resolved against the request (relative or absolute). */
function locationOf(res: RegistryResponse): string {
  const loc = res.response.headers.get('location');
  if (!loc) throw new EngineError('internal', `registry answered ${res.response.status} without a Location for the upload`);
  return new URL(loc, res.url).toString();
}

/** Adds `digest=` to an upload URL, keeping its query (e.g. `_state`). */
function withDigest(location: string, digest: string): string {
  const u = new URL(location);
  u.searchParams.set('digest', digest);
  return u.toString();
}

function uploadError(digest: string, status: number, body: string): EngineError {
  if (status === 401 || status === 403) return new EngineError('unauthorized', statusMessage(status, body).replace(/^unexpected.*/, 'denied: requested access to the resource is denied'));
  return new EngineError(kindForStatus(status), `error uploading blob ${digest}: ${statusMessage(status, body)}`);
}

async function drain(res: RegistryResponse): Promise<void> {
  await res.response.body?.cancel().catch(() => undefined);
}
