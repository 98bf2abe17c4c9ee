/**
 * One tar member made inside a container's directory, as moby's createTarFile does it: the
 * node, then ownership, xattrs, mode (after chown, which clears set-id bits) and times. Every
 * call goes through a directory handle plus one name, or through the new node's own handle
 * (archive-scope.ts), so nothing here follows a symlink.
 */
import { execFile } from 'node:child_process';
import {
  chmodSync, chownSync, closeSync, constants, fchmodSync, fstatSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync,
  openSync, symlinkSync, utimesSync, writeSync, type Stats,
} from 'node:fs';
import { promisify } from 'node:util';
import type { Header as TarHeader } from 'tar-stream';
import { setAttribute } from 'fs-xattr';
import { EngineError, internal, invalidArgument } from '../core/index.js';
import { DIR_HANDLE, NODE_HANDLE, at, isWithin, locate, lstatAt, removeAt } from './archive-scope.js';

const run = promisify(execFile);
const CREATE_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;
const XATTR_PREFIX = 'SCHILY.xattr.';

/** The calls that need privileges, behind a seam so tests without root can record them. */
export interface ExtractHost {
  /** chown(2), or lchown(2) with `nofollow`. */
  chown(path: string, uid: number, gid: number, opts: { nofollow: boolean }): void;
  /** Creates a device node or FIFO at `path` (a /proc/<pid>/fd/N/name path). */
  mknod(path: string, node: { type: 'c' | 'b' | 'p'; major: number; minor: number }): Promise<void>;
  setXattr(path: string, name: string, value: Buffer): Promise<void>;
}

/** The real host: chown(2), /usr/bin/mknod, fs-xattr. */
export const realExtractHost: ExtractHost = {
  chown(path, uid, gid, opts) {
    if (opts.nofollow) lchownSync(path, uid, gid);
    else chownSync(path, uid, gid);
  },
  async mknod(path, node) {
    await run('/usr/bin/mknod', node.type === 'p' ? [path, 'p'] : [path, node.type, String(node.major), String(node.minor)]);
  },
  async setXattr(path, name, value) {
    await setAttribute(path, name, value);
  },
};

/** A member's header, PAX records decoded. */
export type EntryHeader = Partial<Omit<TarHeader, 'pax'>> & Pick<TarHeader, 'name'> & { pax?: Record<string, string> | null };

/** A member's content stream, as tar.extract() yields it. */
export type EntryBody = AsyncIterable<Uint8Array> & { resume(): unknown };

/** What making one member needs. */
export interface EntryCtx {
  readonly root: number;
  /** The extraction directory (clean, absolute, inside the root). */
  readonly dest: string;
  readonly noOverwriteDirNonDir: boolean;
  readonly owner: { uid: number; gid: number } | undefined;
  readonly host: ExtractHost;
  readonly signal: AbortSignal | undefined;
  /** Directory mtimes, applied once every member is in (children change them). */
  readonly dirTimes: Array<{ path: string; atime: Date; mtime: Date }>;
}

/** Where a member goes: the open parent directory, its path in the container, the name. */
export interface Target {
  dir: number;
  path: string;
  name: string;
}

interface Meta {
  owner: { uid: number; gid: number };
  mode: number;
  atime: Date;
  mtime: Date;
  h: EntryHeader;
}

/** Makes member `h` at `t`: replaces what is in the way (or refuses with Docker's wording), then the node and its metadata. */
export async function makeEntry(ctx: EntryCtx, t: Target, h: EntryHeader, body: EntryBody): Promise<void> {
  const type = h.type ?? 'file';
  const existing = lstatAt(t.dir, t.name);
  if (existing !== undefined) clearTarget(ctx, t, existing, type === 'directory');
  const mtime = h.mtime ?? new Date(0);
  const atimeSec = Number(h.pax?.['atime']);
  const m: Meta = {
    owner: ctx.owner ?? { uid: h.uid ?? 0, gid: h.gid ?? 0 },
    mode: (h.mode ?? 0) & 0o7777,
    mtime,
    atime: Number.isFinite(atimeSec) && atimeSec * 1000 > mtime.getTime() ? new Date(atimeSec * 1000) : mtime,
    h,
  };
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return writeFile(ctx, t, body, m);
    case 'directory':
      if (existing?.isDirectory() !== true) mkdirSync(at(t.dir, t.name), { mode: 0o700 });
      await withNode(t, 'directory', (p) => setMeta(ctx, p, m));
      ctx.dirTimes.push({ path: t.path, atime: m.atime, mtime: m.mtime });
      return;
    case 'symlink':
      symlinkSync(h.linkname ?? '', at(t.dir, t.name));
      ctx.host.chown(at(t.dir, t.name), m.owner.uid, m.owner.gid, { nofollow: true });
      lutimesSync(at(t.dir, t.name), m.atime, m.mtime);
      return;
    case 'link':
      return makeHardLink(ctx, t, m);
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      const node = { type: type === 'fifo' ? 'p' : type === 'block-device' ? 'b' : 'c', major: h.devmajor ?? 0, minor: h.devminor ?? 0 } as const;
      // the mknod process reaches our directory handle through /proc/<our pid>
      await ctx.host.mknod(`/proc/${process.pid}/fd/${t.dir}/${t.name}`, node);
      await withNode(t, type, async (p) => {
        await setMeta(ctx, p, m);
        utimesSync(p, m.atime, m.mtime);
      });
      return;
    }
    default:
      throw invalidArgument(`unhandled tar header type ${type} of ${JSON.stringify(h.name)}`);
  }
}

