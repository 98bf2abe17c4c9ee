/**
 * COPY from the build context without extracting it: sources resolved (globs, symlinks inside
 * the context) and hashed on the in-memory index, and files written into the step's rootfs
 * straight from memory, with the same semantics as build-copy.ts applies to an extracted
 * context (moby builder/dockerfile copy.go). File system calls are synchronous: each is a few
 * microseconds, where an fs/promises round trip costs tens, and a context has thousands.
 */
import { chmodSync, closeSync, constants, lchownSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, statSync, symlinkSync, utimesSync, writeSync } from 'node:fs';
import { posix } from 'node:path';
import { invalidArgument } from '../core/index.js';
import { checkMultipleSources, contextRelative, globMatch, hasGlob, targetPath, type SourceHasher } from '../build/index.js';
import type { ContextEntry, ContextIndex } from './build-context-index.js';
import { mkdirIn, resolveInRoot, type CopyAttrs } from './build-copy.js';

/** A context source after glob expansion. */
export interface ContextSource {
  /** Name relative to the context ('.' for the root). */
  readonly rel: string;
  /** The path it resolves to in the index (symlinks followed; '' for the root). */
  readonly path: string;
  readonly isDir: boolean;
}

/** The context's tree and the build files it hides. */
export interface IndexRoot {
  readonly index: ContextIndex;
  readonly hidden: ReadonlySet<string>;
}

