import { createHash } from 'node:crypto';
import { lutimesSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { invalidArgument, type Logger } from '../../core/index.js';
import { applyEntry, type EntryBody, type TarHeader, type UnpackContext } from './apply-entry.js';
import { decompressStream } from './decompress.js';
import { forEachTarEntry } from './each-entry.js';
import { realUnpackHost, type UnpackHost } from './host.js';
import { KnownDirs } from './member-path.js';

/** The outcome of unpacking one layer. */
export interface UnpackResult {
  /** `sha256:` of the uncompressed tar stream. */
  readonly diffId: string;
  /** Bytes of regular file content. */
  readonly size: number;
}

export interface UnpackOptions {
  logger: Logger;
  host?: UnpackHost;
  signal?: AbortSignal;
}

/**
 * Unpacks a layer tarball (gzip or plain) into `dest`, which must exist and be private to the
 * caller, computing the diff id on the way. Preserves ownership, modes, mtimes, links, device
 * nodes and xattrs; turns OCI whiteouts into overlay ones. Never creates or changes anything
 * outside `dest`: crafted members throw EngineError 'invalid-argument' naming the member.
 */
export async function unpackLayer(src: Readable, dest: string, opts: UnpackOptions): Promise<UnpackResult> {
  const plain = await decompressStream(src, { logger: opts.logger });
  const hash = createHash('sha256');
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const ctx: UnpackContext = {
    root: dest, host: opts.host ?? realUnpackHost, logger: opts.logger, known: new KnownDirs(), dirTimes: [], size: 0,
  };
  await forEachTarEntry(plain, (header, body) => applyEntry(ctx, withPaxOverrides(header as TarHeader), body as unknown as EntryBody), {
    stages: [tap], signal: opts.signal, streamError: asArchiveError,
  });
  for (const { path, mtime } of ctx.dirTimes.reverse()) lutimesSync(path, mtime, mtime);
  return { diffId: `sha256:${hash.digest('hex')}`, size: ctx.size };
}

/** PAX records override the ustar fields they extend (large ids, sub-second mtimes). */
function withPaxOverrides(h: TarHeader): TarHeader {
  const pax = h.pax;
  if (!pax) return h;
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
  const uid = num(pax.uid);
  const gid = num(pax.gid);
  const mtime = num(pax.mtime);
  return {
    ...h,
    ...(uid !== undefined ? { uid } : {}),
    ...(gid !== undefined ? { gid } : {}),
    ...(mtime !== undefined ? { mtime: new Date(mtime * 1000) } : {}),
  };
}

function asArchiveError(err: unknown): Error {
  if (err instanceof Error && 'kind' in err) return err;
  if (err instanceof Error && err.name === 'AbortError') return err;
  const msg = err instanceof Error ? err.message : String(err);
  return invalidArgument(`invalid tar archive: ${msg}`, err);
}
