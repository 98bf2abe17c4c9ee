import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalidArgument, type Logger } from '../../core/index.js';

const GUNZIP_CHUNK = 1024 * 1024;

/** Compression formats recognized by their magic bytes. */
export type Compression = 'none' | 'gzip' | 'zstd' | 'xz' | 'bzip2';

/** Formats Node cannot decompress itself, read through the distribution's tools as Moby does for xz. */
export type ExternalCompression = 'zstd' | 'xz' | 'bzip2';

/** Default paths of the external decompressors (Debian's zstd, xz-utils and bzip2 packages). */
export const DEFAULT_DECOMPRESSORS: Readonly<Record<ExternalCompression, string>> = {
  zstd: '/usr/bin/zstd',
  xz: '/usr/bin/xz',
  bzip2: '/usr/bin/bzip2',
};

export interface DecompressOptions {
  logger?: Logger;
  /** Overrides the external decompressor paths (tests). */
  tools?: Partial<Record<ExternalCompression, string>>;
}

/** Detects the compression of a stream from its first bytes. */
export function sniffCompression(head: Uint8Array): Compression {
  const starts = (...bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (starts(0x1f, 0x8b)) return 'gzip';
  if (starts(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (starts(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (starts(0x42, 0x5a, 0x68)) return 'bzip2';
  return 'none';
}

/**
 * Returns the uncompressed content of a tar stream: plain and gzip are read in-process; zstd, xz
 * and bzip2 through `zstd -dcq` / `xz -dcq` / `bzip2 -dcq` when installed. Throws EngineError
 * 'invalid-argument' when the format's tool is missing; a corrupt stream fails the returned
 * stream with 'invalid-argument'.
 */
export async function decompressStream(src: Readable, opts: DecompressOptions = {}): Promise<Readable> {
  parkErrors(src);
  const { head, ended } = await peekHead(src, 6);
  const kind = sniffCompression(head);
  let tool: string | undefined;
  if (kind !== 'none' && kind !== 'gzip') {
    tool = opts.tools?.[kind] ?? DEFAULT_DECOMPRESSORS[kind];
    if (!isExecutable(tool)) {
      src.destroy();
      throw invalidArgument(`unsupported compression format ${kind}: ${tool} is not installed`);
    }
  }
  // The source itself goes on, its first bytes put back: no stream in between.
  const raw = ended ? Readable.from(head.length > 0 ? [head] : [], { objectMode: false }) : src;
  if (kind === 'none') return raw; // src, its errors parked above (a Readable.from of a buffer has none)
  let out: Readable;
  if (kind === 'gzip') {
    // 1 MiB output chunks: with zlib's default of 16 KiB, the per-chunk round trips through the
    // thread pool cap inflate at ~130 MB/s here; 1 MiB gives ~750 MB/s
    const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
    raw.on('error', (err) => gunzip.destroy(err));
    out = raw.pipe(gunzip);
  } else {
    out = external(kind, tool!, raw, opts.logger);
  }
  if (raw.errored) out.destroy(raw.errored); // failed while its first bytes were being read
  // Stopped early (the consumer failed): release the source too.
  out.on('close', () => {
    if (!src.readableEnded) src.destroy();
  });
  return parkErrors(out);
}

/**
 * A stream can fail while no one listens: between the peek and this function's answer, or
 * before the consumer attached. The error stays on the stream (`errored`), where pipelines and
 * async iteration find it; this listener only keeps it from being an uncaught 'error' event.
 */
function parkErrors(stream: Readable): Readable {
  return stream.on('error', () => undefined);
}

/**
 * Reads at least `n` bytes (fewer at the end) from a paused stream and puts them back, so that
 * the stream still yields everything. `ended`: the stream ended within them (nothing to put back).
 */
async function peekHead(src: Readable, n: number): Promise<{ head: Buffer; ended: boolean }> {
  const chunks: Buffer[] = [];
  let have = 0;
  let ended = false;
  while (have < n) {
    const chunk = src.read() as Buffer | string | null;
    if (chunk !== null) {
      const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      chunks.push(buf);
      have += buf.length;
      continue;
    }
    if (src.readableEnded) {
      ended = true;
      break;
    }
    if (src.errored) throw src.errored;
    if (src.destroyed) throw new Error('stream closed before its first bytes');
    await new Promise<void>((resolve, reject) => {
      const done = (): void => {
        src.off('readable', done).off('end', done).off('close', done).off('error', fail);
        resolve();
      };
      const fail = (err: Error): void => {
        src.off('readable', done).off('end', done).off('close', done).off('error', fail);
        reject(err);
      };
      src.on('readable', done).on('end', done).on('close', done).on('error', fail);
    });
  }
  const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  if (!ended && head.length > 0) src.unshift(head);
  return { head, ended };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Pipes `input` through `tool -d -c -q`; the result fails with 'invalid-argument' if the tool does. */
function external(kind: ExternalCompression, tool: string, input: Readable, logger: Logger | undefined): Readable {
  logger?.debug('spawning decompressor', { tool });
  const child = spawn(tool, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const out = new PassThrough();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    if (stderr.length < 4096) stderr += d.toString();
  });
  child.stdin.on('error', () => undefined); // EPIPE when the tool quits early; its exit status tells why.
  input.on('error', (err) => {
    child.kill('SIGKILL');
    out.destroy(err);
  });
  input.pipe(child.stdin);
  child.stdout.pipe(out, { end: false });
  child.on('error', (err) => out.destroy(invalidArgument(`${kind} decompression failed: ${err.message}`, err)));
  child.on('close', (code, signal) => {
    if (code === 0) out.end();
    else if (!out.destroyed) {
      out.destroy(invalidArgument(`${kind} decompression failed: ${stderr.trim() || `exit ${code ?? signal}`}`));
    }
  });
  out.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return out;
}
