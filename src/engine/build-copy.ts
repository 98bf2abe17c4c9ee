/**
 * COPY and ADD on a root filesystem mounted on the host (a build container's rootfs, or a fresh
 * directory for an image built FROM scratch): sources from the build context or another stage's
 * rootfs, globs, directory semantics, `--chown`/`--chmod`, local tars auto-extracted and URLs
 * fetched by ADD (moby builder/dockerfile copy.go). Paths in both roots are resolved as in a
 * chroot: symlinks never lead outside the root.
 */
import { createHash } from 'node:crypto';
import { closeSync, constants, createReadStream, openSync } from 'node:fs';
import {
  chmod, copyFile, lchown, lstat, mkdir, readdir, readlink, rm, stat, symlink, utimes, writeFile, lutimes, open,
} from 'node:fs/promises';
import { posix } from 'node:path';
import { invalidArgument } from '../core/index.js';
import {
  checkMultipleSources, contextRelative, globMatch, hasGlob, SourceHasher, targetPath, urlFileName,
  type IgnoreMatcher,
} from '../build/index.js';
import { sniffCompression } from '../image/index.js';
import { extractArchive } from './archive-extract.js';

/** A tree sources are taken from: the build context (with its .dockerignore) or a stage's rootfs. */
export interface SourceRoot {
  readonly dir: string;
  /** Paths hidden from COPY/ADD (context only). */
  readonly ignore?: IgnoreMatcher;
  /** Paths hidden besides the ignore patterns (the Dockerfile and .dockerignore when ignored). */
  readonly hidden?: ReadonlySet<string>;
  /** Whether this is the build context (for Docker's error wording). */
  readonly isContext: boolean;
}

/** A source after glob expansion. */
export interface ResolvedSource {
  /** Name relative to the source root ('.' for the root). */
  readonly rel: string;
  /** Host path (symlinks resolved inside the root). */
  readonly abs: string;
  readonly isDir: boolean;
}

/** Resolves `path` (absolute, in the root) to a host path, following symlinks inside `root`. */
export async function resolveInRoot(root: string, path: string, opts: { followFinal: boolean } = { followFinal: true }): Promise<string> {
  const parts = posix.normalize(`/${path}`).split('/').filter((p) => p !== '' && p !== '.');
  const done: string[] = [];
  let hops = 0;
  while (parts.length > 0) {
    const name = parts.shift()!;
    if (name === '..') {
      done.pop();
      continue;
    }
    const host = `${root}/${[...done, name].join('/')}`;
    const st = await lstat(host).catch(() => undefined);
    if (st?.isSymbolicLink() && (parts.length > 0 || opts.followFinal)) {
      if (++hops > 255) throw invalidArgument(`too many levels of symbolic links: ${path}`);
      const target = await readlink(host);
      if (target.startsWith('/')) done.length = 0;
      parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
      continue;
    }
    done.push(name);
  }
  return done.length === 0 ? root : `${root}/${done.join('/')}`;
}

