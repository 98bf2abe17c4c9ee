/**
 * Turning registry responses and network failures into EngineErrors with Docker's wording
 * (distribution's errcode format: `<code in lower case>: <message>`).
 */
import { EngineError } from '../core/index.js';
import type { RepoRef } from './types.js';

/** `busybox` for docker.io/library/busybox, `ns/app` for docker.io/ns/app, else `domain/path`. */
export function familiarRepo(repo: RepoRef): string {
  if (repo.domain === 'docker.io') {
    return repo.path.startsWith('library/') ? repo.path.slice('library/'.length) : repo.path;
  }
  return `${repo.domain}/${repo.path}`;
}

/** `repo:tag` or `repo@sha256:…` as Docker prints it. */
export function familiarRef(repo: RepoRef, reference: string): string {
  return `${familiarRepo(repo)}${reference.includes(':') ? '@' : ':'}${reference}`;
}

/** Formats an OCI error body (`{"errors":[{code,message}]}`); '' when the body is not one. */
export function formatRegistryErrors(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return '';
  }
  if (typeof parsed !== 'object' || parsed === null || !('errors' in parsed)) return '';
  const errors = (parsed as { errors: unknown }).errors;
  if (!Array.isArray(errors)) return '';
  const parts: string[] = [];
  for (const e of errors as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const code = 'code' in e && typeof e.code === 'string' ? e.code.toLowerCase().replace(/_/g, ' ') : 'unknown';
    const message = 'message' in e && typeof e.message === 'string' ? e.message : '';
    parts.push(message ? `${code}: ${message}` : code);
  }
  return parts.join(', ');
}

/** A message for an unexpected status: the registry's errors, else the status line. */
export function statusMessage(status: number, body: string): string {
  const formatted = formatRegistryErrors(body);
  if (formatted) return formatted;
  const text = body.trim().slice(0, 200);
  return `unexpected status from registry: ${status}${text ? ` ${text}` : ''}`;
}

/** The EngineError kind for a final (non-retried) HTTP status. */
export function kindForStatus(status: number): EngineError['kind'] {
  if (status === 401 || status === 403) return 'unauthorized';
  if (status === 404) return 'not-found';
  if (status === 429 || status >= 500) return 'unavailable';
  if (status >= 400 && status < 500) return 'invalid-argument';
  return 'internal';
}

interface ErrnoLike {
  code?: string;
  message: string;
  address?: string;
  port?: number;
  hostname?: string;
}

function errnoOf(err: unknown): ErrnoLike | undefined {
  let cur: unknown = err;
  for (let i = 0; i < 5 && cur instanceof Error; i++) {
    const c = cur as Error & { code?: unknown };
    if (typeof c.code === 'string' && c.code !== 'UND_ERR_SOCKET') return c as ErrnoLike;
    if (c instanceof AggregateError && c.errors[0] instanceof Error) {
      cur = c.errors[0];
      continue;
    }
    cur = c.cause;
  }
  return undefined;
}

const TLS_UNKNOWN_CA = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'UNABLE_TO_GET_ISSUER_CERT',
]);

/** Whether a network failure is worth retrying (DNS and certificate errors are not). */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = errnoOf(err)?.code ?? '';
  return !(code === 'ENOTFOUND' || TLS_UNKNOWN_CA.has(code) || code.startsWith('CERT_') || code.startsWith('ERR_TLS') || code === 'EPROTO');
}

/**
 * Describes a network failure the way Docker (Go's net/http) does:
 * `Get "https://x/v2/": dial tcp: lookup x: no such host`, `… connect: connection refused`,
 * `… x509: certificate signed by unknown authority`. Always kind 'unavailable'.
 */
export function networkError(method: string, url: string, err: unknown, opts: { timedOut?: boolean } = {}): EngineError {
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  const prefix = `${verb} "${url}"`;
  const host = new URL(url).hostname;
  if (opts.timedOut) {
    return new EngineError('unavailable', `${prefix}: net/http: request canceled (Client.Timeout exceeded while awaiting headers)`, { cause: err });
  }
  const e = errnoOf(err);
  const code = e?.code ?? '';
  let detail: string;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') detail = `dial tcp: lookup ${host}: no such host`;
  else if (code === 'ECONNREFUSED') detail = `dial tcp ${e?.address ?? host}:${e?.port ?? ''}: connect: connection refused`;
  else if (code === 'ECONNRESET') detail = 'read: connection reset by peer';
  else if (code === 'ETIMEDOUT') detail = `dial tcp ${host}: i/o timeout`;
  else if (TLS_UNKNOWN_CA.has(code)) detail = 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  else if (code === 'CERT_HAS_EXPIRED') detail = 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  else if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') detail = `tls: failed to verify certificate: x509: certificate is not valid for ${host}`;
  else if (code === 'EPROTO' || code.startsWith('ERR_SSL')) detail = `tls: ${e?.message ?? 'handshake failure'} (is the registry serving plain HTTP? add it to insecure-registries)`;
  else detail = e?.message ?? (err instanceof Error ? err.message : String(err));
  return new EngineError('unavailable', `${prefix}: ${detail}`, { cause: err });
}
