import { link, readFile, rename, rm, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { atomicWrite, digestHex, internal, isDigest, notFound, sha256 } from '../../core/index.js';

/**
 * Blobs by digest under `content/blobs/sha256/<hex>` (image configs, manifests).
 * Every blob is verified against its digest on the way in and on the way out.
 */
export class ContentStore {
  constructor(private readonly dir: string) {}

  /** Absolute path of a blob (whether or not it exists). Throws 'internal' on a malformed digest. */
  path(digest: string): string {
    if (!isDigest(digest)) throw internal(`malformed digest ${digest}`);
    return join(this.dir, digestHex(digest));
  }

  /** Whether the blob is stored. */
  async has(digest: string): Promise<boolean> {
    try {
      await stat(this.path(digest));
      return true;
    } catch {
      return false;
    }
  }

  /** Stores bytes (atomically) and returns their digest. */
  async put(data: Uint8Array): Promise<string> {
    const digest = sha256(data);
    if (!(await this.has(digest))) await atomicWrite(this.path(digest), data);
    return digest;
  }

  /**
   * Adopts a file already verified to hash to `digest` (same filesystem): hard-linked in when
   * `keep` is set, else renamed. An existing blob is kept.
   */
  async adopt(file: string, digest: string, opts: { keep?: boolean } = {}): Promise<void> {
    const dest = this.path(digest);
    if (await this.has(digest)) return;
    try {
      if (opts.keep) await link(file, dest);
      else await rename(file, dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }

  /** A read stream of a stored blob (not verified; callers pushing it let the registry verify). */
  stream(digest: string): Readable {
    return createReadStream(this.path(digest));
  }

  /** Size in bytes of a stored blob; throws 'not-found' when absent. */
  async size(digest: string): Promise<number> {
    try {
      return (await stat(this.path(digest))).size;
    } catch {
      throw notFound(`blob ${digest} not found`);
    }
  }

  /** Reads and verifies a blob. Throws 'not-found' when absent, 'internal' when corrupt. */
  async read(digest: string): Promise<Buffer> {
    let data: Buffer;
    try {
      data = await readFile(this.path(digest));
    } catch {
      throw notFound(`blob ${digest} not found`);
    }
    if (sha256(data) !== digest) throw internal(`blob ${digest} is corrupt`);
    return data;
  }

  /** Deletes a blob; absent blobs are fine. */
  async remove(digest: string): Promise<void> {
    await rm(this.path(digest), { force: true });
  }
}
