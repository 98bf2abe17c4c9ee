/**
 * Registry auth as Docker does it (distribution `registry/client/auth`): remember each
 * endpoint's challenge, answer Basic challenges with the credentials and Bearer challenges with
 * a token from the realm (GET with Basic credentials or anonymous; POST refresh_token when an
 * identity token is given), cached per (endpoint, scopes) until it expires.
 */
import { EngineError } from '../core/index.js';
import type { Challenge } from './auth-header.js';
import { formatRegistryErrors, networkError } from './registry-errors.js';
import type { RegistryAuth } from './types.js';

interface CachedToken {
  token: string;
  expiresAt: number;
}

/** Fetch with a per-request timeout, as the token request needs. */
export type TimedFetch = (url: string, init: RequestInit, signal: AbortSignal | undefined) => Promise<Response>;

/** Per-client auth state: challenges per origin, tokens per origin and scope set. */
export class Authenticator {
  private readonly challenges = new Map<string, Challenge>();
  private readonly tokens = new Map<string, CachedToken>();

  constructor(
    private readonly auth: RegistryAuth | undefined,
    private readonly fetchTimed: TimedFetch,
    private readonly clientId: string,
  ) {}

  /** Records the challenge an origin answered with; false when no scheme is supported. */
  setChallenge(origin: string, challenges: Challenge[]): boolean {
    const c = challenges.find((x) => x.scheme === 'bearer') ?? challenges.find((x) => x.scheme === 'basic');
    if (!c) return false;
    this.challenges.set(origin, c);
    return true;
  }

  /** Forgets a cached token (after the registry refused it). */
  invalidate(origin: string, scopes: readonly string[]): void {
    this.tokens.delete(tokenKey(origin, scopes));
  }

  /** The Authorization header for a request, or undefined (no challenge seen yet, or anonymous Basic). */
  async authorization(origin: string, scopes: readonly string[], signal: AbortSignal | undefined): Promise<string | undefined> {
    const c = this.challenges.get(origin);
    if (!c) return undefined;
    if (c.scheme === 'basic') {
      if (this.auth?.username === undefined && this.auth?.password === undefined) return undefined;
      return `Basic ${basic(this.auth.username ?? '', this.auth.password ?? '')}`;
    }
    if (this.auth?.registrytoken) return `Bearer ${this.auth.registrytoken}`;
    const scopeList = scopes.length > 0 ? [...scopes] : c.params['scope'] ? c.params['scope'].split(' ') : [];
    const key = tokenKey(origin, scopeList);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now()) return `Bearer ${cached.token}`;
    const fetched = await this.fetchToken(c, scopeList, signal);
    this.tokens.set(key, fetched);
    return `Bearer ${fetched.token}`;
  }

  private async fetchToken(c: Challenge, scopes: string[], signal: AbortSignal | undefined): Promise<CachedToken> {
    const realm = c.params['realm'];
    if (!realm) throw new EngineError('unauthorized', 'unauthorized: bearer challenge without a realm');
    const service = c.params['service'];
    const url = new URL(realm);
    let init: RequestInit;
    if (this.auth?.identitytoken) {
      const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: this.auth.identitytoken, client_id: this.clientId });
      if (service) form.set('service', service);
      if (scopes.length > 0) form.set('scope', scopes.join(' '));
      init = { method: 'POST', body: form.toString(), headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    } else {
      if (service) url.searchParams.set('service', service);
      for (const s of scopes) url.searchParams.append('scope', s);
      const headers: Record<string, string> = {};
      if (this.auth?.username !== undefined || this.auth?.password !== undefined) {
        headers['authorization'] = `Basic ${basic(this.auth.username ?? '', this.auth.password ?? '')}`;
        url.searchParams.set('account', this.auth.username ?? '');
      }
      init = { method: 'GET', headers };
    }
    let res: Response;
    try {
      res = await this.fetchTimed(url.toString(), init, signal);
    } catch (err) {
      if (err instanceof EngineError) throw err;
      throw networkError(init.method ?? 'GET', url.toString(), err);
    }
    const text = await res.text();
    if (res.status === 401 || res.status === 403) {
      const detail = formatRegistryErrors(text);
      throw new EngineError('unauthorized', this.hasCredentials()
        ? 'unauthorized: incorrect username or password'
        : `unauthorized: ${detail || 'authentication required'}`);
    }
    if (!res.ok) {
      throw new EngineError(res.status >= 500 ? 'unavailable' : 'unauthorized', `token request to ${url.origin}${url.pathname} failed: ${res.status} ${formatRegistryErrors(text) || text.slice(0, 200)}`);
    }
    return parseTokenResponse(text);
  }

  private hasCredentials(): boolean {
    return Boolean(this.auth?.username || this.auth?.password || this.auth?.identitytoken);
  }
}

function parseTokenResponse(text: string): CachedToken {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (err) {
    throw new EngineError('unauthorized', 'unauthorized: token response is not JSON', { cause: err });
  }
  const o = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const token = typeof o['token'] === 'string' && o['token'] ? o['token'] : typeof o['access_token'] === 'string' ? o['access_token'] : '';
  if (!token) throw new EngineError('unauthorized', 'unauthorized: token response without a token');
  // distribution: a missing or short expires_in means 60 s.
  const expiresIn = typeof o['expires_in'] === 'number' && o['expires_in'] >= 60 ? o['expires_in'] : 60;
  const issued = typeof o['issued_at'] === 'string' ? Date.parse(o['issued_at']) : NaN;
  const start = Number.isFinite(issued) && issued <= Date.now() ? issued : Date.now();
  // Renew a little early so a token does not expire in flight.
  return { token, expiresAt: start + expiresIn * 1000 - 5000 };
}

function tokenKey(origin: string, scopes: readonly string[]): string {
  return `${origin} ${[...scopes].sort().join(' ')}`;
}

function basic(user: string, pass: string): string {
  return Buffer.from(`${user}:${pass}`).toString('base64');
}
