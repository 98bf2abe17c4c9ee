import { readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { LogRotation } from '../logs-types.js';

/** The path of rotated file number `n` (1 = newest rotated) of a live log file. */
export function rotatedPath(logPath: string, n: number): string {
  return `${logPath}.${n}`;
}

function isNotFound(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/**
 * Rotates a container's live log file if it is larger than `rotation.maxSize`:
 * `.n` → `.n+1` (the oldest beyond `maxFile - 1` is dropped), live → `.1`, then `reopen()`
 * (the engine asks conmon to reopen its log, which creates a new live file; records conmon
 * writes between the rename and the reopen land in `.1`, so nothing is lost). With
 * `maxFile` 1 the renamed file is deleted after the reopen. Returns whether it rotated.
 * Callers serialize calls per container (the container lock). Throws what rename/reopen throw.
 */
export async function rotateIfNeeded(
  logPath: string,
  rotation: LogRotation,
  reopen: () => Promise<void>,
): Promise<boolean> {
  let size: number;
  try {
    size = (await stat(logPath)).size;
  } catch (err) {
    if (isNotFound(err)) return false;
    throw err;
  }
  if (size <= rotation.maxSize) return false;
  const keep = Math.max(0, Math.floor(rotation.maxFile) - 1); // rotated files kept
  if (keep === 0) {
    await rename(logPath, rotatedPath(logPath, 1));
    await reopen();
    await rm(rotatedPath(logPath, 1), { force: true });
    return true;
  }
  await rm(rotatedPath(logPath, keep), { force: true });
  for (let n = keep - 1; n >= 1; n--) {
    try {
      await rename(rotatedPath(logPath, n), rotatedPath(logPath, n + 1));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  await rename(logPath, rotatedPath(logPath, 1));
  await reopen();
  await removeBeyond(logPath, keep);
  return true;
}

/** Removes rotated files numbered above `keep` (left over when max-file was lowered). */
async function removeBeyond(logPath: string, keep: number): Promise<void> {
  const base = basename(logPath);
  let names: string[];
  try {
    names = await readdir(dirname(logPath));
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(`${base}.`)) continue;
    const n = Number(name.slice(base.length + 1));
    if (Number.isInteger(n) && n > keep) await rm(`${dirname(logPath)}/${name}`, { force: true });
  }
}
