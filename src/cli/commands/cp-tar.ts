/**
 * The local side of `docker cp`: a tar of a host file or tree as go-archive's TarResourceRebase
 * writes it (sorted walk, symlinks as symlinks, hard links, ids, modes, second mtimes), the
 * source path resolution of CopyInfoSourcePath, and RebaseArchiveEntries.
 */
import { closeSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, constants, type BigIntStats } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Pack } from 'tar-stream';
import { goBase, goJoin, getRebaseName, hasTrailingSeparator, splitPathDirEntry, type CopyInfo } from './cp-paths.js';
import { headerFor, type Header } from '../../protocol/tar-header.js';
import { copyExactly, writeEntry } from '../../protocol/tar-write.js';

/** An fs error worded as Go's os.PathError (`lstat /x: no such file or directory`). */
export function goFsError(err: unknown, path?: string): Error {
  const e = err as NodeJS.ErrnoException;
  if (!(err instanceof Error) || e.code === undefined) return err instanceof Error ? err : new Error(String(err));
  const desc = e.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*$/, '');
  return new Error(`${e.syscall ?? 'open'} ${path ?? e.path ?? ''}: ${desc}`);
}

/** filepath.EvalSymlinks with Go's error wording. */
function evalSymlinks(path: string): string {
  try {
    return realpathSync(path);
  } catch (err) {
    throw goFsError(err);
  }
}

/**
 * go-archive's CopyInfoSourcePath: the parent's symlinks resolved (the last element's too with
 * followLink, then renamed back to the requested name); the path must exist.
 */
export function copyInfoSourcePath(path: string, followLink: boolean): CopyInfo {
  let resolved: string;
  let rebaseName = '';
  if (followLink) {
    ({ resolved, rebaseName } = getRebaseName(path, evalSymlinks(path)));
  } else {
    const i = path.lastIndexOf('/');
    const dir = path.slice(0, i + 1);
    const base = path.slice(i + 1);
    resolved = `${evalSymlinks(dir === '' ? '.' : dir)}/${base}`;
    if (hasTrailingSeparator(path) && goBase(path) !== goBase(resolved)) rebaseName = goBase(path);
  }
  let st;
  try {
    st = lstatSync(resolved);
  } catch (err) {
    throw goFsError(err, resolved);
  }
  return { path: resolved, exists: true, isDir: st.isDirectory(), rebaseName };
}

/** The tar of a local file or directory named by `info` (go-archive TarResource). */
export function tarResource(info: CopyInfo): Readable {
  try {
    lstatSync(info.path);
  } catch (err) {
    throw goFsError(err, info.path);
  }
  const [sourceDir, sourceBase] = splitPathDirEntry(info.path);
  const pack = tar.pack();
  const out = new PassThrough();
  const walkRoot = `${sourceDir.replace(/\/$/, '')}/${sourceBase}`;
  const replacement = info.rebaseName === '/' ? '' : info.rebaseName;
  const nameOf = (rel: string): string => {
    let name = sourceBase === '.' && rel !== '.' ? `./${rel}` : rel;
    if (info.rebaseName !== '') name = replaceFirst(name, sourceBase, replacement);
    return name;
  };
  const seen = new Map<bigint, string>();
  const walking = walk(pack, walkRoot, sourceBase === '.' ? '.' : sourceBase, nameOf, seen)
    .then(() => pack.finalize(), (err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  pipeline(pack, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  void walking;
  return out;
}

function replaceFirst(s: string, from: string, to: string): string {
  const i = s.indexOf(from);
  return i < 0 ? s : `${s.slice(0, i)}${to}${s.slice(i + from.length)}`;
}

/** Byte order, as Go's os.ReadDir sorts names. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function walk(pack: Pack, path: string, rel: string, nameOf: (rel: string) => string, seen: Map<bigint, string>): Promise<void> {
  const st = lstatSync(path, { bigint: true, throwIfNoEntry: false });
  if (st === undefined) return;
  await addEntry(pack, path, nameOf(rel), st, seen);
  if (!st.isDirectory()) return;
  for (const name of readdirSync(path).sort(byBytes)) {
    await walk(pack, goJoin(path, name), rel === '.' ? name : `${rel}/${name}`, nameOf, seen);
  }
}


async function addEntry(pack: Pack, path: string, name: string, st: BigIntStats, seen: Map<bigint, string>): Promise<void> {
  const h = headerFor(name, st);
  if (h === undefined) return;
  if (h.type === 'symlink') h.linkname = readlinkSync(path);
  if (h.type !== 'directory' && st.nlink > 1n) {
    const first = seen.get(st.ino);
    if (first !== undefined) {
      await writeEntry(pack, { ...h, type: 'link', linkname: first, size: 0 });
      return;
    }
    seen.set(st.ino, h.name);
  }
  if (h.type !== 'file') {
    await writeEntry(pack, h);
    return;
  }
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    throw goFsError(err, path);
  }
  try {
    await writeEntry(pack, h, (sink) => copyExactly(fd, h.size ?? 0, sink));
  } finally {
    closeSync(fd);
  }
}



/** RebaseArchiveEntries: the archive with the first `from` in each name (and hard link target) replaced by `to`. */
export function rebaseArchive(src: Readable, from: string, to: string): Readable {
  const old = from === '/' ? '' : from;
  const extract = tar.extract();
  const pack = tar.pack();
  const out = new PassThrough();
  const run = async (): Promise<void> => {
    for await (const entry of extract) {
      const h = entry.header as Header;
      const renamed: Header = { ...h, name: replaceFirst(h.name, old, to) };
      // tar-stream writes name and link target as PAX records itself when they need one
      const { path: _p, linkpath: _l, size: _s, ...pax } = h.pax ?? {};
      if (Object.keys(pax).length > 0) renamed.pax = pax;
      else delete renamed.pax;
      if (h.type === 'link' && h.linkname) renamed.linkname = replaceFirst(h.linkname, old, to);
      await new Promise<void>((resolve, reject) => {
        const sink = pack.entry(renamed, (err) => (err ? reject(err) : resolve()));
        pipeline(entry as unknown as Readable, sink as unknown as NodeJS.WritableStream).catch(reject);
      });
    }
    pack.finalize();
  };
  pipeline(src, extract as unknown as NodeJS.WritableStream).catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  run().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  pipeline(pack, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}