/** Expands a source (globs allowed) into the entries it names. Throws Docker's "not found" errors. */
export async function resolveSources(root: SourceRoot, source: string, kind: 'COPY' | 'ADD'): Promise<ResolvedSource[]> {
  const rel = contextRelative(source);
  const visible = (p: string): boolean => !(root.ignore?.isIgnored(p) ?? false) && !(root.hidden?.has(p) ?? false);
  if (!hasGlob(rel)) {
    const abs = await resolveInRoot(root.dir, rel);
    const st = await stat(abs).catch(() => undefined);
    if (!st || (rel !== '.' && !visible(rel))) {
      const where = root.isContext ? 'file not found in build context or excluded by .dockerignore: ' : '';
      throw invalidArgument(`${kind} failed: ${where}stat ${rel}: file does not exist`);
    }
    return [{ rel, abs, isDir: st.isDirectory() }];
  }
  const out: ResolvedSource[] = [];
  await walkGlob(root.dir, '', rel.split('/'), visible, out);
  return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

async function walkGlob(root: string, prefix: string, segments: string[], visible: (p: string) => boolean, out: ResolvedSource[]): Promise<void> {
  const [seg, ...rest] = segments;
  if (seg === undefined) return;
  const dir = prefix === '' ? root : `${root}/${prefix}`;
  const names = hasGlob(seg) ? await readdir(dir).catch(() => [] as string[]) : [seg];
  for (const name of names) {
    if (hasGlob(seg) && !globMatch(seg, name)) continue;
    const rel = prefix === '' ? name : `${prefix}/${name}`;
    const st = await lstat(`${root}/${rel}`).catch(() => undefined);
    if (!st || !visible(rel)) continue;
    if (rest.length === 0) {
      const abs = await resolveInRoot(root, rel);
      const full = await stat(abs).catch(() => undefined);
      if (full) out.push({ rel, abs, isDir: full.isDirectory() });
    } else if (st.isDirectory()) {
      await walkGlob(root, rel, rest, visible, out);
    }
  }
}

/**
 * Adds the sources' names, types, modes, owners and contents to `hasher`; files hidden by the
 * ignore patterns inside a copied directory are left out, as they are not copied.
 */
export async function hashSources(root: SourceRoot, sources: readonly ResolvedSource[], hasher: SourceHasher): Promise<void> {
  for (const s of sources) {
    hasher.source(s.rel);
    await hashTree(root, s.abs, s.rel, '', hasher);
  }
}

async function hashTree(root: SourceRoot, abs: string, rel: string, sub: string, hasher: SourceHasher): Promise<void> {
  const st = sub === '' ? await stat(abs) : await lstat(abs);
  const base = { path: sub, mode: st.mode, uid: st.uid, gid: st.gid };
  if (st.isSymbolicLink()) return hasher.add({ ...base, type: 'symlink', data: await readlink(abs) });
  if (st.isFile()) return hasher.add({ ...base, type: 'file', data: await fileDigest(abs) });
  if (!st.isDirectory()) return hasher.add({ ...base, type: 'other', data: '' });
  hasher.add({ ...base, type: 'dir', data: '' });
  for (const name of (await readdir(abs)).sort()) {
    const childRel = rel === '.' ? name : `${rel}/${name}`;
    if (root.ignore?.isIgnored(childRel) || root.hidden?.has(childRel)) continue;
    await hashTree(root, `${abs}/${name}`, childRel, sub === '' ? name : `${sub}/${name}`, hasher);
  }
}

async function fileDigest(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** How copied entries are owned and moded. */
export interface CopyAttrs {
  /** Owner of everything copied (root without --chown, as Docker). */
  readonly owner: { uid: number; gid: number };
  /** `--chmod` for files and directories. */
  readonly mode?: number;
}

/**
 * Copies resolved sources to `dest` (as written, made absolute with the WORKDIR by the caller)
 * inside `rootfs`. ADD (`extract`) unpacks local tar archives into the destination directory.
 * Throws Docker's "destination must be a directory" error for several sources.
 */
export async function copySources(
  rootfs: string, root: SourceRoot, sources: readonly ResolvedSource[], dest: string, o: { kind: 'COPY' | 'ADD'; attrs: CopyAttrs; extract: boolean },
): Promise<void> {
  const problem = checkMultipleSources(o.kind, sources.length, dest);
  if (problem) throw invalidArgument(problem);
  for (const s of sources) {
    if (o.extract && !s.isDir && await isArchive(s.abs)) {
      const dir = dest;
      await mkdirIn(rootfs, dir);
      const fd = openSync(rootfs, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        await extractArchive(fd, createReadStream(s.abs), { dest: posix.normalize(dir.replace(/\/$/, '') || '/'), noOverwriteDirNonDir: false });
      } finally {
        closeSync(fd);
      }
      continue;
    }
    const destHost = await resolveInRoot(rootfs, dest);
    const destSt = await stat(destHost).catch(() => undefined);
    const target = targetPath({ dest, sourceBase: posix.basename(s.rel === '.' ? '/' : s.rel), sourceIsDir: s.isDir, destExistsAsDir: destSt?.isDirectory() ?? false });
    if (s.isDir) {
      const dirHost = await mkdirIn(rootfs, target);
      await copyTree(root, s.abs, s.rel, dirHost, o.attrs);
    } else {
      await mkdirIn(rootfs, posix.dirname(target));
      const parent = await resolveInRoot(rootfs, posix.dirname(target));
      await copyEntry(s.abs, `${parent}/${posix.basename(target)}`, o.attrs, true);
    }
  }
}

/** Writes a file fetched by ADD <url> (mode 0600, as Docker). */
export async function addUrl(rootfs: string, url: string, dest: string, attrs: CopyAttrs, signal?: AbortSignal): Promise<void> {
  const res = await fetch(url, signal ? { signal } : {});
  if (!res.ok) throw invalidArgument(`failed to GET ${url} with status ${res.status} ${res.statusText}`);
  const data = Buffer.from(await res.arrayBuffer());
  const destHost = await resolveInRoot(rootfs, dest);
  const isDir = dest.endsWith('/') || ((await stat(destHost).catch(() => undefined))?.isDirectory() ?? false);
  const target = isDir ? posix.join(dest, urlFileName(url)) : dest;
  await mkdirIn(rootfs, posix.dirname(target));
  const host = `${await resolveInRoot(rootfs, posix.dirname(target))}/${posix.basename(target)}`;
  await rm(host, { force: true, recursive: true });
  await writeFile(host, data, { mode: 0o600 });
  await chmod(host, attrs.mode ?? 0o600);
  await lchown(host, attrs.owner.uid, attrs.owner.gid);
  const lm = res.headers.get('last-modified');
  if (lm && !Number.isNaN(Date.parse(lm))) await utimes(host, new Date(lm), new Date(lm));
}

/** Writes inline (heredoc) content as a file. */
export async function writeInline(rootfs: string, dest: string, name: string, data: string, attrs: CopyAttrs): Promise<void> {
  const destHost = await resolveInRoot(rootfs, dest);
  const isDir = dest.endsWith('/') || ((await stat(destHost).catch(() => undefined))?.isDirectory() ?? false);
  const target = isDir ? posix.join(dest, name) : dest;
  await mkdirIn(rootfs, posix.dirname(target));
  const host = `${await resolveInRoot(rootfs, posix.dirname(target))}/${posix.basename(target)}`;
  await rm(host, { force: true, recursive: true });
  await writeFile(host, data, { mode: 0o644 });
  await chmod(host, attrs.mode ?? 0o644);
  await lchown(host, attrs.owner.uid, attrs.owner.gid);
}

/** mkdir -p inside the root (new directories 0755 root:root, as Docker); returns the host path. */
export async function mkdirIn(rootfs: string, path: string): Promise<string> {
  const parts = posix.normalize(`/${path}`).split('/').filter((p) => p !== '');
  let current = '/';
  let host = rootfs;
  for (const part of parts) {
    current = posix.join(current, part);
    host = await resolveInRoot(rootfs, current);
    const st = await stat(host).catch(() => undefined);
    if (!st) {
      await rm(host, { force: true }); // a dangling symlink
      await mkdir(host, { mode: 0o755 });
      await chmod(host, 0o755);
    } else if (!st.isDirectory()) {
      throw invalidArgument(`failed to copy files: mkdir ${current}: not a directory`);
    }
  }
  return host;
}

async function copyTree(root: SourceRoot, srcDir: string, rel: string, destDir: string, attrs: CopyAttrs): Promise<void> {
  const st = await stat(srcDir);
  await applyAttrs(destDir, st, attrs, false);
  for (const name of (await readdir(srcDir)).sort()) {
    const childRel = rel === '.' ? name : `${rel}/${name}`;
    if (root.ignore?.isIgnored(childRel) || root.hidden?.has(childRel)) continue;
    const src = `${srcDir}/${name}`;
    const dst = `${destDir}/${name}`;
    const cst = await lstat(src);
    if (cst.isDirectory()) {
      const dst0 = await lstat(dst).catch(() => undefined);
      if (dst0 && !dst0.isDirectory()) await rm(dst, { force: true });
      if (!dst0?.isDirectory()) await mkdir(dst, { mode: 0o755 });
      await copyTree(root, src, childRel, dst, attrs);
    } else {
      await copyEntry(src, dst, attrs, false);
    }
  }
  await utimes(destDir, st.atime, st.mtime);
}

async function copyEntry(src: string, dst: string, attrs: CopyAttrs, follow: boolean): Promise<void> {
  const st = follow ? await stat(src) : await lstat(src);
  const old = await lstat(dst).catch(() => undefined);
  if (old) await rm(dst, { recursive: old.isDirectory(), force: true });
  if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dst);
    await lchown(dst, attrs.owner.uid, attrs.owner.gid);
    await lutimes(dst, st.atime, st.mtime);
    return;
  }
  if (!st.isFile()) return; // devices, sockets and fifos are not copied from a context
  await copyFile(src, dst);
  await applyAttrs(dst, st, attrs, true);
}

async function applyAttrs(path: string, st: { mode: number; atime: Date; mtime: Date }, attrs: CopyAttrs, times: boolean): Promise<void> {
  await lchown(path, attrs.owner.uid, attrs.owner.gid);
  await chmod(path, attrs.mode ?? (st.mode & 0o7777));
  if (times) await utimes(path, st.atime, st.mtime);
}

/** Whether a file is a tar archive (plain or compressed), as ADD decides. */
async function isArchive(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await fh.read(head, 0, 512, 0);
    const c = sniffCompression(head.subarray(0, bytesRead));
    if (c !== 'none') return true;
    return bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar';
  } finally {
    await fh.close();
  }
}

