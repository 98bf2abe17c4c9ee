/**
 * A tar of a file or directory tree inside a container, as moby's archive.TarWithOptions writes
 * it for `GET /containers/{id}/archive`: depth-first in name order, symlinks as symlinks, hard
 * links as links to their first name, ownership, permission bits and (second-truncated) mtimes
 * kept, sockets skipped. Every file is opened through a directory handle with O_NOFOLLOW (see
 * archive-scope.ts), so a running container cannot redirect the walk out of its root.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar, { type Pack } from 'tar-stream';
import { DIR_HANDLE, at, hasCode, openDirAt } from './archive-scope.js';
import { headerFor } from '../protocol/tar-header.js';
import { copyExactly, writeEntry } from '../protocol/tar-write.js';

const FILE_READ = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** What packResource() archives and under which name. */
export interface PackOptions {
  /** The resource is a directory: archive its tree (else the one entry). */
  isDir: boolean;
  /** Name of the resource in the archive: Go's filepath.Base of the requested path. */
  rebase: string;
  signal?: AbortSignal;
}

interface Walk {
  pack: Pack;
  /** Inode → first archive name, for hard links. */
  seen: Map<bigint, string>;
  signal: AbortSignal | undefined;
}

/**
 * Writes the tar of `name` below the directory handle `dir` ('' = `dir` itself) to `out`.
 * Files that vanish while the walk runs are left out (a running container changes its files).
 */
export async function packResource(dir: number, name: string, out: Writable, opts: PackOptions): Promise<void> {
  const pack = tar.pack();
  const piping = pipeline(pack, out, ...(opts.signal ? [{ signal: opts.signal }] : []));
  const walk: Walk = { pack, seen: new Map(), signal: opts.signal };
  try {
    if (opts.isDir) {
      const fd = openDirAt(dir, name);
      try {
        // moby renames the walk root `.` to the rebase name; `/` becomes ''
        const prefix = opts.rebase === '/' ? '' : opts.rebase;
        await addEntry(walk, fd, '', fstatSync(fd, { bigint: true }), prefix);
        await walkDir(walk, fd, prefix);
      } finally {
        closeSync(fd);
      }
    } else {
      const st = lstatSync(at(dir, name), { bigint: true, throwIfNoEntry: false });
      if (st !== undefined) await addEntry(walk, dir, name, st, opts.rebase);
    }
    pack.finalize();
  } catch (err) {
    pack.destroy(err instanceof Error ? err : new Error(String(err)));
  }
  await piping;
}

/** Byte order of names, as Go's os.ReadDir sorts them. */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

async function walkDir(walk: Walk, fd: number, prefix: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(at(fd)).sort(byBytes);
  } catch (err) {
    if (hasCode(err, 'ENOENT')) return;
    throw err;
  }
  for (const n of names) {
    walk.signal?.throwIfAborted();
    const st = lstatSync(at(fd, n), { bigint: true, throwIfNoEntry: false });
    if (st === undefined) continue;
    const entryName = `${prefix}/${n}`;
    await addEntry(walk, fd, n, st, entryName);
    if (!st.isDirectory()) continue;
    let child: number;
    try {
      child = openSync(at(fd, n), DIR_HANDLE);
    } catch (err) {
      if (hasCode(err, 'ENOENT', 'ELOOP', 'ENOTDIR')) continue; // replaced meanwhile
      throw err;
    }
    try {
      await walkDir(walk, child, entryName);
    } finally {
      closeSync(child);
    }
  }
}

async function addEntry(walk: Walk, dir: number, name: string, lst: BigIntStats, entryName: string): Promise<void> {
  if (lst.isFile()) {
    await addFile(walk, dir, name, entryName);
    return;
  }
  const header = headerFor(entryName === '' ? '/' : entryName, lst);
  if (header === undefined) return;
  if (header.type === 'symlink') {
    try {
      header.linkname = readlinkSync(at(dir, name));
    } catch (err) {
      if (hasCode(err, 'ENOENT', 'EINVAL')) return;
      throw err;
    }
  }
  if (header.type !== 'directory' && lst.nlink > 1n) {
    const first = walk.seen.get(lst.ino);
    if (first !== undefined) {
      header.type = 'link';
      header.linkname = first;
    } else {
      walk.seen.set(lst.ino, header.name);
    }
  }
  await writeEntry(walk.pack, header);
}

/** A regular file: opened first, so the header's size is that of what is read. */
async function addFile(walk: Walk, dir: number, name: string, entryName: string): Promise<void> {
  let fd: number;
  try {
    fd = openSync(name === '' ? at(dir) : at(dir, name), FILE_READ);
  } catch (err) {
    if (hasCode(err, 'ENOENT', 'ELOOP', 'ENXIO')) return; // gone or replaced meanwhile
    throw err;
  }
  try {
    const st = fstatSync(fd, { bigint: true });
    const header = headerFor(entryName, st);
    if (header === undefined || header.type !== 'file') return;
    if (st.nlink > 1n) {
      const first = walk.seen.get(st.ino);
      if (first !== undefined) {
        await writeEntry(walk.pack, { ...header, type: 'link', linkname: first, size: 0 });
        return;
      }
      walk.seen.set(st.ino, header.name);
    }
    await writeEntry(walk.pack, header, (sink) => copyExactly(fd, header.size ?? 0, sink, walk.signal));
  } finally {
    closeSync(fd);
  }
}



