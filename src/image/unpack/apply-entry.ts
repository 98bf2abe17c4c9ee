import {
  chmodSync, closeSync, constants, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, rmSync, symlinkSync,
  unlinkSync, writeSync,
} from 'node:fs';
import { posix } from 'node:path';
import type { Header } from 'tar-stream';
import type { Logger } from '../../core/index.js';
import { KnownDirs, badMember, checkParents, cleanMemberPath } from './member-path.js';
import type { UnpackHost } from './host.js';

/** A tar header as tar-stream gives it, with the PAX records it decoded. */
export type TarHeader = Omit<Header, 'pax'> & { pax?: Record<string, string> | null };

/** A member's content stream (drained by applyEntry). */
export interface EntryBody extends AsyncIterable<Uint8Array> {
  resume(): unknown;
}

/** State shared by the entries of one layer. */
export interface UnpackContext {
  readonly root: string;
  readonly host: UnpackHost;
  readonly logger: Logger;
  readonly known: KnownDirs;
  /** Directory mtimes, applied once every entry is in (children change them). */
  readonly dirTimes: Array<{ path: string; mtime: Date }>;
  /** Bytes of regular file content written. */
  size: number;
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';
const XATTR_PREFIX = 'SCHILY.xattr.';
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

// File system calls here are synchronous on purpose: each is a few microseconds on a private
// directory, while an fs/promises round trip through libuv's threadpool costs tens, and a layer
// has thousands of members (20k files: ~11 s async, about 1 s sync). The event loop still turns
// between members, as their data arrives.

/** Applies one tar member to the layer dir, draining `body`. Throws 'invalid-argument' naming the member. */
export async function applyEntry(ctx: UnpackContext, header: TarHeader, body: EntryBody): Promise<void> {
  const member = header.name;
  const rel = cleanMemberPath(member);
  const base = posix.basename(rel);
  const type = header.type ?? 'file';
  if (type !== 'file' && type !== 'contiguous-file') body.resume();
  if (rel !== '' && base.startsWith(WHITEOUT)) {
    if (type === 'file' || type === 'contiguous-file') body.resume();
    await applyWhiteout(ctx, header, rel, base);
    return;
  }
  if (rel === '') {
    if (type !== 'directory') throw badMember(member, 'the layer root must be a directory');
    await setMetadata(ctx, ctx.root, header, { dir: true });
    return;
  }
  checkParents(ctx.root, rel, member, ctx.known, { create: true });
  const abs = `${ctx.root}/${rel}`;
  switch (type) {
    case 'file':
    case 'contiguous-file':
      await writeFile(ctx, member, rel, abs, body);
      ctx.size += header.size ?? 0;
      await setMetadata(ctx, abs, header, { dir: false });
      return;
    case 'directory':
      if (!clearTarget(ctx, rel, abs, true)) mkdirSync(abs, { mode: 0o700 });
      ctx.known.add(rel);
      await setMetadata(ctx, abs, header, { dir: true });
      return;
    case 'symlink':
      await makeSymlink(ctx, header, rel, abs);
      return;
    case 'link':
      makeHardLink(ctx, header, rel, abs);
      return;
    case 'character-device':
    case 'block-device':
    case 'fifo':
      clearTarget(ctx, rel, abs, false);
      ctx.logger.debug('mknod', { member, type });
      await ctx.host.mknod(abs, {
        type: type === 'fifo' ? 'p' : type === 'block-device' ? 'b' : 'c',
        major: header.devmajor ?? 0,
        minor: header.devminor ?? 0,
        mode: header.mode ?? 0o644,
      });
      await setMetadata(ctx, abs, header, { dir: false });
      return;
    default:
      ctx.logger.debug('skipping tar member of unsupported type', { member, type });
  }
}

/**
 * Makes room for a new member at `abs` (already known to have only real-directory parents).
 * An existing directory is kept when the new member is one too (returns true); anything else
 * there is removed, never followed.
 */
function clearTarget(ctx: UnpackContext, rel: string, abs: string, wantDir: boolean): boolean {
  const st = lstatSync(abs, { throwIfNoEntry: false });
  if (st === undefined) return false;
  if (st.isDirectory()) {
    if (wantDir) return true;
    ctx.known.forget(rel, true);
    rmSync(abs, { recursive: true, force: true });
  } else {
    unlinkSync(abs);
  }
  return false;
}

async function writeFile(ctx: UnpackContext, member: string, rel: string, abs: string, body: EntryBody): Promise<void> {
  let fd: number;
  try {
    fd = openSync(abs, CREATE_FLAGS, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    clearTarget(ctx, rel, abs, false);
    fd = openSync(abs, CREATE_FLAGS, 0o600);
  }
  try {
    const chunks = body[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await chunks.next();
      } catch (err) {
        throw badMember(member, `cannot read its content: ${err instanceof Error ? err.message : String(err)}`);
      }
      if (next.done) break;
      const chunk = next.value;
      for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off);
    }
  } finally {
    closeSync(fd);
  }
}

