/**
 * Extracts a tar into a directory of a container (`PUT /containers/{id}/archive`) with moby's
 * archive.Untar semantics: existing directories merge, anything else is replaced (or refused with
 * noOverwriteDirNonDir), missing parents are created 0755 root:root, ownership, modes, mtimes,
 * links, device nodes and xattrs are applied (archive-entry.ts).
 *
 * Nothing is ever written outside the extraction directory: names are cleaned and must not
 * climb out; the parent of every member is looked up inside the container's root (symlinks,
 * including ones this archive made, resolved there) and must lie under the extraction directory;
 * every file is made and changed through directory handles with O_NOFOLLOW (archive-scope.ts).
 */
import { chmodSync, closeSync, mkdirSync, utimesSync } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { EngineError, internal, invalidArgument } from '../core/index.js';
import { decompressStream, forEachTarEntry } from '../image/index.js';
import { makeEntry, realExtractHost, type EntryBody, type EntryCtx, type EntryHeader, type ExtractHost, type Target } from './archive-entry.js';
import { at, isWithin, locate, openDirAt } from './archive-scope.js';

export { realExtractHost, type ExtractHost } from './archive-entry.js';

/** Where and how extractArchive() extracts. */
export interface ExtractOptions {
  /** The extraction directory: a clean absolute path inside the root, an existing directory. */
  dest: string;
  /** Refuse to replace a directory by a non-directory or the reverse (the docker CLI sets it). */
  noOverwriteDirNonDir: boolean;
  /** Owner of everything extracted (copyUIDGID with a container user); else the archive's ids. */
  owner?: { uid: number; gid: number };
  host?: ExtractHost;
  signal?: AbortSignal;
}

interface Ctx extends EntryCtx {
  /** The parent directory of the last member, kept open for its siblings. */
  parent: { key: string; fd: number; path: string } | undefined;
}

/**
 * Extracts the (possibly compressed) tar `body` into `opts.dest` inside the root open as
 * `root`. Throws 'invalid-argument' for archives that are malformed or would write outside
 * the directory, with moby's wording for overwrite conflicts.
 */
export async function extractArchive(root: number, body: Readable, opts: ExtractOptions): Promise<void> {
  const plain = await decompressStream(body);
  const ctx: Ctx = {
    root, dest: opts.dest, noOverwriteDirNonDir: opts.noOverwriteDirNonDir, owner: opts.owner,
    host: opts.host ?? realExtractHost, signal: opts.signal, dirTimes: [], parent: undefined,
  };
  try {
    await forEachTarEntry(plain, (header, body) => applyEntry(ctx, withPax(header as EntryHeader), body as unknown as EntryBody), {
      signal: opts.signal, streamError: archiveError,
    });
  } finally {
    closeParent(ctx);
  }
  for (const d of ctx.dirTimes.reverse()) setDirTime(ctx, d);
}

function archiveError(err: unknown): unknown {
  if (err instanceof EngineError || (err instanceof Error && err.name === 'AbortError')) return err;
  return invalidArgument(`invalid tar archive: ${err instanceof Error ? err.message : String(err)}`, err);
}

/** PAX records override the ustar fields they extend (large ids, sub-second times). */
function withPax(h: EntryHeader): EntryHeader {
  const pax = h.pax;
  if (!pax) return h;
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
  const uid = num(pax['uid']);
  const gid = num(pax['gid']);
  const mtime = num(pax['mtime']);
  return { ...h, ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}), ...(mtime !== undefined ? { mtime: new Date(mtime * 1000) } : {}) };
}

/** A member name relative to the extraction directory ('' for the directory itself); refuses names climbing out. */
export function cleanEntryName(name: string): string {
  if (name.includes('\0')) throw invalidArgument(`invalid entry name ${JSON.stringify(name)}: it contains a NUL byte`);
  const norm = posix.normalize(name.replace(/^\/+/, '') || '.').replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../')) throw invalidArgument(`invalid entry name ${JSON.stringify(name)}: it is outside of the extraction directory`);
  return norm === '.' ? '' : norm;
}

