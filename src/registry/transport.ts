/**
 * One HTTP exchange with a registry: auth (challenge → retry once with credentials or a token),
 * manual redirects (credentials dropped across origins), a per-attempt timeout, and retries with
 * exponential backoff on network errors, 5xx and 429 (Retry-After honoured, capped).
 */
import type { Readable } from 'node:stream';
import { EngineError } from '../core/index.js';
import { parseChallenges } from './auth-header.js';
import type { Authenticator } from './authenticator.js';
import { isRetryableNetworkError, networkError } from './registry-errors.js';

/** Transport knobs (from RegistryOptions, with defaults applied). */
export interface TransportSettings {
  timeoutMs: number;
  retries: number;
  retryBaseMs: number;
  maxRetryDelayMs: number;
  userAgent: string;
}

/** A request: `body` is bytes (retryable) or a factory of a stream (never retried on errors). */
export interface RegistryRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  scopes: readonly string[];
  headers?: Record<string, string>;
  body?: Buffer | (() => Readable);
  signal?: AbortSignal | undefined;
}

/** A response whose body is still unread; `abort` cancels the exchange (e.g. on an idle body). */
export interface RegistryResponse {
  response: Response;
  url: string;
  abort: (reason?: unknown) => void;
}

const MAX_REDIRECTS = 10;

/** A fetch with a timeout and Docker-like network errors (for the token endpoint). */
export function timedFetch(timeoutMs: number): (url: string, init: RequestInit, signal: AbortSignal | undefined) => Promise<Response> {
  return async (url, init, signal) => {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(new Error('timeout')), timeoutMs);
    try {
      return await fetch(url, { ...init, signal: signal ? AbortSignal.any([signal, ctl.signal]) : ctl.signal });
    } catch (err) {
      signal?.throwIfAborted();
      throw networkError(init.method ?? 'GET', url, err, { timedOut: ctl.signal.aborted });
    } finally {
      clearTimeout(timer);
    }
  };
}

/** Sends requests for one client. */
export class Transport {
  constructor(private readonly settings: TransportSettings, readonly auth: Authenticator) {}

  /** Sends with auth, redirects and retries; resolves with any final status (callers map them). */
  async send(req: RegistryRequest): Promise<RegistryResponse> {
    const retryable = !(typeof req.body === 'function');
    for (let attempt = 0; ; attempt++) {
      req.signal?.throwIfAborted();
      let res: RegistryResponse;
      try {
        res = await this.sendAuthed(req);
      } catch (err) {
        if (req.signal?.aborted || !retryable || attempt >= this.settings.retries) throw err;
        if (err instanceof EngineError && err.kind !== 'unavailable') throw err;
        if (!isRetryableNetworkError(err instanceof EngineError ? err.cause : err)) throw err;
        await sleep(this.backoff(attempt), req.signal);
        continue;
      }
      const status = res.response.status;
      if ((status >= 500 || status === 429) && retryable && attempt < this.settings.retries) {
        const delay = this.retryAfter(res.response.headers.get('retry-after')) ?? this.backoff(attempt);
        await res.response.body?.cancel().catch(() => undefined);
        await sleep(delay, req.signal);
        continue;
      }
      return res;
    }
  }

  private async sendAuthed(req: RegistryRequest): Promise<RegistryResponse> {
    const origin = new URL(req.url).origin;
    for (let round = 0; ; round++) {
      const authorization = await this.auth.authorization(origin, req.scopes, req.signal);
      const res = await this.sendFollowing(req, authorization);
      if (res.response.status !== 401 || round > 0) return res;
      const challenges = parseChallenges(res.response.headers.get('www-authenticate'));
      if (!this.auth.setChallenge(origin, challenges)) return res;
      this.auth.invalidate(origin, req.scopes);
      await res.response.body?.cancel().catch(() => undefined);
    }
  }

  private async sendFollowing(req: RegistryRequest, authorization: string | undefined): Promise<RegistryResponse> {
    let url = req.url;
    const firstOrigin = new URL(url).origin;
    for (let hop = 0; ; hop++) {
      const sameOrigin = new URL(url).origin === firstOrigin;
      const res = await this.once(req, url, sameOrigin ? authorization : undefined, hop === 0);
      const status = res.response.status;
      const location = res.response.headers.get('location');
      const redirect = [301, 302, 303, 307, 308].includes(status) && location && (req.method === 'GET' || req.method === 'HEAD');
      if (!redirect) return res;
      if (hop >= MAX_REDIRECTS) throw new EngineError('unavailable', `${req.method} "${req.url}": stopped after ${MAX_REDIRECTS} redirects`);
      await res.response.body?.cancel().catch(() => undefined);
      url = new URL(location, url).toString();
    }
  }

  private async once(req: RegistryRequest, url: string, authorization: string | undefined, withBody: boolean): Promise<RegistryResponse> {
    const ctl = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort(new Error('timeout'));
    }, this.settings.timeoutMs);
    const headers: Record<string, string> = { 'user-agent': this.settings.userAgent, ...req.headers };
    if (authorization) headers['authorization'] = authorization;
    const init: RequestInit & { duplex?: 'half' } = {
      method: req.method,
      headers,
      redirect: 'manual',
      signal: req.signal ? AbortSignal.any([req.signal, ctl.signal]) : ctl.signal,
    };
    if (withBody && req.body !== undefined) {
      if (Buffer.isBuffer(req.body)) init.body = req.body;
      else {
        init.body = req.body() as AsyncIterable<Uint8Array> as unknown as ReadableStream<Uint8Array>;
        init.duplex = 'half';
      }
    }
    try {
      const response = await fetch(url, init);
      clearTimeout(timer);
      return { response, url, abort: (reason?: unknown) => ctl.abort(reason) };
    } catch (err) {
      clearTimeout(timer);
      req.signal?.throwIfAborted();
      throw networkError(req.method, url, err, { timedOut });
    }
  }

  private backoff(attempt: number): number {
    return Math.min(this.settings.retryBaseMs * 2 ** attempt, this.settings.maxRetryDelayMs);
  }

  private retryAfter(header: string | null): number | undefined {
    if (!header) return undefined;
    const secs = Number(header);
    const ms = Number.isFinite(secs) ? secs * 1000 : Date.parse(header) - Date.now();
    if (!Number.isFinite(ms)) return undefined;
    return Math.min(Math.max(ms, 0), this.settings.maxRetryDelayMs);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
