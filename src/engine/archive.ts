/**
 * `docker cp` on the daemon side: stat, archive and extract paths of a container's root
 * filesystem (Engine API `HEAD|GET|PUT /containers/{id}/archive`), running or not, with moby's
 * semantics (daemon/archive_unix.go). Every path is looked up inside the container's root
 * (archive-scope.ts); volumes and bind mounts are not part of the view.
 */
import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type BigIntStats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { invalidArgument, notFound } from '../core/index.js';
import { resolveUser } from '../runtime/index.js';
import { extractArchive, type ExtractHost } from './archive-extract.js';
import { packResource } from './archive-pack.js';
import { ScopedRoot, at, hasCode, type Located } from './archive-scope.js';
import { goBase, pathStat, type PathStat } from './archive-stat.js';
import type { ContainerEventLog } from './container-event.js';
import type { ContainerRecord } from './record.js';

export type { PathStat } from './archive-stat.js';
export { encodePathStat } from './archive-stat.js';

/** What archive operations need of the engine: a container's root filesystem, under its lock, and its event log. */
export interface RootfsProvider {
  withRootfs<T>(ref: string, fn: (rootfs: string, rec: ContainerRecord) => Promise<T>): Promise<T>;
  /** A running container's view with its volumes and binds (/proc/<pid>/root); withRootfs otherwise. */
  withContainerView?<T>(ref: string, fn: (root: string, rec: ContainerRecord) => Promise<T>): Promise<T>;
  readonly events?: ContainerEventLog;
}

/** moby's container events for archive-path and extract-to-dir: labels, image and name as attributes. */
function logEvent(engine: RootfsProvider, rec: ContainerRecord, action: 'archive-path' | 'extract-to-dir'): void {
  engine.events?.emit('container', action, rec.id, { ...(rec.config.Labels ?? {}), image: rec.config.Image ?? rec.image, name: rec.name });
}

/** Query options of `PUT /containers/{id}/archive`. */
export interface ExtractToContainerOptions {
  noOverwriteDirNonDir: boolean;
  /** With a container user (Config.User), everything becomes theirs; else the archive's ids stay. */
  copyUIDGID: boolean;
  signal?: AbortSignal;
  host?: ExtractHost;
}

const MAX_ID_FILE = 4 * 1024 * 1024;

/**
 * The path as moby takes it: joined to `/` and cleaned, keeping a trailing `/` or `/.` (which
 * ask for the directory a symlink points to, or a directory's contents).
 */
export function containerPath(path: string): string {
  if (path === '') throw invalidArgument('bad parameter: path cannot be empty');
  if (path.includes('\0')) throw invalidArgument('bad parameter: path contains a NUL byte');
  let clean = posix.resolve('/', path);
  if (goBase(path) === '.' && goBase(clean) !== '.') clean = clean === '/' ? '/.' : `${clean}/.`;
  if (path.endsWith('/') && !clean.endsWith('/')) clean += '/';
  return clean;
}

function fileNotFound(path: string, ref: string): Error {
  return notFound(`Could not find the file ${path} in container ${ref}`);
}

/** Looks the path up as os.Lstat would in a chroot; throws moby's not-found error. */
function lstatIn(root: ScopedRoot, abs: string, path: string, ref: string): { loc: Located; st: BigIntStats } {
  let loc: Located;
  try {
    loc = root.locate(abs, { followFinal: false, missing: 'throw' });
  } catch (err) {
    throw hasCode(err, 'ENOENT') ? fileNotFound(path, ref) : err;
  }
  if (loc.stat === undefined) {
    loc.close();
    throw fileNotFound(path, ref);
  }
  const st = loc.name === '' ? fstatSync(root.fd, { bigint: true }) : lstatSync(at(loc.dir, loc.name), { bigint: true });
  return { loc, st };
}

function statOf(root: ScopedRoot, abs: string, st: BigIntStats): PathStat {
  return pathStat(goBase(abs), st, st.isSymbolicLink() ? root.resolve(abs) : '');
}

