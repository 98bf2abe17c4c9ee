import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { posix, join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { invalidArgument } from '../../core/index.js';
import { decompressStream } from '../unpack/index.js';

/** A regular file of the outer archive, saved to the spool dir. */
export interface SpooledFile {
  readonly file: string;
  readonly digest: string;
  readonly size: number;
}

/** The members of a spooled archive, by cleaned path (`manifest.json`, `blobs/sha256/…`). */
export class SpooledArchive {
  constructor(
    private readonly files: ReadonlyMap<string, SpooledFile>,
    private readonly links: ReadonlyMap<string, string>,
  ) {}

  /** Looks a member up, following the archive's own symlinks (old `docker save` uses them). */
  get(name: string): SpooledFile | undefined {
    let cur = cleanName(name);
    for (let hops = 0; cur !== undefined && hops < 16; hops++) {
      const file = this.files.get(cur);
      if (file) return file;
      const target = this.links.get(cur);
      if (target === undefined) return undefined;
      cur = target.startsWith('/') ? cleanName(target) : cleanName(posix.join(posix.dirname(cur), target));
    }
    return undefined;
  }

  /** Like get() but throws 'invalid-argument' naming the missing member. */
  require(name: string): SpooledFile {
    const f = this.get(name);
    if (!f) throw invalidArgument(`invalid archive: missing ${JSON.stringify(name)}`);
    return f;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
}

function cleanName(name: string): string | undefined {
  const n = posix.normalize(name.replace(/^\/+/, '')).replace(/\/+$/, '');
  return n === '..' || n.startsWith('../') ? undefined : n;
}

/**
 * Streams an archive (plain or gzip) to numbered files in `dir`, hashing each on the way, so
 * nothing of it is held in memory. Member names never become paths.
 */
export async function spoolArchive(src: Readable, dir: string, opts: { signal?: AbortSignal } = {}): Promise<SpooledArchive> {
  const plain = await decompressStream(src);
  const extract = tar.extract();
  const files = new Map<string, SpooledFile>();
  const links = new Map<string, string>();
  let feedError: unknown;
  const feeding = pipeline(plain, extract as unknown as Writable, ...(opts.signal ? [{ signal: opts.signal }] : []))
    .catch((err: unknown) => {
      feedError = err;
    });
  let saving = false;
  try {
    for await (const entry of extract) {
      saving = true;
      const name = cleanName(entry.header.name);
      if (name !== undefined && (entry.header.type === 'file' || entry.header.type === 'contiguous-file')) {
        const file = join(dir, String(files.size));
        const hash = createHash('sha256');
        const fh = await open(file, 'wx', 0o600);
        try {
          const chunks = (entry as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
          for (;;) {
            let next: IteratorResult<Uint8Array>;
            try {
              next = await chunks.next();
            } catch (err) {
              throw archiveError(err);
            }
            if (next.done) break;
            hash.update(next.value);
            await fh.write(next.value);
          }
        } finally {
          await fh.close();
        }
        files.set(name, { file, digest: `sha256:${hash.digest('hex')}`, size: entry.header.size });
      } else {
        if (name !== undefined && entry.header.type === 'symlink') links.set(name, entry.header.linkname);
        entry.resume();
      }
      saving = false;
    }
  } catch (err) {
    extract.destroy();
    await feeding;
    throw !saving && feedError !== undefined ? archiveError(feedError) : err;
  }
  await feeding;
  if (feedError !== undefined) throw archiveError(feedError);
  return new SpooledArchive(files, links);
}

function archiveError(err: unknown): Error {
  if (err instanceof Error && (err.name === 'AbortError' || 'kind' in err)) return err;
  const msg = err instanceof Error ? err.message : String(err);
  return invalidArgument(`invalid archive: ${msg}`, err);
}
