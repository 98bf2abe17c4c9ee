/**
 * X-Registry-Auth (docker/cli `registry.EncodeAuthConfig`: base64url JSON, older clients
 * standard base64) and WWW-Authenticate challenges (RFC 7235, as distribution's challenge parser).
 */
import { z } from 'zod';
import { invalidArgument } from '../core/index.js';
import type { RegistryAuth } from './types.js';

const AuthSchema = z.object({
  username: z.string().optional(),
  password: z.string().optional(),
  auth: z.string().optional(),
  email: z.string().optional(),
  identitytoken: z.string().optional(),
  registrytoken: z.string().optional(),
  serveraddress: z.string().optional(),
}).loose();

/**
 * Decodes an X-Registry-Auth header. Undefined for a missing or empty header and for `{}`
 * (`e30=`). Throws EngineError 'invalid-argument' when it is not base64 JSON.
 */
export function parseRegistryAuthHeader(header: string | undefined): RegistryAuth | undefined {
  const raw = header?.trim();
  if (!raw) return undefined;
  if (!/^[A-Za-z0-9+/_=-]+$/.test(raw)) throw invalidArgument('invalid X-Registry-Auth header: not base64');
  const std = raw.replace(/-/g, '+').replace(/_/g, '/');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(std, 'base64').toString('utf8'));
  } catch (err) {
    throw invalidArgument('invalid X-Registry-Auth header: not base64-encoded JSON', err);
  }
  const parsed = AuthSchema.safeParse(value);
  if (!parsed.success) throw invalidArgument('invalid X-Registry-Auth header: not an auth config object');
  const a = parsed.data;
  const out: RegistryAuth = {};
  let { username, password } = a;
  if (a.auth && !username) {
    const decoded = Buffer.from(a.auth, 'base64').toString('utf8');
    const i = decoded.indexOf(':');
    if (i > 0) {
      username = decoded.slice(0, i);
      password = decoded.slice(i + 1);
    }
  }
  if (username) out.username = username;
  if (password) out.password = password;
  if (a.identitytoken) out.identitytoken = a.identitytoken;
  if (a.registrytoken) out.registrytoken = a.registrytoken;
  if (a.serveraddress) out.serveraddress = a.serveraddress;
  if (!out.username && !out.password && !out.identitytoken && !out.registrytoken) return undefined;
  return out;
}

/** One challenge from WWW-Authenticate: scheme in lower case and its auth-params. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses a WWW-Authenticate header into its challenges (`Bearer realm="…",service="…"`). */
export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  const re = /\s*([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?:\s+|$)/y;
  const paramRe = /\s*([A-Za-z0-9!#$%&'*+.^_`|~-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))\s*,?/y;
  let pos = 0;
  while (pos < header.length) {
    re.lastIndex = pos;
    const m = re.exec(header);
    if (!m?.[1]) break;
    pos = re.lastIndex;
    const params: Record<string, string> = {};
    for (;;) {
      paramRe.lastIndex = pos;
      const p = paramRe.exec(header);
      if (!p?.[1]) break;
      // A token followed by a space and no '=' is the next scheme.
      params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : (p[3] ?? '');
      pos = paramRe.lastIndex;
    }
    out.push({ scheme: m[1].toLowerCase(), params });
    while (header[pos] === ',' || header[pos] === ' ') pos++;
  }
  return out;
}