function join(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

async function applyEntry(ctx: Ctx, h: EntryHeader, body: EntryBody): Promise<void> {
  const type = h.type ?? 'file';
  const isFile = type === 'file' || type === 'contiguous-file';
  if (!isFile) body.resume();
  const name = cleanEntryName(h.name);
  if (name === '') {
    if (isFile) body.resume();
    return; // the extraction directory itself keeps its metadata, as in moby
  }
  const slash = name.lastIndexOf('/');
  const base = name.slice(slash + 1);
  let target: Target | undefined;
  try {
    const parent = parentDir(ctx, slash < 0 ? '' : name.slice(0, slash));
    target = { dir: parent.fd, path: join(parent.path, base), name: base };
    await makeEntry(ctx, target, h, body);
  } catch (err) {
    throw fsError(err, target?.path ?? join(ctx.dest, name));
  }
}

/** An fs error as Go words it (`open /path: permission denied`), naming the path in the container. */
function fsError(err: unknown, path: string): unknown {
  if (err instanceof EngineError || !(err instanceof Error) || !('code' in err)) return err;
  const e = err as NodeJS.ErrnoException;
  if (e.syscall === undefined) return internal(e.message, err);
  const desc = e.message.replace(/^[A-Z0-9_]+: /, '').replace(/, \w+ '.*$/, '');
  return internal(`${e.syscall} ${path}: ${desc}`, err);
}

/**
 * The directory a member goes in, by its name relative to the extraction directory: looked up
 * in the root with symlinks resolved there, missing parts created; it must lie under the
 * extraction directory.
 */
function parentDir(ctx: Ctx, rel: string): { fd: number; path: string } {
  if (ctx.parent?.key === rel) return ctx.parent;
  closeParent(ctx);
  const path = rel === '' ? ctx.dest : join(ctx.dest, rel);
  // implied directories: root-owned 0755, set through their own handle
  const implied = (fd: number): void => {
    ctx.host.chown(at(fd), 0, 0, { nofollow: false });
    chmodSync(at(fd), 0o755);
  };
  const loc = locate(ctx.root, path, { followFinal: true, missing: 'create', createUnder: ctx.dest, onCreate: implied });
  try {
    if (!isWithin(loc.path, ctx.dest)) {
      throw invalidArgument(`invalid entry ${JSON.stringify(rel)}: it resolves to ${loc.path}, outside of ${ctx.dest}`);
    }
    if (loc.stat === undefined) mkdirSync(at(loc.dir, loc.name), { mode: 0o755 });
    else if (!loc.stat.isDirectory()) throw internal(`mkdir ${loc.path}: not a directory`);
    const fd = openDirAt(loc.dir, loc.name);
    if (loc.stat === undefined) implied(fd);
    ctx.parent = { key: rel, fd, path: loc.path };
    return ctx.parent;
  } finally {
    loc.close();
  }
}

function closeParent(ctx: Ctx): void {
  if (ctx.parent !== undefined) closeSync(ctx.parent.fd);
  ctx.parent = undefined;
}

/** Applies a directory's mtime once its members are in; it may since have been replaced or moved. */
function setDirTime(ctx: Ctx, d: { path: string; atime: Date; mtime: Date }): void {
  let loc;
  try {
    loc = locate(ctx.root, d.path, { followFinal: false, missing: 'throw' });
  } catch {
    return;
  }
  try {
    if (loc.stat?.isDirectory() !== true || !isWithin(loc.path, ctx.dest)) return;
    const fd = openDirAt(loc.dir, loc.name);
    try {
      utimesSync(at(fd), d.atime, d.mtime);
    } finally {
      closeSync(fd);
    }
  } finally {
    loc.close();
  }
}
