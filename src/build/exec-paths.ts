/**
 * COPY/ADD path rules of Docker's classic builder (moby builder/dockerfile copy.go): where the
 * destination is, whether it must be a directory, where each source lands, and the
 * `filepath.Match` globs sources may use. Pure slash-path logic; the executor does the I/O.
 */
import { cleanPath } from './paths.js';

/**
 * The absolute destination of a COPY/ADD: relative paths are taken from the WORKDIR ("/" when
 * unset) and a trailing `/` is kept, because it says "a directory" (normalizeDest).
 */
export function normalizeDest(workdir: string, dest: string): string {
  const endsInSlash = dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
  let out = dest.startsWith('/') ? cleanPath(dest) : cleanPath(`/${workdir || '/'}/${dest}`);
  if (endsInSlash && !out.endsWith('/')) out += '/';
  return out;
}

/** Whether the destination as written names a directory (`dir/`, `.`). */
export function destIsDir(dest: string): boolean {
  return dest.endsWith('/') || dest === '.' || dest.endsWith('/.');
}

/**
 * Docker's check: several sources (after glob expansion) need a directory destination.
 * Returns the error message, or undefined when fine.
 */
export function checkMultipleSources(kind: 'COPY' | 'ADD', count: number, dest: string): string | undefined {
  if (count > 1 && !destIsDir(dest)) {
    return `When using ${kind} with more than one source file, the destination must be a directory and end with a /`;
  }
  return undefined;
}

/**
 * Where a source lands. `sourceIsDir`: the source is a directory (its contents are copied into
 * the destination). `destExistsAsDir`: the destination already is a directory in the image.
 * A file goes to `dest/<base>` when the destination is (or is written as) a directory, else to
 * `dest` itself.
 */
export function targetPath(o: { dest: string; sourceBase: string; sourceIsDir: boolean; destExistsAsDir: boolean }): string {
  const dest = o.dest.endsWith('/') && o.dest !== '/' ? o.dest.slice(0, -1) : o.dest;
  if (o.sourceIsDir) return dest;
  if (o.dest.endsWith('/') || o.destExistsAsDir) return cleanPath(`${dest}/${o.sourceBase}`);
  return dest;
}

/** Whether the path has glob characters (`*`, `?`, `[`). */
export function hasGlob(p: string): boolean {
  return /[*?[]/.test(p);
}

/** Go's filepath.Match for one path (a `*` never matches `/`). Throws Error('syntax error in pattern'). */
export function globMatch(pattern: string, path: string): boolean {
  return globRegex(pattern).test(path);
}

const cache = new Map<string, RegExp>();

function globRegex(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re) return re;
  let out = '^';
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '\\' && i + 1 < chars.length) out += escapeRe(chars[++i]!);
    else if (ch === '[') {
      const end = chars.indexOf(']', i + 2);
      if (end < 0) throw new Error('syntax error in pattern');
      let body = chars.slice(i + 1, end).join('');
      if (body.startsWith('^')) body = `^${body.slice(1)}`;
      out += `[${body.replace(/\\/g, '\\\\').replace(/^\^/, '^')}]`;
      i = end;
    } else out += escapeRe(ch);
  }
  re = new RegExp(`${out}$`, 'su');
  cache.set(pattern, re);
  return re;
}

function escapeRe(ch: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * The source as a clean path relative to the context root (leading `/` and `..` cannot leave
 * it, as Docker's context roots sources). "." for the root itself.
 */
export function contextRelative(source: string): string {
  const c = cleanPath(`/${source}`);
  return c === '/' ? '.' : c.slice(1);
}

/** Parses `--chmod` (octal, as the classic builder accepts). Returns undefined for a bad value. */
export function parseChmod(value: string): number | undefined {
  return /^[0-7]{3,4}$/.test(value) ? Number.parseInt(value, 8) : undefined;
}

/** Whether an ADD source is a remote URL (fetched, never extracted). */
export function isUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

/** The file name of a URL source when the destination is a directory (last path segment). */
export function urlFileName(url: string): string {
  const u = new URL(url);
  const base = u.pathname.split('/').filter((s) => s !== '').at(-1);
  return base ?? u.hostname;
}
