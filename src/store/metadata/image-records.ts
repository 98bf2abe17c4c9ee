import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { atomicWriteJson, digestHex, isDigest, type Logger } from '../../core/index.js';

/** The stored record of an image (`images/<id-hex>.json`); its config is a blob named by the id. */
export interface StoredImage {
  readonly id: string;
  readonly chainIds: readonly string[];
  readonly size: number;
  /** When the image was added to the store (RFC 3339). */
  readonly added: string;
  /** When it was last tagged (RFC 3339), or '' if never. */
  readonly lastTagTime: string;
  /** The image it was committed or built on (Docker's Parent), for local commits and builds only. */
  readonly parent?: string | undefined;
}

const StoredImageSchema = z.object({
  id: z.string().refine(isDigest),
  chainIds: z.array(z.string().refine(isDigest)),
  size: z.number().int().nonnegative(),
  added: z.string(),
  lastTagTime: z.string(),
  parent: z.string().refine(isDigest).optional(),
});

/** Image records, indexed in memory, one JSON file each, written atomically. */
export class ImageRecords {
  private readonly records = new Map<string, StoredImage>();

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {}

  /** Loads every record; unreadable ones are removed (an interrupted write never leaves one). */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    for (const name of await readdir(this.dir)) {
      if (!/^[a-f0-9]{64}\.json$/.test(name)) continue;
      const rec = await this.readRecord(join(this.dir, name));
      if (rec && `${digestHex(rec.id)}.json` === name) this.records.set(rec.id, rec);
      else {
        this.logger.warn('removing unreadable image record', { file: name });
        await rm(join(this.dir, name), { force: true });
      }
    }
  }

  get(id: string): StoredImage | undefined {
    return this.records.get(id);
  }

  all(): StoredImage[] {
    return [...this.records.values()];
  }

  /** Writes (or replaces) a record. */
  async put(rec: StoredImage): Promise<void> {
    await atomicWriteJson(join(this.dir, `${digestHex(rec.id)}.json`), rec);
    this.records.set(rec.id, rec);
  }

  /** Deletes a record; absent is fine. */
  async delete(id: string): Promise<void> {
    this.records.delete(id);
    await rm(join(this.dir, `${digestHex(id)}.json`), { force: true });
  }

  private async readRecord(path: string): Promise<StoredImage | undefined> {
    try {
      const parsed = StoredImageSchema.safeParse(JSON.parse(await readFile(path, 'utf8')) as unknown);
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