/** Expands a source (globs allowed) as resolveSources does. Throws Docker's "not found" errors. */
export function resolveContextSources(root: IndexRoot, source: string, kind: 'COPY' | 'ADD'): ContextSource[] {
  const rel = contextRelative(source);
  const visible = (p: string): boolean => !root.hidden.has(p);
  if (!hasGlob(rel)) {
    const path = root.index.resolve(rel);
    const e = root.index.lstat(path);
    if (!e || e.type === 'symlink' || (rel !== '.' && !visible(rel))) {
      throw invalidArgument(`${kind} failed: file not found in build context or excluded by .dockerignore: stat ${rel}: file does not exist`);
    }
    return [{ rel, path, isDir: e.type === 'dir' }];
  }
  const out: ContextSource[] = [];
  walkGlob(root, '', rel.split('/'), visible, out);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

function walkGlob(root: IndexRoot, prefix: string, segments: string[], visible: (p: string) => boolean, out: ContextSource[]): void {
  const [seg, ...rest] = segments;
  if (seg === undefined) return;
  const names = hasGlob(seg) ? root.index.readdir(prefix) : [seg];
  for (const name of names) {
    if (hasGlob(seg) && !globMatch(seg, name)) continue;
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = root.index.lstat(rel);
    if (!st || !visible(rel)) continue;
    if (rest.length === 0) {
      const path = root.index.resolve(rel);
      const full = root.index.lstat(path);
      if (full && full.type !== 'symlink') out.push({ rel, path, isDir: full.type === 'dir' });
    } else if (st.type === 'dir') {
      walkGlob(root, rel, rest, visible, out);
    }
  }
}

/** Adds the sources' names, types, modes, owners and content digests to `hasher` (as hashSources). */
export function hashContextSources(root: IndexRoot, sources: readonly ContextSource[], hasher: SourceHasher): void {
  for (const s of sources) {
    hasher.source(s.rel);
    hashTree(root, s.path, s.rel, '', hasher);
  }
}

function hashTree(root: IndexRoot, path: string, rel: string, sub: string, hasher: SourceHasher): void {
  const e = root.index.lstat(path);
  if (!e) return;
  const base = { path: sub, mode: e.mode, uid: e.uid, gid: e.gid };
  if (e.type !== 'dir') return hasher.add({ ...base, type: e.type, data: e.type === 'file' ? e.digest : e.linkname ?? '' });
  hasher.add({ ...base, type: 'dir', data: '' });
  for (const name of root.index.readdir(path)) {
    const childRel = rel === '.' ? name : `${rel}/${name}`;
    if (root.hidden.has(childRel)) continue;
    hashTree(root, path === '' ? name : `${path}/${name}`, childRel, sub === '' ? name : `${sub}/${name}`, hasher);
  }
}

/** Whether copyFromContext can copy these sources (their files' content is in memory). */
export function inMemory(root: IndexRoot, sources: readonly ContextSource[]): boolean {
  return root.index.complete || sources.length === 0;
}

/**
 * Copies resolved context sources to `dest` inside `rootfs`, as copySources does for COPY.
 * Throws Docker's "destination must be a directory" error for several sources.
 */
export async function copyFromContext(rootfs: string, root: IndexRoot, sources: readonly ContextSource[], dest: string, attrs: CopyAttrs): Promise<void> {
  const problem = checkMultipleSources('COPY', sources.length, dest);
  if (problem) throw invalidArgument(problem);
  for (const s of sources) {
    const destHost = await resolveInRoot(rootfs, dest);
    const destSt = statSync(destHost, { throwIfNoEntry: false });
    const target = targetPath({ dest, sourceBase: posix.basename(s.rel === '.' ? '/' : s.rel), sourceIsDir: s.isDir, destExistsAsDir: destSt?.isDirectory() ?? false });
    if (s.isDir) {
      const dirHost = await mkdirIn(rootfs, target);
      copyTree(root, s.path, s.rel, dirHost, attrs);
    } else {
      await mkdirIn(rootfs, posix.dirname(target));
      const parent = await resolveInRoot(rootfs, posix.dirname(target));
      copyEntry(root.index.lstat(s.path)!, `${parent}/${posix.basename(target)}`, attrs);
    }
  }
}

function copyTree(root: IndexRoot, path: string, rel: string, destDir: string, attrs: CopyAttrs): void {
  const st = root.index.lstat(path)!;
  applyAttrs(destDir, st, attrs, false);
  for (const name of root.index.readdir(path)) {
    const childRel = rel === '.' ? name : `${rel}/${name}`;
    if (root.hidden.has(childRel)) continue;
    const child = path === '' ? name : `${path}/${name}`;
    const dst = `${destDir}/${name}`;
    const cst = root.index.lstat(child)!;
    if (cst.type === 'dir') {
      const dst0 = lstatSync(dst, { throwIfNoEntry: false });
      if (dst0 && !dst0.isDirectory()) rmSync(dst, { force: true });
      if (!dst0?.isDirectory()) mkdirSync(dst, { mode: 0o755 });
      copyTree(root, child, childRel, dst, attrs);
    } else {
      copyEntry(cst, dst, attrs);
    }
  }
  utimesSync(destDir, st.mtime, st.mtime);
}

const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function copyEntry(e: ContextEntry, dst: string, attrs: CopyAttrs): void {
  const old = lstatSync(dst, { throwIfNoEntry: false });
  if (old) rmSync(dst, { recursive: old.isDirectory(), force: true });
  if (e.type === 'symlink') {
    symlinkSync(e.linkname ?? '', dst);
    lchownSync(dst, attrs.owner.uid, attrs.owner.gid);
    lutimesSync(dst, e.mtime, e.mtime);
    return;
  }
  if (e.type !== 'file') return; // devices, sockets and fifos are not copied from a context
  const fd = openSync(dst, CREATE, 0o600);
  try {
    const data = e.data ?? Buffer.alloc(0);
    for (let off = 0; off < data.length;) off += writeSync(fd, data, off);
  } finally {
    closeSync(fd);
  }
  applyAttrs(dst, e, attrs, true);
}

function applyAttrs(path: string, e: ContextEntry, attrs: CopyAttrs, times: boolean): void {
  lchownSync(path, attrs.owner.uid, attrs.owner.gid);
  chmodSync(path, attrs.mode ?? e.mode);
  if (times) utimesSync(path, e.mtime, e.mtime);
}
