/**
 * The build cache index: step cache key → id of the image the step produced, kept in
 * data-root/build-cache/index.json (atomic writes). Entries whose image is gone are ignored by
 * the caller and dropped on the next write. Also the `RUN --mount=type=cache` directories
 * (data-root/build-cache/mounts/<id>), the cache that `POST /build/prune` removes.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { dirSize } from './sizes.js';
import { atomicWriteJson, type Logger } from '../core/index.js';
import { KeyedMutex } from './mutex.js';

/** Persistent key → image id map. */
export class BuildCacheIndex {
  private entries: Map<string, string> | undefined;
  private readonly mutex = new KeyedMutex();
  /** Cache mount dirs that running steps have mounted, with how many. */
  private readonly mountsInUse = new Map<string, number>();

  constructor(private readonly dir: string, private readonly logger: Logger) {}

  private get file(): string {
    return join(this.dir, 'index.json');
  }

  private async load(): Promise<Map<string, string>> {
    if (this.entries) return this.entries;
    const map = new Map<string, string>();
    try {
      const data: unknown = JSON.parse(await readFile(this.file, 'utf8'));
      if (data && typeof data === 'object' && 'entries' in data && data.entries && typeof data.entries === 'object') {
        for (const [k, v] of Object.entries(data.entries as Record<string, unknown>)) if (typeof v === 'string') map.set(k, v);
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.logger.warn('build cache index unreadable, starting empty', { err });
    }
    this.entries = map;
    return map;
  }

  /** The image id stored for `key`, if any. */
  async get(key: string): Promise<string | undefined> {
    return (await this.load()).get(key);
  }

  /** Records `key` → `imageId`; `alive` prunes entries of images that no longer exist. */
  async set(key: string, imageId: string, alive?: (id: string) => boolean): Promise<void> {
    await this.mutex.run('index', async () => {
      const map = await this.load();
      map.set(key, imageId);
      if (alive) for (const [k, v] of map) if (!alive(v)) map.delete(k);
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await atomicWriteJson(this.file, { version: 1, entries: Object.fromEntries(map) });
    });
  }

  /** Directory of a `RUN --mount=type=cache` id (created on use). */
  mountDir(id: string): string {
    const safe = id.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    return join(this.mountsDir, safe === '' ? '_' : safe);
  }

  private get mountsDir(): string {
    return join(this.dir, 'mounts');
  }

  /**
   * Marks a cache mount dir as mounted by a running step until the returned function is called;
   * the release stamps the dir's mtime, its "last used" for `until` filters.
   */
  useMount(dir: string): () => void {
    this.mountsInUse.set(dir, (this.mountsInUse.get(dir) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (this.mountsInUse.get(dir) ?? 1) - 1;
      if (n > 0) this.mountsInUse.set(dir, n);
      else this.mountsInUse.delete(dir);
      const now = new Date();
      void utimes(dir, now, now).catch(() => undefined);
    };
  }

  /**
   * Removes the cache mounts no running step uses: their ids (as BuildKit's, 25 characters) and
   * the bytes they held. The step cache stays: its entries are images, which image prune handles.
   */
  async pruneMounts(select: (mount: { lastUsedMs: number }) => boolean = () => true): Promise<{ deleted: string[]; bytes: number }> {
    const deleted: string[] = [];
    let bytes = 0;
    for (const name of await readdir(this.mountsDir).catch(() => [] as string[])) {
      const dir = join(this.mountsDir, name);
      if (this.mountsInUse.has(dir)) continue;
      const st = await stat(dir).catch(() => undefined);
      if (!st || !select({ lastUsedMs: st.mtimeMs })) continue;
      bytes += await dirSize(dir);
      await rm(dir, { recursive: true, force: true });
      deleted.push(cacheRecordId(name));
    }
    return { deleted, bytes };
  }
}

/** A cache mount's record id: stable for its directory, in BuildKit's 25-character shape. */
export function cacheRecordId(name: string): string {
  return BigInt(`0x${createHash('sha256').update(`cachemount:${name}`).digest('hex')}`).toString(36).slice(0, 25).padStart(25, '0');
}