/** Removes what is in the way of a new member, or refuses with moby's wording. */
function clearTarget(ctx: EntryCtx, t: Target, existing: Stats, wantDir: boolean): void {
  if (ctx.noOverwriteDirNonDir && existing.isDirectory() && !wantDir) {
    throw invalidArgument(`cannot overwrite directory ${JSON.stringify(t.path)} with non-directory ${JSON.stringify(ctx.dest)}`);
  }
  if (ctx.noOverwriteDirNonDir && !existing.isDirectory() && wantDir) {
    throw invalidArgument(`cannot overwrite non-directory ${JSON.stringify(t.path)} with directory ${JSON.stringify(ctx.dest)}`);
  }
  if (!existing.isDirectory() || !wantDir) removeAt(t.dir, t.name);
}

/**
 * Runs `fn` with a path naming exactly the node just made (its own handle) after checking its
 * type (undefined: any); a node swapped meanwhile fails the member.
 */
async function withNode(t: Target, type: EntryHeader['type'], fn: (path: string, st: Stats) => Promise<void> | void): Promise<void> {
  const fd = openSync(at(t.dir, t.name), type === 'directory' ? DIR_HANDLE : NODE_HANDLE);
  try {
    const st = fstatSync(fd);
    const ok = type === undefined || (type === 'directory' ? st.isDirectory()
      : type === 'fifo' ? st.isFIFO() : type === 'block-device' ? st.isBlockDevice() : st.isCharacterDevice());
    if (!ok) throw invalidArgument(`${t.path} changed while it was extracted`);
    await fn(at(fd), st);
  } finally {
    closeSync(fd);
  }
}

/** chown, xattrs, then chmod (chown clears set-id bits). */
async function setMeta(ctx: EntryCtx, path: string, m: Meta): Promise<void> {
  ctx.host.chown(path, m.owner.uid, m.owner.gid, { nofollow: false });
  await applyXattrs(ctx, path, m.h);
  chmodSync(path, m.mode);
}

async function writeFile(ctx: EntryCtx, t: Target, body: EntryBody, m: Meta): Promise<void> {
  const fd = openSync(at(t.dir, t.name), CREATE_FILE, 0o600);
  try {
    for await (const chunk of body) {
      for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
    }
    ctx.signal?.throwIfAborted();
    ctx.host.chown(at(fd), m.owner.uid, m.owner.gid, { nofollow: false });
    await applyXattrs(ctx, at(fd), m.h);
    fchmodSync(fd, m.mode);
    futimesSync(fd, m.atime, m.mtime);
  } finally {
    closeSync(fd);
  }
}

/** A hard link to an earlier member: its name is relative to the extraction directory and must stay in it. */
async function makeHardLink(ctx: EntryCtx, t: Target, m: Meta): Promise<void> {
  const linkname = m.h.linkname ?? '';
  const refuse = (why: string): EngineError => invalidArgument(`invalid hardlink ${JSON.stringify(m.h.name)} -> ${JSON.stringify(linkname)}: ${why}`);
  const rel = linkname.replace(/^\/+/, '');
  const parts = rel.split('/').filter((c) => c !== '' && c !== '.');
  if (parts.length === 0 || parts.includes('..')) throw refuse('it is outside of the extraction directory');
  const loc = locate(ctx.root, `${ctx.dest === '/' ? '' : ctx.dest}/${parts.join('/')}`, { followFinal: false, missing: 'throw' });
  try {
    if (!isWithin(loc.path, ctx.dest)) throw refuse(`it resolves to ${loc.path}`);
    if (loc.stat === undefined) throw internal(`link ${loc.path}: no such file or directory`);
    if (loc.stat.isDirectory()) throw internal(`link ${loc.path}: operation not permitted`);
    // link(2) does not follow a symlink target: the new name shares the symlink itself
    linkSync(at(loc.dir, loc.name), at(t.dir, t.name));
  } finally {
    loc.close();
  }
  ctx.host.chown(at(t.dir, t.name), m.owner.uid, m.owner.gid, { nofollow: true });
  await withNode(t, undefined, (p, st) => {
    if (st.isSymbolicLink()) return;
    chmodSync(p, m.mode);
    utimesSync(p, m.atime, m.mtime);
  });
}

async function applyXattrs(ctx: EntryCtx, path: string, h: EntryHeader): Promise<void> {
  for (const [key, value] of Object.entries(h.pax ?? {})) {
    if (!key.startsWith(XATTR_PREFIX)) continue;
    const name = key.slice(XATTR_PREFIX.length);
    // overlay's own attributes would change the container's layers; binary capability sets do
    // not survive tar-stream's UTF-8 decoding of PAX records
    if (name.startsWith('trusted.overlay.') || name === 'security.capability') continue;
    try {
      await ctx.host.setXattr(path, name, Buffer.from(String(value), 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EPERM') throw err;
    }
  }
}
