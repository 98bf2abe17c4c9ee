/**
 * Extracting what `docker cp` downloads into the local file system, as go-archive's CopyTo and
 * Untar do with NoLchown and NoOverwriteDirNonDir (files belong to the user running the CLI):
 * the destination resolved like CopyInfoDestinationPath, Docker's breakout checks for names and
 * links, and, beyond them, no entry written through a symlink.
 */
import { childProcess } from '../../core/builtin.js';
import {
  chmodSync, closeSync, constants, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readlinkSync, rmSync, statSync,
  symlinkSync, utimesSync, writeSync, type Stats,
} from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Header } from 'tar-stream';
import { goClean, goDir, goJoin, splitPathDirEntry, type CopyInfo } from './cp-paths.js';
import { goFsError } from './cp-tar.js';

const MAX_LINKS = 10;

/** Why an archive was refused: it would write outside the destination. */
export class BreakoutError extends Error {}

/**
 * go-archive's CopyInfoDestinationPath: a symlink destination is followed (up to 10 times);
 * a missing destination needs an existing parent directory.
 */
export function copyInfoDestinationPath(path: string): CopyInfo {
  let p = path;
  let st = lstatSync(p, { throwIfNoEntry: false });
  for (let n = 0; st?.isSymbolicLink() === true; n++) {
    if (n > MAX_LINKS) throw new Error(`too many symlinks in ${path}`);
    const target = readlinkSync(p);
    p = target.startsWith('/') ? target : goJoin(splitPathDirEntry(p)[0], target);
    st = lstatSync(p, { throwIfNoEntry: false });
  }
  if (st !== undefined) return { path: p, exists: true, isDir: st.isDirectory(), rebaseName: '' };
  const [parent] = splitPathDirEntry(p);
  let pst;
  try {
    pst = statSync(parent);
  } catch (err) {
    throw goFsError(err, parent);
  }
  if (!pst.isDirectory()) throw new Error('not a directory');
  return { path: p, exists: false, isDir: false, rebaseName: '' };
}

/** docker/cli's ValidateOutputPath: the parent must exist; an existing target must be a directory or a regular file. */
export function validateOutputPath(path: string): void {
  const dir = goDir(goClean(path));
  if (dir !== '' && dir !== '.' && statOrError(dir) === 'missing') {
    throw new Error(`invalid output path: directory ${JSON.stringify(dir)} does not exist`);
  }
  const st = statOrError(path);
  if (st === 'missing') return;
  if (st instanceof Error) throw st;
  if (st.isDirectory() || st.isFile()) return;
  const why = st.isBlockDevice() || st.isCharacterDevice() ? 'got a device' : 'got an irregular file';
  throw new Error(`invalid output path: ${JSON.stringify(path)} must be a directory or a regular file: ${why}`);
}

/** os.Stat: the stat, 'missing' for ENOENT, or the error in Go's words. */
function statOrError(path: string): Stats | 'missing' | Error {
  try {
    return statSync(path);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : goFsError(err, path);
  }
}

/** Whether `p` is `dir` or below it, as Go's strings.HasPrefix checks it in go-archive. */
function hasPrefix(p: string, dir: string): boolean {
  return p.startsWith(dir);
}

/**
 * Untar with NoLchown and NoOverwriteDirNonDir into `dest` (an existing directory). Throws
 * go-archive's errors; refuses names, links and symlinks that would leave `dest`, and entries
 * whose parent inside `dest` is a symlink.
 */
