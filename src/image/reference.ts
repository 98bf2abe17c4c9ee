/**
 * Image references, normalized as docker/distribution's `reference` package does:
 * `busybox` → `docker.io/library/busybox`, familiar form `busybox`.
 */
import { invalidArgument } from '../core/index.js';

/** A parsed, normalized reference: `domain/path[:tag][@digest]`. */
export interface ImageReference {
  readonly domain: string;
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const DEFAULT_DOMAIN = 'docker.io';
const LEGACY_DOMAIN = 'index.docker.io';
const OFFICIAL_PREFIX = 'library/';
/** Docker's default tag. */
export const DEFAULT_TAG = 'latest';
const NAME_MAX = 255;

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domainName = `${domainComponent}(?:\\.${domainComponent})*`;
const host = `(?:${domainName}|\\[(?:[a-fA-F0-9:]+)\\])`;
const domainAndPort = `${host}(?::[0-9]+)?`;
const tagPat = '[\\w][\\w.-]{0,127}';
const digestPat = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePat = `(?:${domainAndPort}/)?${remoteName}`;

const REFERENCE_RE = new RegExp(`^(${namePat})(?::(${tagPat}))?(?:@(${digestPat}))?$`);
const NAME_RE = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const TAG_RE = new RegExp(`^${tagPat}$`);
const ID_RE = /^[a-f0-9]{64}$/;

function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  let domain: string;
  let remainder: string;
  if (slash < 0) return { domain: DEFAULT_DOMAIN, remainder: OFFICIAL_PREFIX + name };
  const maybeDomain = name.slice(0, slash);
  const rest = name.slice(slash + 1);
  if (maybeDomain === LEGACY_DOMAIN) {
    [domain, remainder] = [DEFAULT_DOMAIN, rest];
  } else if (maybeDomain === 'localhost' || /[.:]/.test(maybeDomain) || maybeDomain.toLowerCase() !== maybeDomain) {
    [domain, remainder] = [maybeDomain, rest];
  } else {
    [domain, remainder] = [DEFAULT_DOMAIN, name];
  }
  if (domain === DEFAULT_DOMAIN && !remainder.includes('/')) remainder = OFFICIAL_PREFIX + remainder;
  return { domain, remainder };
}

/**
 * Parses and normalizes a reference (distribution's ParseNormalizedNamed).
 * Throws EngineError 'invalid-argument' with Docker's wording ("invalid reference format", …).
 */
export function parseReference(ref: string): ImageReference {
  if (ID_RE.test(ref)) {
    throw invalidArgument(`invalid repository name (${ref}), cannot specify 64-byte hexadecimal strings`);
  }
  const { domain, remainder } = splitDockerDomain(ref);
  const colon = remainder.indexOf(':');
  const remote = colon < 0 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw invalidArgument(`invalid reference format: repository name (${remote}) must be lowercase`);
  }
  const full = `${domain}/${remainder}`;
  const m = REFERENCE_RE.exec(full);
  if (!m) {
    if (ref === '') throw invalidArgument('invalid reference format: repository name must have at least one component');
    if (REFERENCE_RE.test(full.toLowerCase())) throw invalidArgument('invalid reference format: repository name must be lowercase');
    throw invalidArgument('invalid reference format');
  }
  const nm = NAME_RE.exec(m[1]!);
  const path = nm?.[2] ?? m[1]!;
  if (path.length > NAME_MAX) throw invalidArgument(`repository name must not be more than ${NAME_MAX} characters`);
  const digest = m[3];
  if (digest !== undefined && !/^sha256:[a-f0-9]{64}$/.test(digest)) throw invalidArgument('invalid reference format');
  return {
    domain: nm?.[1] ?? domain,
    path,
    ...(m[2] !== undefined ? { tag: m[2] } : {}),
    ...(digest !== undefined ? { digest } : {}),
  };
}

/** `domain/path` of a reference. */
export function fullName(ref: ImageReference): string {
  return `${ref.domain}/${ref.path}`;
}

/** The familiar repository name: `busybox`, `user/app`, `localhost:5000/a/b`. */
export function familiarName(ref: ImageReference): string {
  if (ref.domain !== DEFAULT_DOMAIN) return fullName(ref);
  if (ref.path.startsWith(OFFICIAL_PREFIX)) {
    const rest = ref.path.slice(OFFICIAL_PREFIX.length);
    if (!rest.includes('/')) return rest;
  }
  return ref.path;
}

function suffix(ref: ImageReference): string {
  return `${ref.tag !== undefined ? `:${ref.tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
}

/** The familiar string, as `docker images` shows it: `busybox:latest`. Accepts a string or a parsed reference. */
export function familiarString(ref: ImageReference | string): string {
  const r = typeof ref === 'string' ? parseReference(ref) : ref;
  return familiarName(r) + suffix(r);
}

/** The full normalized string: `docker.io/library/busybox:latest`. */
export function referenceString(ref: ImageReference): string {
  return fullName(ref) + suffix(ref);
}

/** Adds the default tag to a name-only reference (distribution's TagNameOnly). */
export function withDefaultTag(ref: ImageReference): ImageReference {
  return ref.tag === undefined && ref.digest === undefined ? { ...ref, tag: DEFAULT_TAG } : ref;
}

/**
 * The reference a tag or import request names (Moby's RepoTagReference): `repo` plus an optional
 * `tag` (default latest). Throws 'invalid-argument' for a bad repo, a digest, or a bad tag.
 */
export function repoTagReference(repo: string, tag?: string): ImageReference {
  const ref = parseReference(repo);
  if (ref.digest !== undefined) throw invalidArgument('cannot import digest reference');
  if (familiarName(ref) === 'sha256') {
    throw invalidArgument('refusing to create an ambiguous tag using digest algorithm as name');
  }
  if (tag !== undefined && tag !== '') {
    if (!TAG_RE.test(tag)) throw invalidArgument('invalid tag format');
    return { domain: ref.domain, path: ref.path, tag };
  }
  return withDefaultTag(ref);
}