async function inRoot<T>(engine: RootfsProvider, ref: string, fn: (root: ScopedRoot, rec: ContainerRecord) => Promise<T>): Promise<T> {
  const view = engine.withContainerView ? engine.withContainerView.bind(engine) : engine.withRootfs.bind(engine);
  return view(ref, async (rootfs: string, rec: ContainerRecord) => {
    const root = ScopedRoot.open(rootfs);
    try {
      return await fn(root, rec);
    } finally {
      root.close();
    }
  });
}

/** `HEAD /containers/{id}/archive`: the stat of a path (a symlink's, with its target resolved in the container). */
export async function statContainerPath(engine: RootfsProvider, ref: string, path: string): Promise<PathStat> {
  const abs = containerPath(path);
  return inRoot(engine, ref, async (root) => {
    const { loc, st } = lstatIn(root, abs, path, ref);
    loc.close();
    return statOf(root, abs, st);
  });
}

/**
 * `GET /containers/{id}/archive`: the stat, then the tar of the path written to the stream
 * `open` answers (called once the path is known to exist, so errors before it have a status).
 */
export async function archiveContainerPath(
  engine: RootfsProvider, ref: string, path: string, open: (stat: PathStat) => Writable, opts: { signal?: AbortSignal } = {},
): Promise<void> {
  const abs = containerPath(path);
  await inRoot(engine, ref, async (root, rec) => {
    const { loc, st } = lstatIn(root, abs, path, ref);
    try {
      const stat = statOf(root, abs, st);
      logEvent(engine, rec, 'archive-path');
      await packResource(loc.dir, loc.name, open(stat), {
        isDir: st.isDirectory(), rebase: goBase(abs), ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } finally {
      loc.close();
    }
  });
}

/**
 * `PUT /containers/{id}/archive`: extracts a tar (plain or compressed) into a directory of the
 * container, the path's symlinks all followed inside the container. Throws moby's not-found,
 * "extraction point is not a directory" and "container rootfs is marked read-only" errors.
 */
export async function extractToContainer(
  engine: RootfsProvider, ref: string, path: string, body: Readable, opts: ExtractToContainerOptions,
): Promise<void> {
  containerPath(path);
  const abs = posix.resolve('/', path);
  await inRoot(engine, ref, async (root, rec) => {
    let loc: Located;
    try {
      loc = root.locate(abs, { followFinal: true, missing: 'throw' });
    } catch (err) {
      throw hasCode(err, 'ENOENT') ? fileNotFound(path, ref) : err;
    }
    loc.close();
    if (loc.stat === undefined) throw fileNotFound(path, ref);
    if (!loc.stat.isDirectory()) throw invalidArgument('extraction point is not a directory');
    if (rec.hostConfig.ReadonlyRootfs === true) throw invalidArgument('container rootfs is marked read-only');
    const user = rec.config.User ?? '';
    const owner = opts.copyUIDGID && user !== ''
      ? resolveUser(user, readFileIn(root, '/etc/passwd'), readFileIn(root, '/etc/group'))
      : undefined;
    await extractArchive(root.fd, body, {
      dest: loc.path, noOverwriteDirNonDir: opts.noOverwriteDirNonDir,
      ...(owner ? { owner: { uid: owner.uid, gid: owner.gid } } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}), ...(opts.host ? { host: opts.host } : {}),
    });
    logEvent(engine, rec, 'extract-to-dir');
  });
}

/** A small text file of the container (passwd, group), or undefined when it is not a regular file. */
function readFileIn(root: ScopedRoot, path: string): string | undefined {
  let loc: Located;
  try {
    loc = root.locate(path, { followFinal: true, missing: 'throw' });
  } catch {
    return undefined;
  }
  try {
    if (loc.stat?.isFile() !== true) return undefined;
    const fd = openSync(at(loc.dir, loc.name), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) return undefined;
      const buf = Buffer.alloc(Math.min(st.size, MAX_ID_FILE));
      let off = 0;
      while (off < buf.length) {
        const n = readSync(fd, buf, off, buf.length - off, off);
        if (n === 0) break;
        off += n;
      }
      return buf.subarray(0, off).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  } finally {
    loc.close();
  }
}
