/**
 * Writing one tar entry with its content read from an open file, as both ends of the container
 * archive API (the daemon's GET /archive and the CLI's `cp` upload) do.
 */
import { read } from 'node:fs';
import { promisify } from 'node:util';
import type { Pack } from 'tar-stream';
import type { Header } from './tar-header.js';

const readAsync = promisify(read);
const CHUNK = 64 * 1024;

type Sink = ReturnType<Pack['entry']>;

/** Adds one entry; `body` writes its content (exactly header.size bytes). */
export function writeEntry(pack: Pack, header: Header, body?: (sink: Sink) => Promise<void>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
    if (body === undefined) return;
    body(sink).then(() => void sink.end(undefined), (err: unknown) => {
      sink.destroy(err instanceof Error ? err : new Error(String(err)));
      reject(err);
    });
  });
}

/**
 * Copies `size` bytes of the file to the entry: a file that shrank meanwhile is padded with
 * zeros, one that grew is cut, so the archive stays well-formed.
 */
export async function copyExactly(fd: number, size: number, sink: Sink, signal?: AbortSignal): Promise<void> {
  let off = 0;
  while (off < size) {
    signal?.throwIfAborted();
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, size - off));
    const { bytesRead } = await readAsync(fd, buf, 0, buf.length, off);
    if (bytesRead === 0) break;
    off += bytesRead;
    if (!sink.write(buf.subarray(0, bytesRead))) await drained(sink, signal);
  }
  while (off < size) {
    const pad = Buffer.alloc(Math.min(CHUNK, size - off));
    off += pad.length;
    if (!sink.write(pad)) await drained(sink, signal);
  }
}

/** Waits for a streamx writable to drain (or fail, or the signal to abort). */
function drained(sink: Sink, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const done = (err?: unknown): void => {
      sink.off('drain', onDrain);
      sink.off('close', onClose);
      signal?.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onDrain = (): void => done();
    const onClose = (): void => done(new Error('tar entry closed'));
    const onAbort = (): void => done(signal?.reason);
    sink.on('drain', onDrain);
    sink.on('close', onClose);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
