/**
 * GET /containers/{id}/changes: what a container changed in its filesystem, computed as Moby's
 * overlay2 driver does (pkg/archive OverlayChanges): walk the upper dir; a whiteout or an opaque
 * directory is a deletion, a path some lower layer has is a modification, anything else an
 * addition; a directory equal in mode, size and mtime to the lower one is not a change itself,
 * but the parent of an added or deleted path always is.
 */
import type { BigIntStats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { getAttribute } from 'fs-xattr';
import { conflict } from '../core/index.js';
import type { ImageService } from '../image/types.js';
import type { Engine } from './engine.js';
import { runtimeEntries, type RuntimeEntries } from './runtime-entries.js';

/** Moby's archive.ChangeType: modified (docker diff prints C). */
export const CHANGE_MODIFY = 0;
/** Added (A). */
export const CHANGE_ADD = 1;
/** Deleted (D). */
export const CHANGE_DELETE = 2;

/** One entry of the answer; `Path` is absolute in the container. */
export interface Change {
  readonly Path: string;
  readonly Kind: typeof CHANGE_MODIFY | typeof CHANGE_ADD | typeof CHANGE_DELETE;
}

/** Whether an upper-dir entry is an overlay whiteout (character device 0:0). */
export function isWhiteout(st: { isCharacterDevice(): boolean; rdev: number | bigint }): boolean {
  return st.isCharacterDevice() && Number(st.rdev) === 0;
}

/** Whether a directory is opaque (hides what the lower layers have below it). */
export async function isOpaque(dir: string): Promise<boolean> {
  try {
    return (await getAttribute(dir, 'trusted.overlay.opaque')).toString() === 'y';
  } catch {
    return false;
  }
}

/**
 * The changes in `upperDir` over `lowerDirs` (top-most first), in Moby's walk order (depth first,
 * names sorted). Entries the runtime made are left out (see runtime-entries.ts). A missing upper
 * dir (a container never started) has no changes.
 */
export async function upperChanges(upperDir: string, lowerDirs: readonly string[]): Promise<Change[]> {
  const ctx: WalkContext = {
    upperDir, lowerDirs, runtime: await runtimeEntries(upperDir), changes: [], changedDirs: new Set(),
  };
  await walk(ctx, '');
  return ctx.changes;
}

/** A catch handler: `value` when the path is gone (ENOENT), else the error again. */
function unlessGone<T>(value: T): (err: unknown) => T {
  return (err) => {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return value;
    throw err;
  };
}

interface WalkContext {
  readonly upperDir: string;
  readonly lowerDirs: readonly string[];
  readonly runtime: RuntimeEntries;
  readonly changes: Change[];
  readonly changedDirs: Set<string>;
}

/** Walks one directory; entries a running container removes meanwhile are skipped. */
async function walk(ctx: WalkContext, rel: string): Promise<void> {
  const names = (await readdir(join(ctx.upperDir, rel)).catch(unlessGone([]))).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if (ctx.runtime.hidden.has(path)) continue;
    const abs = join(ctx.upperDir, path);
    const st = await lstat(abs, { bigint: true }).catch(unlessGone(undefined));
    if (!st) continue;
    const kind = isWhiteout(st) || (st.isDirectory() && (await isOpaque(abs))) ? CHANGE_DELETE : await kindOf(ctx, path, st);
    if (kind !== undefined) record(ctx, `/${path}`, kind, st.isDirectory());
    if (st.isDirectory()) await walk(ctx, path);
  }
}

/** Added, modified, or undefined for a directory the container did not change itself. */
async function kindOf(ctx: WalkContext, path: string, st: BigIntStats): Promise<Change['Kind'] | undefined> {
  for (const lower of ctx.lowerDirs) {
    let low: BigIntStats;
    try {
      low = await lstat(join(lower, path), { bigint: true });
    } catch {
      continue;
    }
    if (st.isDirectory() && low.isDirectory() && sameDir(st, low, ctx.runtime.touched.has(path))) return undefined;
    return CHANGE_MODIFY;
  }
  return CHANGE_ADD;
}

/** Moby's test: same size, mode and mtime (to the second when one side has no nanoseconds). */
function sameDir(upper: BigIntStats, lower: BigIntStats, touchedByRuntime: boolean): boolean {
  if (upper.mode !== lower.mode) return false;
  if (touchedByRuntime) return true;
  if (upper.size !== lower.size) return false;
  const [a, b] = [upper.mtimeNs, lower.mtimeNs];
  const sec = 1_000_000_000n;
  return a === b || (a / sec === b / sec && (a % sec === 0n || b % sec === 0n));
}

/** Appends a change, preceded by its parent directory as modified when an add or delete needs it. */
function record(ctx: WalkContext, path: string, kind: Change['Kind'], isDir: boolean): void {
  if (isDir) ctx.changedDirs.add(path);
  if (kind === CHANGE_ADD || kind === CHANGE_DELETE) {
    const parent = path.slice(0, path.lastIndexOf('/'));
    if (parent !== '' && !ctx.changedDirs.has(parent)) {
      ctx.changes.push({ Path: parent, Kind: CHANGE_MODIFY });
      ctx.changedDirs.add(parent);
    }
  }
  ctx.changes.push({ Path: path, Kind: kind });
}

/**
 * GET /containers/{id}/changes for a container, under its lock (so it is not removed meanwhile).
 * Throws 'not-found' for an unknown container, 'conflict' for one being removed.
 */
export async function containerChanges(engine: Engine, images: Pick<ImageService, 'get' | 'layerDirs'>, ref: string): Promise<Change[]> {
  const rec = engine.store.get(ref);
  return engine.containers.mutex.run(rec.id, async () => {
    if (!engine.store.find(rec.id) || rec.state.status === 'removing') throw conflict(`container ${rec.id} is marked for removal`);
    const lower = images.layerDirs(await images.get(rec.image));
    return upperChanges(engine.store.paths(rec.id).upperDir, lower);
  });
}
