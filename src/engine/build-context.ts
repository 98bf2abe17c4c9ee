/**
 * The build context on the daemon (moby builder/remotecontext: FromArchive, removeDockerfile).
 * The request body (a tar, maybe compressed) is read once: indexed and hashed in memory
 * (build-context-index.ts) and spooled to one file. Nothing is extracted unless a step needs the
 * context on disk (RUN --mount=type=bind, ADD, content over the memory budget): then the spooled
 * tar is extracted safely into a private directory, once.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, createReadStream, openSync } from 'node:fs';
import { mkdir, open, readFile, readdir, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { EngineError, invalidArgument } from '../core/index.js';
import { contextRelative, hiddenBuildFiles, parseDockerignore } from '../build/index.js';
import { decompressStream } from '../image/index.js';
import { cleanEntryName, extractArchive } from './archive-extract.js';
import type { EntryHeader } from './archive-entry.js';
import { ContextIndex, type ContextEntry } from './build-context-index.js';
import type { SourceRoot } from './build-copy.js';

/** A received build context. */
export interface BuildContext {
  /** The Dockerfile's text. */
  readonly dockerfile: string;
  /** Every member, with digests (and content within the memory budget). */
  readonly index: ContextIndex;
  /** Paths hidden from COPY/ADD (the Dockerfile and .dockerignore when ignored). */
  readonly hidden: ReadonlySet<string>;
  /** The context extracted on disk (done on first call). */
  materialize(): Promise<SourceRoot>;
  /** A private scratch directory path for the build's steps (not created here). */
  readonly workDir: string;
  /** Removes the spool and any extraction. */
  close(): Promise<void>;
}

/** Removes contexts left by an interrupted daemon. */
export async function clearContexts(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, name), { recursive: true, force: true });
}

/**
 * Reads `body` into a context under `parent` and reads the Dockerfile `dockerfileName` (a path
 * inside the context). Throws 'invalid-argument' "Cannot locate specified Dockerfile: NAME" when
 * it is missing, as dockerd does, and for a malformed archive.
 */
export async function openContext(parent: string, body: Readable, dockerfileName: string, signal?: AbortSignal): Promise<BuildContext> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const base = join(parent, randomBytes(8).toString('hex'));
  const spool = `${base}.tar`;
  const dir = base;
  let hidden = new Set<string>();
  let extracted: Promise<SourceRoot> | undefined;
  const close = async (): Promise<void> => {
    await extracted?.catch(() => undefined);
    await Promise.all([rm(spool, { force: true }), rm(dir, { recursive: true, force: true })]);
  };
  const materialize = (): Promise<SourceRoot> => {
    extracted ??= (async () => {
      await mkdir(dir, { mode: 0o755 });
      const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
      try {
        await extractArchive(fd, createReadStream(spool), { dest: '/', noOverwriteDirNonDir: false, ...(signal ? { signal } : {}) });
      } finally {
        closeSync(fd);
      }
      return { dir, isContext: true, hidden };
    })();
    return extracted;
  };
  try {
    const index = await receive(body, spool, signal);
    const read = async (path: string): Promise<string> => {
      const e = index.lstat(index.resolve(path));
      if (e?.type !== 'file') throw Object.assign(new Error('not a file'), { code: 'ENOENT' });
      if (e.data) return e.data.toString('utf8');
      return readFile(join((await materialize()).dir, index.resolve(path)), 'utf8');
    };
    const name = contextRelative(dockerfileName || 'Dockerfile');
    let dockerfile: string;
    try {
      dockerfile = await read(name);
    } catch {
      throw invalidArgument(`Cannot locate specified Dockerfile: ${dockerfileName || 'Dockerfile'}`);
    }
    const ignoreText = index.lstat('.dockerignore')?.type === 'file' ? await read('.dockerignore') : '';
    // the client applied .dockerignore already; the daemon only hides the build files it names
    hidden = new Set(hiddenBuildFiles(parseDockerignore(ignoreText), name));
    return { dockerfile, index, hidden, materialize, close, workDir: `${base}.work` };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Reads the (maybe compressed) tar: indexes it and spools it to `spool` in the same pass. */
async function receive(body: Readable, spool: string, signal?: AbortSignal): Promise<ContextIndex> {
  const index = new ContextIndex();
  const fh = await open(spool, 'wx', 0o600);
  try {
    const plain = await decompressStream(body);
    const extract = tar.extract();
    const feeding = pipeline(plain, spoolTo(fh), extract as unknown as Writable, ...(signal ? [{ signal }] : []));
    feeding.catch(() => undefined);
    try {
      for await (const entry of extract) {
        const h = withPax(entry.header as EntryHeader);
        const name = cleanEntryName(h.name);
        const type = h.type ?? 'file';
        let chunks: Buffer[] | undefined;
        if (type === 'file' || type === 'contiguous-file') {
          chunks = [];
          for await (const c of entry) chunks.push(c as Buffer);
        } else {
          entry.resume();
        }
        index.add(name, h, chunks);
      }
    } catch (err) {
      extract.destroy();
      plain.destroy();
      await feeding.catch(() => undefined);
      throw err;
    }
    await feeding;
  } catch (err) {
    if (err instanceof EngineError || (err instanceof Error && err.name === 'AbortError')) throw err;
    throw invalidArgument(`invalid tar archive: ${err instanceof Error ? err.message : String(err)}`, err);
  } finally {
    await fh.close();
  }
  return index;
}

/** Passes chunks on after writing them to `fh`. */
function spoolTo(fh: FileHandle): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      fh.write(chunk).then(() => cb(null, chunk), cb);
    },
  });
}

/** PAX records override the ustar fields they extend (as archive-extract.ts reads them). */
function withPax(h: EntryHeader): EntryHeader {
  const pax = h.pax;
  if (!pax) return h;
  const num = (v: string | undefined): number | undefined => (v !== undefined && /^\d+(\.\d+)?$/.test(v) ? Number(v) : undefined);
  const uid = num(pax['uid']);
  const gid = num(pax['gid']);
  const mtime = num(pax['mtime']);
  return { ...h, ...(uid !== undefined ? { uid } : {}), ...(gid !== undefined ? { gid } : {}), ...(mtime !== undefined ? { mtime: new Date(mtime * 1000) } : {}) };
}

export type { ContextEntry };
