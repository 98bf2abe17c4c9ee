/**
 * Fetching blobs (distribution spec "Pulling blobs"): a stream verified on the fly against its
 * digest and size; it errors at the end, naming the digest, when the bytes do not match.
 */
import { createHash } from 'node:crypto';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { EngineError } from '../core/index.js';
import type { Endpoint } from './endpoints.js';
import { repoScope } from './endpoints.js';
import { familiarRepo, kindForStatus, statusMessage } from './registry-errors.js';
import { timedFetch, type Transport } from './transport.js';
import type { RepoRef } from './types.js';

/** A Transform that passes bytes through and fails at the end unless they hash to `digest`. */
export class VerifyingStream extends Transform {
  private readonly hash = createHash('sha256');
  private seen = 0;

  constructor(private readonly digest: string, private readonly size: number | undefined, private readonly onChunk?: () => void) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.onChunk?.();
    this.seen += chunk.length;
    if (this.size !== undefined && this.seen > this.size) {
      cb(new EngineError('invalid-argument', `digest mismatch for ${this.digest}: more than the expected ${this.size} bytes`));
      return;
    }
    this.hash.update(chunk);
    cb(null, chunk);
  }

  override _flush(cb: TransformCallback): void {
    if (this.size !== undefined && this.seen !== this.size) {
      cb(new EngineError('invalid-argument', `digest mismatch for ${this.digest}: got ${this.seen} bytes, expected ${this.size}`));
      return;
    }
    const got = `sha256:${this.hash.digest('hex')}`;
    if (got !== this.digest) {
      cb(new EngineError('invalid-argument', `digest mismatch for ${this.digest}: content hashes to ${got}`));
      return;
    }
    cb();
  }
}

/** GETs a blob from one endpoint; the returned stream is verified and idles out after `idleMs`. */
export async function getBlobFrom(
  t: Transport, ep: Endpoint, repo: RepoRef, desc: { digest: string; size?: number }, idleMs: number, signal: AbortSignal | undefined,
): Promise<Readable> {
  if (!desc.digest.startsWith('sha256:')) throw new EngineError('invalid-argument', `unsupported digest algorithm: ${desc.digest}`);
  const url = `${ep.base}/v2/${repo.path}/blobs/${desc.digest}`;
  const { response, abort } = await t.send({ method: 'GET', url, scopes: [repoScope(repo.path, false)], signal });
  if (response.status !== 200 || !response.body) {
    const text = await response.text();
    if (response.status === 401 || response.status === 403) {
      throw new EngineError('unauthorized', `pull access denied for ${familiarRepo(repo)}, repository does not exist or may require 'docker login'`);
    }
    throw new EngineError(kindForStatus(response.status), `error fetching blob ${desc.digest}: ${statusMessage(response.status, text)}`);
  }
  return verifiedBody(response, desc, idleMs, abort);
}

/**
 * GETs a foreign (non-distributable) layer from the URLs its descriptor names, the first that
 * answers 200, as Docker does when the registry does not have the blob; plain requests, without
 * the registry's credentials. Throws `notInRegistry` with the URLs' errors added if none has it.
 */
export async function getForeignBlob(
  urls: readonly string[], desc: { digest: string; size?: number }, timeoutMs: number, idleMs: number, signal: AbortSignal | undefined,
  notInRegistry: EngineError,
): Promise<Readable> {
  const get = timedFetch(timeoutMs);
  const failures: string[] = [];
  for (const url of urls) {
    if (!/^https?:\/\//i.test(url)) {
      failures.push(`${url}: not an http(s) URL`);
      continue;
    }
    let response: Response;
    try {
      response = await get(url, { method: 'GET' }, signal);
    } catch (err) {
      signal?.throwIfAborted();
      failures.push(`${url}: ${err instanceof Error ? err.message : String(err)}`);
      continue;
    }
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      failures.push(`${url}: unexpected status ${response.status}`);
      continue;
    }
    const body = response.body;
    return verifiedBody(response, desc, idleMs, () => void body.cancel().catch(() => undefined));
  }
  throw new EngineError(notInRegistry.kind, `${notInRegistry.message}; foreign URLs: ${failures.join('; ')}`, { cause: notInRegistry });
}

/** The body of a 200 answer as a stream verified against the digest, idling out after `idleMs`. */
function verifiedBody(response: Response, desc: { digest: string; size?: number }, idleMs: number, abort: (reason?: unknown) => void): Readable {
  const len = Number(response.headers.get('content-length') ?? NaN);
  if (desc.size !== undefined && Number.isFinite(len) && len !== desc.size) {
    abort();
    throw new EngineError('invalid-argument', `digest mismatch for ${desc.digest}: registry sends ${len} bytes, expected ${desc.size}`);
  }
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  // An idle body (no bytes for idleMs while the consumer keeps up) is aborted as a timeout.
  let idle: NodeJS.Timeout | undefined;
  const arm = (): void => {
    if (idle) clearTimeout(idle);
    idle = setTimeout(() => {
      if (verify.writableNeedDrain) {
        arm(); // the consumer is the slow side
        return;
      }
      const err = new EngineError('unavailable', `error fetching blob ${desc.digest}: no data for ${idleMs} ms`);
      abort(err);
      body.destroy(err);
    }, idleMs);
    idle.unref();
  };
  const verify = new VerifyingStream(desc.digest, desc.size, arm);
  arm();
  verify.on('close', () => clearTimeout(idle));
  body.on('error', (err) => {
    clearTimeout(idle);
    verify.destroy(err instanceof EngineError ? err : new EngineError('unavailable', `error fetching blob ${desc.digest}: ${err.message}`, { cause: err }));
  });
  return body.pipe(verify);
}

/** HEADs a blob: true on 200, false on 404. */
export async function hasBlobAt(t: Transport, ep: Endpoint, repo: RepoRef, digest: string, push: boolean, signal: AbortSignal | undefined): Promise<boolean> {
  const url = `${ep.base}/v2/${repo.path}/blobs/${digest}`;
  const { response } = await t.send({ method: 'HEAD', url, scopes: [repoScope(repo.path, push)], signal });
  await response.body?.cancel().catch(() => undefined);
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  if (response.status === 401 || response.status === 403) {
    throw new EngineError('unauthorized', push ? 'denied: requested access to the resource is denied' : `pull access denied for ${familiarRepo(repo)}, repository does not exist or may require 'docker login'`);
  }
  throw new EngineError(kindForStatus(response.status), `error checking blob ${digest}: unexpected status ${response.status}`);
}
