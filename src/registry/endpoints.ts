/**
 * Where a registry domain is reached: `docker.io` → registry-1.docker.io (mirrors first for
 * pulls), plain HTTP for loopback and insecure registries, HTTPS otherwise.
 */
import type { RegistryOptions } from './types.js';

/**
 * One base URL (`https://host[:port]`, no trailing slash). `fallback` says when the next one is
 * tried: after any error (mirrors), after a network/TLS error (HTTPS of an insecure registry).
 */
export interface Endpoint {
  base: string;
  fallback: 'any' | 'network' | 'none';
}

/** True for localhost, 127.0.0.0/8 and ::1 (with or without a port). */
export function isLoopback(domain: string): boolean {
  const host = hostOf(domain);
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function hostOf(domain: string): string {
  if (domain.startsWith('[')) return domain.slice(1, domain.indexOf(']')).toLowerCase();
  const colons = domain.split(':').length - 1;
  if (colons > 1) return domain.toLowerCase(); // bare IPv6
  return (domain.split(':')[0] ?? domain).toLowerCase();
}

/** Endpoints to try in order; mirrors only for docker.io pulls. */
export function endpointsFor(domain: string, opts: RegistryOptions, use: { pull: boolean }): Endpoint[] {
  const out: Endpoint[] = [];
  if (domain === 'docker.io' || domain === 'index.docker.io' || domain === 'registry-1.docker.io') {
    if (use.pull) {
      for (const m of opts.mirrors ?? []) {
        const u = new URL(/^https?:\/\//.test(m) ? m : `https://${m}`);
        out.push({ base: `${u.origin}${u.pathname.replace(/\/+$/, '')}`, fallback: 'any' });
      }
    }
    out.push({ base: 'https://registry-1.docker.io', fallback: 'none' });
    return out;
  }
  if (isLoopback(domain)) return [{ base: `http://${domain}`, fallback: 'none' }];
  // Docker tries HTTPS first for insecure registries, then plain HTTP.
  if ((opts.insecure ?? []).some((d) => d === domain || d === hostOf(domain))) {
    return [{ base: `https://${domain}`, fallback: 'network' }, { base: `http://${domain}`, fallback: 'none' }];
  }
  return [{ base: `https://${domain}`, fallback: 'none' }];
}

/** The token scope for a repository. */
export function repoScope(path: string, push: boolean): string {
  return `repository:${path}:${push ? 'pull,push' : 'pull'}`;
}
