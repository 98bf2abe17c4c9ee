/**
 * The build context as it streams in: every tar member indexed in memory (type, mode, owner,
 * mtime, link target, sha256 of file content, and the content itself while a memory budget
 * allows) in one pass, so that cache keys are computed without extracting anything, and COPY
 * writes files straight from memory. Paths are context-relative, clean, without a leading slash
 * ('' is the context root). Later members replace earlier ones, as extraction would.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { invalidArgument } from '../core/index.js';

/** One file system entry of the context. */
export interface ContextEntry {
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  /** Permission bits (with set-id and sticky bits). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtime: Date;
  /** A symlink's target. */
  readonly linkname?: string;
  /** sha256 hex of a file's content ('' for other types). */
  readonly digest: string;
  /** A file's content, when it was kept (see ContextIndex.budget). */
  readonly data?: Buffer;
  /** A file's size in bytes. */
  readonly size: number;
}

/** A tar member's fields the index needs (tar-stream's header, PAX applied). */
export interface MemberHeader {
  readonly name: string;
  readonly type?: string | null;
  readonly mode?: number | null;
  readonly uid?: number | null;
  readonly gid?: number | null;
  readonly mtime?: Date | null;
  readonly linkname?: string | null;
}

const IMPLIED_DIR: ContextEntry = { type: 'dir', mode: 0o755, uid: 0, gid: 0, mtime: new Date(0), digest: '', size: 0 };

/** The context's tree, built member by member. */
export class ContextIndex {
  private readonly entries = new Map<string, ContextEntry>([['', IMPLIED_DIR]]);
  private readonly children = new Map<string, Set<string>>([['', new Set()]]);
  /** Whether every file's content is kept in memory. */
  complete = true;
  private kept = 0;

  /** `budget`: bytes of file content kept in memory at most. */
  constructor(private readonly budget = 64 * 1024 * 1024) {}

  /** Adds a member (name already cleaned by cleanEntryName) with its content for files. */
  add(name: string, h: MemberHeader, content: Buffer[] | undefined): void {
    const type = h.type ?? 'file';
    const base = { mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, mtime: h.mtime ?? new Date(0) };
    if (name === '') {
      if (type === 'directory') this.entries.set('', { ...base, type: 'dir', digest: '', size: 0 });
      return;
    }
    let e: ContextEntry;
    switch (type) {
      case 'file':
      case 'contiguous-file': {
        const data = Buffer.concat(content ?? []);
        const keep = this.complete && this.kept + data.length <= this.budget;
        if (keep) this.kept += data.length;
        else this.complete = false;
        e = { ...base, type: 'file', digest: createHash('sha256').update(data).digest('hex'), size: data.length, ...(keep ? { data } : {}) };
        break;
      }
      case 'directory':
        e = { ...base, type: 'dir', digest: '', size: 0 };
        break;
      case 'symlink':
        e = { ...base, type: 'symlink', linkname: h.linkname ?? '', digest: '', size: 0 };
        break;
      case 'link': {
        const target = this.entries.get(cleanName(h.linkname ?? ''));
        if (!target || target.type === 'dir') throw invalidArgument(`invalid tar archive: hard link ${name} to a missing file`);
        e = target;
        break;
      }
      default:
        e = { ...base, type: 'other', digest: '', size: 0 };
    }
    this.set(name, e);
  }

  private set(name: string, e: ContextEntry): void {
    const old = this.entries.get(name);
    if (old?.type === 'dir' && e.type === 'dir') {
      this.entries.set(name, e);
      return;
    }
    if (old) this.drop(name);
    const parent = parentOf(name);
    if (!this.entries.has(parent)) this.set(parent, IMPLIED_DIR);
    else if (this.entries.get(parent)!.type !== 'dir') {
      this.drop(parent);
      this.set(parent, IMPLIED_DIR);
    }
    this.entries.set(name, e);
    this.children.get(parent)!.add(posix.basename(name));
    if (e.type === 'dir') this.children.set(name, new Set());
  }

  private drop(name: string): void {
    for (const c of this.children.get(name) ?? []) this.drop(`${name}/${c}`);
    this.children.delete(name);
    this.entries.delete(name);
    this.children.get(parentOf(name))?.delete(posix.basename(name));
  }

  /** The entry at `path` (not following a final symlink). */
  lstat(path: string): ContextEntry | undefined {
    return this.entries.get(path);
  }

  /** A directory's entry names, sorted. */
  readdir(path: string): string[] {
    return [...(this.children.get(path) ?? [])].sort();
  }

  /**
   * Resolves `path` inside the context as resolveInRoot does on disk: symlinks followed (the
   * final one unless `followFinal` is false), never leading outside. Returns the clean relative
   * path ('' for the root), which may not exist.
   */
  resolve(path: string, opts: { followFinal: boolean } = { followFinal: true }): string {
    const parts = posix.normalize(`/${path}`).split('/').filter((p) => p !== '' && p !== '.');
    const done: string[] = [];
    let hops = 0;
    while (parts.length > 0) {
      const name = parts.shift()!;
      if (name === '..') {
        done.pop();
        continue;
      }
      const e = this.entries.get([...done, name].join('/'));
      if (e?.type === 'symlink' && (parts.length > 0 || opts.followFinal)) {
        if (++hops > 255) throw invalidArgument(`too many levels of symbolic links: ${path}`);
        const target = e.linkname ?? '';
        if (target.startsWith('/')) done.length = 0;
        parts.unshift(...target.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
      done.push(name);
    }
    return done.join('/');
  }
}

function parentOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

function cleanName(name: string): string {
  const norm = posix.normalize(name.replace(/^\/+/, '') || '.').replace(/\/+$/, '');
  return norm === '.' ? '' : norm;
}
