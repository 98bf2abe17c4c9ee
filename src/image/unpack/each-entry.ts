/**
 * Drives a tar stream through an entry handler, one entry at a time, with the error rule both
 * layer unpacking and the archive API need: an entry that failed to apply is the cause; otherwise
 * a broken stream is, reported through `streamError`.
 */
import type { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';

/** A tar entry's body as tar-stream hands it out. */
export type TarEntryBody = Readable;

export async function forEachTarEntry(
  source: Readable,
  apply: (header: tar.Header, body: TarEntryBody) => Promise<void>,
  opts: { stages?: Transform[]; signal?: AbortSignal | undefined; streamError: (err: unknown) => unknown },
): Promise<void> {
  const extract = tar.extract();
  let feedError: unknown;
  const streams: Array<NodeJS.ReadableStream | NodeJS.WritableStream | NodeJS.ReadWriteStream> = [
    source, ...(opts.stages ?? []), extract as unknown as Writable,
  ];
  const feeding = pipeline(streams, opts.signal ? { signal: opts.signal } : {})
    .catch((err: unknown) => {
      feedError = err;
    });
  let applying = false;
  try {
    for await (const entry of extract) {
      applying = true;
      await apply(entry.header, entry as unknown as TarEntryBody);
      applying = false;
    }
  } catch (err) {
    extract.destroy();
    source.destroy();
    await feeding;
    throw !applying && feedError !== undefined ? opts.streamError(feedError) : err;
  }
  await feeding;
  if (feedError !== undefined) throw opts.streamError(feedError);
}