export async function untarToHost(content: Readable, dest: string): Promise<void> {
  const extract = tar.extract();
  const feeding = pipeline(content, extract as unknown as Writable);
  feeding.catch(() => undefined);
  const dirs: Array<{ path: string; mtime: Date }> = [];
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const isFile = h.type === 'file' || h.type === 'contiguous-file';
      if (!isFile) entry.resume();
      const name = goClean(h.name);
      const path = goJoin(dest, name);
      if (path !== dest && !path.startsWith(dest === '/' ? '/' : `${dest}/`)) {
        throw new BreakoutError(`${JSON.stringify(h.name)} is outside of ${JSON.stringify(dest)}`);
      }
      parentDirectories(dest, path, { create: true });
      const existing = lstatSync(path, { throwIfNoEntry: false });
      if (existing !== undefined) {
        if (existing.isDirectory() && h.type !== 'directory') {
          throw new Error(`cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(dest)}`);
        }
        if (!existing.isDirectory() && h.type === 'directory') {
          throw new Error(`cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(dest)}`);
        }
        if (existing.isDirectory() && name === '.') {
          if (isFile) entry.resume();
          continue;
        }
        if (!existing.isDirectory() || h.type !== 'directory') rmSync(path, { recursive: true, force: true });
      }
      try {
        await createEntry(dest, path, h, entry as unknown as AsyncIterable<Uint8Array>);
      } catch (err) {
        throw err instanceof BreakoutError ? err : goFsError(err, path);
      }
      if (h.type === 'directory') dirs.push({ path, mtime: h.mtime });
    }
  } catch (err) {
    extract.destroy();
    content.destroy();
    throw err;
  }
  await feeding;
  for (const d of dirs) utimesSync(d.path, d.mtime, d.mtime);
}

/** Checks (and creates, 0755) the parents of `path` below `dest`: refuses a symlink or a non-directory. */
function parentDirectories(dest: string, path: string, opts: { create: boolean }): void {
  const rel = path.slice(dest.length).split('/').filter((c) => c !== '');
  rel.pop();
  let cur = dest;
  for (const c of rel) {
    cur = goJoin(cur, c);
    const st = lstatSync(cur, { throwIfNoEntry: false });
    if (st === undefined) {
      if (!opts.create) return;
      mkdirSync(cur, { mode: 0o755 });
    } else if (st.isSymbolicLink()) throw new BreakoutError(`${JSON.stringify(path)} is below a symlink in ${JSON.stringify(dest)}`);
    else if (!st.isDirectory()) throw new Error(`mkdir ${cur}: not a directory`);
  }
}

async function createEntry(dest: string, path: string, h: Header, body: AsyncIterable<Uint8Array>): Promise<void> {
  const mode = h.mode & 0o7777;
  switch (h.type) {
    case 'directory':
      if (lstatSync(path, { throwIfNoEntry: false })?.isDirectory() !== true) mkdirSync(path, { mode: 0o700 });
      break;
    case 'file':
    case 'contiguous-file': {
      const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
      try {
        for await (const chunk of body) for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
      } finally {
        closeSync(fd);
      }
      break;
    }
    case 'link': {
      const target = goJoin(dest, h.linkname);
      if (!hasPrefix(target, dest)) throw new BreakoutError(`invalid hardlink ${JSON.stringify(target)} -> ${JSON.stringify(h.linkname)}`);
      parentDirectories(dest, target, { create: false });
      linkSync(target, path);
      break;
    }
    case 'symlink': {
      const target = goJoin(goDir(path), h.linkname);
      if (!hasPrefix(target, dest)) throw new BreakoutError(`invalid symlink ${JSON.stringify(path)} -> ${JSON.stringify(h.linkname)}`);
      symlinkSync(h.linkname, path);
      lutimesSync(path, h.mtime, h.mtime);
      return;
    }
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      const kind = h.type === 'fifo' ? ['p'] : [h.type === 'block-device' ? 'b' : 'c', String(h.devmajor), String(h.devminor)];
      childProcess().execFileSync('/usr/bin/mknod', [path, ...kind], { stdio: 'ignore' });
      break;
    }
    default:
      throw new Error(`unhandled tar header type ${String(h.type)}`);
  }
  // the node just made, never a symlink: chmod and utimes cannot be redirected
  if (lstatSync(path).isSymbolicLink()) return;
  chmodSync(path, mode);
  utimesSync(path, h.mtime, h.mtime);
}
