/**
 * Paths inside a container's root filesystem, looked up from the host as the kernel would inside
 * a chroot there (moby's FollowSymlinkInScope, Go's securejoin): symlinks are read and resolved
 * against the root, `..` never climbs above it.
 *
 * Every step works on directories held open by file descriptor and names one component below
 * them through `/proc/self/fd/N/name`, with O_NOFOLLOW. A running container that swaps a
 * directory for a symlink while we walk makes the walk fail; it never makes it leave the root.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, rmdirSync, unlinkSync, type Stats } from 'node:fs';
import { invalidArgument } from '../core/index.js';

/** Linux's O_PATH (not in fs.constants): a handle on a file that can be walked from, never read. */
export const O_PATH = 0o10000000;
/** Opens a directory handle without following a symlink in its last component. */
export const DIR_HANDLE = O_PATH | constants.O_DIRECTORY | constants.O_NOFOLLOW;
/** Opens any file as a handle without following a symlink in its last component. */
export const NODE_HANDLE = O_PATH | constants.O_NOFOLLOW;
/** Symlinks followed in one lookup before giving up, as Linux's MAXSYMLINKS. */
const MAX_LINKS = 40;

/** `/proc/self/fd/N` (the open file itself) or `/proc/self/fd/N/name` (one component below it). */
export function at(fd: number, name?: string): string {
  return name === undefined || name === '' ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

/** An error carrying an errno code, as fs throws them. */
export function errnoError(code: string, message: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${message}: ${STRERROR[code] ?? code}`);
  err.code = code;
  return err;
}

const STRERROR: Record<string, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
};

/** Whether `err` is an fs error with one of the codes. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && codes.includes(code);
}

/** lstat of one component below a directory handle; undefined when it does not exist. */
export function lstatAt(dir: number, name: string): Stats | undefined {
  return lstatSync(at(dir, name), { throwIfNoEntry: false });
}

/** How locate() treats the last component and missing directories. */
export interface LookupOptions {
  /** Resolve a symlink in the last component too (a trailing `/` or `/.` always does). */
  followFinal: boolean;
  /**
   * What a missing directory on the way does (a missing last component is answered with `stat`
   * undefined): 'throw' ENOENT; 'stop' and answer the path as far as it exists with the rest
   * appended as is; 'create' it (mode 0755), only where the path lies under `createUnder`,
   * calling `onCreate` with a handle on each new directory.
   */
  missing: 'throw' | 'stop' | 'create';
  createUnder?: string;
  onCreate?: (dir: number) => void;
}

/** Where a lookup ended: the parent directory, held open, and the last component's name. */
export interface Located {
  /** The clean absolute path inside the root (`/` for the root). */
  readonly path: string;
  /** Handle on the parent directory (the root itself for `/`); valid until close(). */
  readonly dir: number;
  /** The last component ('' when the path is the root). */
  readonly name: string;
  /** The last component's lstat; undefined when it does not exist. */
  readonly stat: Stats | undefined;
  close(): void;
}

/** Splits a path into components, dropping empty ones and `.`. */
function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/** Whether a path names a directory by its form: a trailing `/` or a last component `.`. */
export function assertsDirectory(path: string): boolean {
  return path.endsWith('/') || path === '.' || path.endsWith('/.');
}

/** Whether `path` is `base` or lies below it (both clean and absolute). */
export function isWithin(path: string, base: string): boolean {
  return base === '/' || path === base || path.startsWith(`${base}/`);
}

/**
 * Looks `path` up inside the root open as `root` (see the module comment). Throws errno-style
 * ENOENT / ENOTDIR / ELOOP errors as the kernel would, or 'invalid-argument' when creating
 * would happen outside `createUnder`.
 */
export function locate(root: number, path: string, opts: LookupOptions): Located {
  const follow = opts.followFinal || assertsDirectory(path);
  const stack: Array<{ fd: number; name: string }> = [];
  const top = (): number => stack[stack.length - 1]?.fd ?? root;
  const here = (): string => `/${stack.map((s) => s.name).join('/')}`;
  const closeAll = (): void => {
    for (const s of stack.splice(0)) closeSync(s.fd);
  };
  let queue = components(path);
  let links = 0;
  let missing: string[] | undefined;
  try {
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (c === '..') {
        if (missing !== undefined && missing.length > 0) missing.pop();
        else if (stack.length > 0) closeSync(stack.pop()!.fd);
        continue;
      }
      const last = queue.length === 0;
      if (missing !== undefined) {
        missing.push(c);
        continue;
      }
      const st = lstatAt(top(), c);
      if (st === undefined) {
        if (last) return located(root, stack, c, undefined);
        if (opts.missing === 'throw') throw errnoError('ENOENT', `lstat ${joinPath(here(), c)}`);
        if (opts.missing === 'stop') {
          missing = [c];
          continue;
        }
        const dirPath = joinPath(here(), c);
        if (opts.createUnder === undefined || !isWithin(dirPath, opts.createUnder)) {
          throw invalidArgument(`cannot create ${dirPath}: it is outside of ${opts.createUnder ?? '/'}`);
        }
        mkdirSync(at(top(), c), { mode: 0o755 });
        stack.push({ fd: openSync(at(top(), c), DIR_HANDLE), name: c });
        opts.onCreate?.(top());
        continue;
      }
      if (st.isSymbolicLink() && (!last || follow)) {
        if (++links > MAX_LINKS) throw errnoError('ELOOP', `lstat ${path}`);
        const target = readlinkSync(at(top(), c));
        if (target.startsWith('/')) closeAll();
        queue = [...components(target), ...queue];
        continue;
      }
      if (last) {
        if (assertsDirectory(path) && !st.isDirectory()) throw errnoError('ENOTDIR', `lstat ${path}`);
        return located(root, stack, c, st);
      }
      if (!st.isDirectory()) throw errnoError('ENOTDIR', `lstat ${joinPath(here(), c)}`);
      stack.push({ fd: openSync(at(top(), c), DIR_HANDLE), name: c });
    }
    if (missing !== undefined) {
      // a lookup that stopped: report the lexical rest, nothing open below what exists
      const p = [...stack.map((s) => s.name), ...missing].join('/');
      closeAll();
      return { path: `/${p}`, dir: root, name: '', stat: undefined, close: () => {} };
    }
    // the path named a directory itself (the root, or ended in `..`): answer it as its parent + name
    const dirStat = fstatSync(top());
    const entry = stack.pop();
    if (entry === undefined) return { path: '/', dir: root, name: '', stat: dirStat, close: () => {} };
    return located(root, stack, entry.name, dirStat, entry.fd);
  } catch (err) {
    closeAll();
    throw err;
  }
}

function joinPath(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

function located(root: number, stack: Array<{ fd: number; name: string }>, name: string, stat: Stats | undefined, extra?: number): Located {
  const fds = stack.map((s) => s.fd);
  if (extra !== undefined) fds.push(extra);
  const dir = stack[stack.length - 1]?.fd ?? root;
  let closed = false;
  return {
    path: joinPath(`/${stack.map((s) => s.name).join('/')}`, name),
    dir,
    name,
    stat,
    close() {
      if (closed) return;
      closed = true;
      for (const fd of fds) closeSync(fd);
    },
  };
}

/**
 * A new handle on the directory `name` below the handle `dir`, or on `dir` itself for ''
 * (reopened through its magic link, which names exactly that directory).
 */
export function openDirAt(dir: number, name: string): number {
  return name === '' ? openSync(at(dir), O_PATH | constants.O_DIRECTORY) : openSync(at(dir, name), DIR_HANDLE);
}

/**
 * Removes `name` below the directory handle `dir`, recursively, without following symlinks: a
 * directory is emptied through its own handle, so swapping it meanwhile cannot redirect us.
 */
export function removeAt(dir: number, name: string): void {
  const st = lstatAt(dir, name);
  if (st === undefined) return;
  if (!st.isDirectory()) {
    unlinkSync(at(dir, name));
    return;
  }
  let fd: number;
  try {
    fd = openSync(at(dir, name), DIR_HANDLE);
  } catch (err) {
    if (hasCode(err, 'ELOOP', 'ENOTDIR')) {
      unlinkSync(at(dir, name)); // replaced by a non-directory meanwhile
      return;
    }
    throw err;
  }
  try {
    for (const child of readdirSync(at(fd))) removeAt(fd, child);
  } finally {
    closeSync(fd);
  }
  rmdirSync(at(dir, name));
}

/** The root of a container's file system, held open for one operation. */
export class ScopedRoot {
  private constructor(readonly fd: number) {}

  /** Opens the directory at `hostPath` (the container's mounted rootfs). */
  static open(hostPath: string): ScopedRoot {
    // the root itself may be /proc/<pid>/root, a link to follow; nothing below it is followed
    return new ScopedRoot(openSync(hostPath, DIR_HANDLE & ~constants.O_NOFOLLOW));
  }

  close(): void {
    closeSync(this.fd);
  }

  locate(path: string, opts: LookupOptions): Located {
    return locate(this.fd, path, opts);
  }

  /**
   * The fully resolved path inside the root, as far as it exists (moby's FollowSymlinkInScope,
   * used for a symlink's `linkTarget`).
   */
  resolve(path: string): string {
    const loc = locate(this.fd, path, { followFinal: true, missing: 'stop' });
    loc.close();
    return loc.path;
  }
}
