/**
 * The build cache index: step cache key → id of the image the step produced, kept in
 * data-root/build-cache/index.json (atomic writes). Entries whose image is gone are ignored by
 * the caller and dropped on the next write.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson, type Logger } from '../core/index.js';
import { KeyedMutex } from './mutex.js';

/** Persistent key → image id map. */
export class BuildCacheIndex {
  private entries: Map<string, string> | undefined;
  private readonly mutex = new KeyedMutex();

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
    return join(this.dir, 'mounts', safe === '' ? '_' : safe);
  }
}
