/**
 * What the runtime, not the container's processes, leaves in a container's upper dir: the mount
 * points of /etc/hostname, /etc/hosts, /etc/resolv.conf (and /proc, /sys, /dev when the image
 * lacks them). Docker keeps these in a separate "init" layer below the container's, so neither
 * `docker diff` nor `docker commit` sees them; berth hides them the same way.
 */
import type { Stats } from 'node:fs';
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Files of Moby's init layer (daemon/initlayer), relative to the rootfs. */
const INIT_FILES = ['.dockerenv', 'dev/console', 'etc/hostname', 'etc/hosts', 'etc/mtab', 'etc/resolv.conf'];
/** Directories of the init layer, deepest first, so a parent sees its children decided. */
const INIT_DIRS = ['dev/pts', 'dev/shm', 'dev', 'etc', 'proc', 'sys'];

/** The runtime's entries in an upper dir, as relative paths without a leading slash. */
export interface RuntimeEntries {
  /** Entries to leave out of changes and commits: init files, and init dirs holding nothing else. */
  readonly hidden: ReadonlySet<string>;
  /**
   * Directories that stay but whose mtime the runtime changed by creating hidden entries in them
   * ('' is the root): their own time and size say nothing about the container's changes.
   */
  readonly touched: ReadonlySet<string>;
}

/** Finds the runtime's entries in `upperDir` (none when it does not exist yet). */
export async function runtimeEntries(upperDir: string): Promise<RuntimeEntries> {
  const hidden = new Set<string>();
  for (const path of INIT_FILES) {
    const st = await lstatOrUndefined(join(upperDir, path));
    if (st && !st.isDirectory()) hidden.add(path);
  }
  for (const path of INIT_DIRS) {
    const st = await lstatOrUndefined(join(upperDir, path));
    if (!st?.isDirectory()) continue;
    const names = await readdir(join(upperDir, path)).catch(() => [] as string[]);
    if (names.every((n) => hidden.has(`${path}/${n}`))) hidden.add(path);
  }
  const touched = new Set<string>();
  for (const path of hidden) {
    const parent = parentOf(path);
    if (!hidden.has(parent)) touched.add(parent);
  }
  return { hidden, touched };
}

/** 'etc/hosts' → 'etc'; 'proc' → ''. */
export function parentOf(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash < 0 ? '' : path.slice(0, slash);
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch {
    return undefined;
  }
}
