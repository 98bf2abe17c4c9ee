/** Liveness of conmon and of the container's process, from their pid files (pid-reuse safe). */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Host } from './host.js';
import type { BundlePaths } from './paths.js';

/** readPid, synchronously (small files on the exec path). */
export function readPidSync(file: string): number | undefined {
  try {
    return pidOf(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Reads a pid file; undefined if missing or not a positive integer. */
export async function readPid(file: string): Promise<number | undefined> {
  try {
    return pidOf(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function pidOf(text: string): number | undefined {
  const n = Number(text.trim());
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

/** True while the container's conmon lives: its pid exists and its cmdline is conmon for this id. */
export async function monitorAlive(host: Host, paths: BundlePaths, id: string): Promise<boolean> {
  const pid = await readPid(paths.conmonPid);
  if (pid === undefined || !host.processAlive(pid)) return false;
  const cmd = await host.cmdline(pid);
  return cmd !== undefined && cmd.includes('conmon') && cmd.includes(id);
}

/** The container process's host pid while it runs (no exit file yet, process exists). */
export async function containerPid(host: Host, paths: BundlePaths, exited: boolean): Promise<number | undefined> {
  if (exited) return undefined;
  const pid = await readPid(paths.containerPid);
  if (pid === undefined || !host.processAlive(pid)) return undefined;
  const cmd = await host.cmdline(pid);
  // A zombie or a reused pid has an empty/other cmdline only in rare cases; an existing pid is enough
  // while the exit file is absent, because conmon (its reaper) writes that file right after reaping.
  return cmd === undefined ? undefined : pid;
}
