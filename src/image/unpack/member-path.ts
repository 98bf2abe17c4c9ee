import { lstatSync, mkdirSync } from 'node:fs';
import { posix } from 'node:path';
import { EngineError, invalidArgument } from '../../core/index.js';

/** An error about one archive member; the message names it. */
export function badMember(member: string, reason: string): EngineError {
  return invalidArgument(`invalid tar member ${JSON.stringify(member)}: ${reason}`);
}

/**
 * Cleans a member name to a path relative to the layer root ('' is the root itself). Leading
 * `/` and `./` are stripped as Docker does; a path that would climb out of the root is refused.
 */
export function cleanMemberPath(member: string): string {
  if (member.includes('\0')) throw badMember(member, 'name contains a NUL byte');
  const stripped = member.replace(/^\/+/, '');
  if (stripped === '' || stripped === '.' || stripped === './') return '';
  const norm = posix.normalize(stripped).replace(/\/+$/, '');
  if (norm === '..' || norm.startsWith('../')) throw badMember(member, 'path escapes the layer directory');
  return norm === '.' ? '' : norm;
}

/**
 * Relative paths inside a layer dir known to be real directories (created or lstat-checked by
 * this unpack, which is the only writer of its private dir). Saves re-walking common parents.
 * Anything removed or replaced must be forgotten with forget().
 */
export class KnownDirs {
  private readonly dirs = new Set<string>();

  has(rel: string): boolean {
    return this.dirs.has(rel);
  }

  add(rel: string): void {
    this.dirs.add(rel);
  }

  /** Forgets `rel` and, when it was a directory, everything under it. */
  forget(rel: string, wasDir: boolean): void {
    this.dirs.delete(rel);
    if (!wasDir) return;
    const prefix = `${rel}/`;
    for (const d of this.dirs) if (d.startsWith(prefix)) this.dirs.delete(d);
  }
}

/**
 * Walks the parent directories of `rel` under `root` with lstat, never following a symlink.
 * Missing ones are created (mode 0755) when `create` is set. Throws 'invalid-argument' naming
 * `member` when a parent is a symlink, is not a directory or (without `create`) is missing.
 * Synchronous: each step is one short syscall, far cheaper than a threadpool round trip.
 */
export function checkParents(root: string, rel: string, member: string, known: KnownDirs, opts: { create: boolean }): void {
  const parts = rel.split('/');
  parts.pop();
  let prefix = '';
  for (const part of parts) {
    prefix = prefix === '' ? part : `${prefix}/${part}`;
    if (known.has(prefix)) continue;
    const abs = `${root}/${prefix}`;
    const st = lstatSync(abs, { throwIfNoEntry: false });
    if (st === undefined) {
      if (!opts.create) throw badMember(member, `parent ${JSON.stringify(prefix)} does not exist`);
      mkdirSync(abs, { mode: 0o755 });
    } else if (st.isSymbolicLink()) {
      throw badMember(member, `parent ${JSON.stringify(prefix)} is a symlink`);
    } else if (!st.isDirectory()) {
      throw badMember(member, `parent ${JSON.stringify(prefix)} is not a directory`);
    }
    known.add(prefix);
  }
}