async function makeSymlink(ctx: UnpackContext, header: TarHeader, rel: string, abs: string): Promise<void> {
  const target = header.linkname ?? '';
  if (target === '') throw badMember(header.name, 'symlink has no target');
  if (!target.startsWith('/')) {
    const resolved = posix.normalize(posix.join(posix.dirname(rel), target));
    if (resolved === '..' || resolved.startsWith('../')) {
      throw badMember(header.name, `symlink target ${JSON.stringify(target)} points outside the layer`);
    }
  }
  clearTarget(ctx, rel, abs, false);
  symlinkSync(target, abs);
  await setMetadata(ctx, abs, header, { dir: false, symlink: true });
}

function makeHardLink(ctx: UnpackContext, header: TarHeader, rel: string, abs: string): void {
  const member = header.name;
  const linkname = header.linkname ?? '';
  let targetRel: string;
  try {
    targetRel = cleanMemberPath(linkname);
  } catch {
    throw badMember(member, `hard link target ${JSON.stringify(linkname)} is outside the layer`);
  }
  if (targetRel === '') throw badMember(member, 'hard link to the layer root');
  if (targetRel === rel) return;
  checkParents(ctx.root, targetRel, member, ctx.known, { create: false });
  const targetAbs = `${ctx.root}/${targetRel}`;
  const st = lstatSync(targetAbs, { throwIfNoEntry: false });
  if (st === undefined) throw badMember(member, `hard link target ${JSON.stringify(linkname)} not found in the layer`);
  if (st.isDirectory()) throw badMember(member, `hard link target ${JSON.stringify(linkname)} is a directory`);
  clearTarget(ctx, rel, abs, false);
  // link(2) does not follow a symlink target: the new name shares the symlink itself.
  linkSync(targetAbs, abs);
}

async function applyWhiteout(ctx: UnpackContext, header: TarHeader, rel: string, base: string): Promise<void> {
  const member = header.name;
  checkParents(ctx.root, rel, member, ctx.known, { create: true });
  const dirRel = posix.dirname(rel);
  const dirAbs = dirRel === '.' ? ctx.root : `${ctx.root}/${dirRel}`;
  ctx.logger.debug('whiteout', { member });
  if (base === OPAQUE) {
    await ctx.host.setXattr(dirAbs, 'trusted.overlay.opaque', Buffer.from('y'));
    return;
  }
  if (base.startsWith(`${WHITEOUT}${WHITEOUT}`)) {
    ctx.logger.debug('skipping whiteout metadata member', { member });
    return;
  }
  const name = base.slice(WHITEOUT.length);
  if (name === '' || name === '.' || name === '..') throw badMember(member, 'whiteout names no file');
  const targetRel = dirRel === '.' ? name : `${dirRel}/${name}`;
  const abs = `${dirAbs}/${name}`;
  clearTarget(ctx, targetRel, abs, false);
  await ctx.host.mknod(abs, { type: 'c', major: 0, minor: 0, mode: 0 });
  await ctx.host.lchown(abs, header.uid ?? 0, header.gid ?? 0);
}

async function setMetadata(
  ctx: UnpackContext, abs: string, header: TarHeader, kind: { dir: boolean; symlink?: boolean },
): Promise<void> {
  await ctx.host.lchown(abs, header.uid ?? 0, header.gid ?? 0);
  if (!kind.symlink) {
    // chmod after chown: chown clears set-id bits.
    chmodSync(abs, (header.mode ?? (kind.dir ? 0o755 : 0o644)) & 0o7777);
    if (header.pax) await applyXattrs(ctx, abs, header);
  }
  const mtime = header.mtime ?? new Date(0);
  if (kind.dir) ctx.dirTimes.push({ path: abs, mtime });
  else lutimesSync(abs, mtime, mtime);
}

async function applyXattrs(ctx: UnpackContext, abs: string, header: TarHeader): Promise<void> {
  for (const [key, value] of Object.entries(header.pax ?? {})) {
    if (!key.startsWith(XATTR_PREFIX)) continue;
    const name = key.slice(XATTR_PREFIX.length);
    if (name.startsWith('trusted.overlay.')) {
      // Only whiteout handling may set overlay's own attributes; an archive must not.
      ctx.logger.warn('ignoring overlay xattr from archive', { member: header.name, xattr: name });
      continue;
    }
    try {
      await ctx.host.setXattr(abs, name, Buffer.from(value, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOTSUP' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EOPNOTSUPP') throw err;
      ctx.logger.warn('could not set xattr', { member: header.name, xattr: name, code });
    }
  }
}
