/**
 * Registry credentials in the docker CLI's config file (`$DOCKER_CONFIG/config.json`, default
 * `~/.docker/config.json`): `auths` entries with base64 `user:password`, or a credentials helper
 * (`credsStore` / `credHelpers`) run as `docker-credential-<name> get|store|erase`.
 */
import { childProcess } from '../core/builtin.js';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** Docker Hub's key in `auths`, as the docker CLI writes it. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

export interface Credentials {
  username: string;
  password: string;
  serveraddress: string;
}

interface ConfigFile {
  auths?: Record<string, { auth?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
  [k: string]: unknown;
}

export function configPath(env: NodeJS.ProcessEnv): string {
  return join(env['DOCKER_CONFIG'] || join(homedir(), '.docker'), 'config.json');
}

function readConfig(path: string): ConfigFile {
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ConfigFile;
  } catch (err) {
    throw new Error(`loading config file ${path}: ${(err as Error).message}`);
  }
}

function writeConfig(path: string, cfg: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, JSON.stringify(cfg, null, '\t') + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}

/** The config key for a registry domain: Docker Hub's URL for docker.io, else the host[:port]. */
export function registryKey(domain: string): string {
  return domain === 'docker.io' || domain === 'index.docker.io' || domain === 'registry-1.docker.io' ? DOCKER_HUB_KEY : domain;
}

function helperFor(cfg: ConfigFile, key: string): string | undefined {
  return cfg.credHelpers?.[key] ?? cfg.credsStore;
}

function runHelper(env: NodeJS.ProcessEnv, helper: string, action: 'get' | 'store' | 'erase', input: string): string {
  const r = childProcess().spawnSync(`docker-credential-${helper}`, [action], { input, encoding: 'utf8', env });
  const verb = action === 'get' ? 'getting' : action === 'store' ? 'storing' : 'erasing';
  // A helper may exit without reading its stdin (e.g. `get` of an unknown server): the EPIPE that
  // leaves is not a failure when the helper did exit, as Go's os/exec treats it.
  const epipe = (r.error as NodeJS.ErrnoException | undefined)?.code === 'EPIPE' && r.status !== null;
  if (r.error && !epipe) throw new Error(`error ${verb} credentials - err: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`error ${verb} credentials - err: exit status ${r.status}, out: \`${(r.stdout || r.stderr).trim()}\``);
  return r.stdout;
}

/** Stored credentials for a registry, if any. */
export function getCredentials(env: NodeJS.ProcessEnv, domain: string): Credentials | undefined {
  const path = configPath(env);
  const cfg = readConfig(path);
  const key = registryKey(domain);
  const helper = helperFor(cfg, key);
  if (helper) {
    let out: string;
    try {
      out = runHelper(env, helper, 'get', key);
    } catch {
      return undefined;
    }
    const j = JSON.parse(out) as { Username?: string; Secret?: string };
    return j.Username ? { username: j.Username, password: j.Secret ?? '', serveraddress: key } : undefined;
  }
  const entry = cfg.auths?.[key];
  if (!entry?.auth) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  if (i < 0) return undefined;
  return { username: decoded.slice(0, i), password: decoded.slice(i + 1), serveraddress: key };
}

/** Saves credentials (through the helper when one is configured). Returns where they went. */
export function storeCredentials(env: NodeJS.ProcessEnv, domain: string, username: string, password: string): { path: string; helper: boolean } {
  const path = configPath(env);
  const cfg = readConfig(path);
  const key = registryKey(domain);
  const helper = helperFor(cfg, key);
  if (helper) {
    runHelper(env, helper, 'store', JSON.stringify({ ServerURL: key, Username: username, Secret: password }));
    cfg.auths = { ...cfg.auths, [key]: {} };
  } else {
    cfg.auths = { ...cfg.auths, [key]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  }
  writeConfig(path, cfg);
  return { path, helper: helper !== undefined };
}

/** Removes stored credentials; false when there were none. */
export function eraseCredentials(env: NodeJS.ProcessEnv, domain: string): boolean {
  const path = configPath(env);
  const cfg = readConfig(path);
  const key = registryKey(domain);
  const helper = helperFor(cfg, key);
  const had = cfg.auths?.[key] !== undefined;
  if (helper) {
    try {
      runHelper(env, helper, 'erase', key);
    } catch {
      /* nothing stored there */
    }
  }
  if (cfg.auths) delete cfg.auths[key];
  writeConfig(path, cfg);
  return had || helper !== undefined;
}

/** The X-Registry-Auth header value for a registry: base64url JSON, `e30=` ({}) without credentials. */
export function registryAuthHeader(env: NodeJS.ProcessEnv, domain: string): string {
  const c = getCredentials(env, domain);
  if (!c) return 'e30=';
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

/** The registry domain of an image reference, as Docker normalises it. */
export function domainOf(ref: string): string {
  const first = ref.split('/')[0]!;
  if (ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')) return first;
  return 'docker.io';
}
