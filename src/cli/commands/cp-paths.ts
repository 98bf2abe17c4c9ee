/**
 * The path logic of `docker cp` (docker/cli cp.go and moby/go-archive copy.go): which side is a
 * container, Go's filepath cleaning, and where and under which name an archive must be
 * extracted so the copy lands where `cp -a` would put it.
 */

/** Go's filepath.Clean for slash paths. */
export function goClean(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go's filepath.Base. */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** Go's filepath.Dir. */
export function goDir(path: string): string {
  const i = path.lastIndexOf('/');
  return goClean(path.slice(0, i + 1));
}

/** Go's filepath.Join. */
export function goJoin(...parts: string[]): string {
  const kept = parts.filter((p) => p !== '');
  return kept.length === 0 ? '' : goClean(kept.join('/'));
}

/** Whether the path ends with `/`. */
export function hasTrailingSeparator(path: string): boolean {
  return path.endsWith('/');
}

/** Whether the last element of the path is `.` ("the directory's contents"). */
export function specifiesCurrentDir(path: string): boolean {
  return goBase(path) === '.';
}

/** A path ending in `/` or `/.` asserts a directory. */
export function assertsDirectory(path: string): boolean {
  return hasTrailingSeparator(path) || specifiesCurrentDir(path);
}

/** go-archive's PreserveTrailingDotOrSeparator: puts back the `/.` or `/` cleaning removed. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  let out = cleaned;
  if (!specifiesCurrentDir(out) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(out)) out += '/';
    out += '.';
  }
  if (!hasTrailingSeparator(out) && hasTrailingSeparator(original)) out += '/';
  return out;
}

/** go-archive's SplitPathDirEntry: directory and base, keeping a trailing `.`. */
export function splitPathDirEntry(path: string): [string, string] {
  let cleaned = goClean(path);
  if (specifiesCurrentDir(path)) cleaned += '/.';
  return [goDir(cleaned), goBase(cleaned)];
}

/**
 * docker/cli's splitCpArg: `CONTAINER:PATH`, unless the argument is an absolute local path or
 * starts with `.` (so `./file:name.txt` stays local).
 */
export function splitCpArg(arg: string): { container: string; path: string } {
  if (arg.startsWith('/')) return { container: '', path: arg };
  const i = arg.indexOf(':');
  if (i < 0 || arg.slice(0, i).startsWith('.')) return { container: '', path: arg };
  return { container: arg.slice(0, i), path: arg.slice(i + 1) };
}

/** go-archive's GetRebaseName: the resolved path with the original's trailing form, and the name to rebase to. */
export function getRebaseName(path: string, resolved: string): { resolved: string; rebaseName: string } {
  let out = resolved;
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(out)) out += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(out)) out += '/';
  return { resolved: out, rebaseName: goBase(path) !== goBase(out) ? goBase(path) : '' };
}

/** go-archive's CopyInfo: what one side of a copy is. */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

/** The extraction directory and how entry names must change (go-archive PrepareArchiveCopy). */
export interface CopyPlan {
  dstDir: string;
  /** Replace the first `from` in entry names by `to`. */
  rebase?: { from: string; to: string };
}

/** An error with go-archive's wording. */
export class CopyError extends Error {}

/**
 * Decides where to extract the source archive so the copy behaves like `cp -a`: into an existing
 * directory as is; else into the destination's parent, renamed to the destination's name.
 */
export function prepareArchiveCopy(src: CopyInfo, dst: CopyInfo): CopyPlan {
  const [dstDir, dstBase] = splitPathDirEntry(dst.path);
  let [, srcBase] = splitPathDirEntry(src.path);
  if (dst.exists && dst.isDir) return { dstDir: dst.path };
  if (dst.exists && src.isDir) throw new CopyError('cannot copy directory');
  if (!dst.exists && !src.isDir && assertsDirectory(dst.path)) throw new CopyError('no such directory');
  if (src.rebaseName !== '') srcBase = src.rebaseName;
  return { dstDir, rebase: { from: srcBase, to: dstBase } };
}

/** The first occurrence of `from` in an entry name replaced, as RebaseArchiveEntries does (`/` counts as ''). */
export function rebaseName(name: string, from: string, to: string): string {
  const old = from === '/' ? '' : from;
  const i = name.indexOf(old);
  return i < 0 ? name : `${name.slice(0, i)}${to}${name.slice(i + old.length)}`;
}
