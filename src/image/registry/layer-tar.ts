import { createReadStream, lstatSync, readFileSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getAttributeSync, listAttributesSync } from 'fs-xattr';
import tar, { type Header, type Pack } from 'tar-stream';

type Headers = Partial<Header> & Pick<Header, 'name'>;

const OPAQUE_XATTR = 'trusted.overlay.opaque';

/** Options of layerTar. */
export interface LayerTarOptions {
  /** Leaves out a path (relative, no leading slash) and, for a directory, all below it. */
  skip?: (path: string) => boolean;
}

/**
 * A deterministic tar of a layer's diff dir, as Moby's archive package writes one for a layer:
 * entries sorted by path, ownership, mode, mtime and xattrs kept, hard links as links, overlay
 * whiteouts (char 0/0) as `.wh.<name>` and opaque dirs as `.wh..wh..opq`. Errors fail the stream.
 */
export function layerTar(root: string, opts: LayerTarOptions = {}): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  const walking = walk(pack, root, '', new Map(), opts.skip ?? (() => false)).then(() => pack.finalize());
  walking.catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  pipeline(pack, out).catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

// File system calls are synchronous: each is a few microseconds, where an fs/promises round trip
// through libuv's threadpool costs tens, and a layer has thousands of entries. Small files are
// read whole; the event loop still turns between entries (each waits for the pack).
const SMALL_FILE = 1024 * 1024;

async function walk(pack: Pack, root: string, rel: string, inodes: Map<string, string>, skip: (path: string) => boolean): Promise<void> {
  const names = readdirSync(rel === '' ? root : `${root}/${rel}`).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if (skip(path)) continue;
    const abs = `${root}/${path}`;
    const st = lstatSync(abs);
    await addEntry(pack, abs, path, st, inodes);
    if (st.isDirectory()) {
      if (xattrs(abs)[OPAQUE_XATTR] === 'y') {
        await entry(pack, { ...base(`${path}/.wh..wh..opq`, st), type: 'file', size: 0, mode: 0 });
      }
      await walk(pack, root, path, inodes, skip);
    }
  }
}

function base(name: string, st: Stats): Headers {
  return { name, uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000) };
}

async function addEntry(pack: Pack, abs: string, path: string, st: Stats, inodes: Map<string, string>): Promise<void> {
  if (st.isCharacterDevice() && st.rdev === 0) {
    const slash = path.lastIndexOf('/');
    const wh = `${path.slice(0, slash + 1)}.wh.${path.slice(slash + 1)}`;
    await entry(pack, { ...base(wh, st), type: 'file', size: 0, mode: 0 });
    return;
  }
  const pax = st.isSymbolicLink() ? {} : paxOf(xattrs(abs));
  const h: Headers = { ...base(path, st), ...(Object.keys(pax).length > 0 ? { pax } : {}) };
  if (st.isDirectory()) return entry(pack, { ...h, name: `${path}/`, type: 'directory' });
  if (st.isSymbolicLink()) return entry(pack, { ...h, type: 'symlink', linkname: readlinkSync(abs) });
  if (st.isFIFO()) return entry(pack, { ...h, type: 'fifo' });
  if (st.isCharacterDevice() || st.isBlockDevice()) {
    return entry(pack, {
      ...h, type: st.isCharacterDevice() ? 'character-device' : 'block-device',
      devmajor: Math.floor(st.rdev / 256) & 0xfff, devminor: (st.rdev & 0xff) | ((Math.floor(st.rdev / 4096)) & ~0xff),
    });
  }
  if (!st.isFile()) return;
  const key = `${st.dev}:${st.ino}`;
  const first = st.nlink > 1 ? inodes.get(key) : undefined;
  if (first !== undefined) return entry(pack, { ...h, type: 'link', linkname: first });
  if (st.nlink > 1) inodes.set(key, path);
  if (st.size <= SMALL_FILE) {
    const data = readFileSync(abs);
    // a file that changed size meanwhile would make a bad tar: say so as the stream would
    if (data.length !== st.size) throw new Error(`${abs}: size changed while reading`);
    return entry(pack, { ...h, type: 'file', size: data.length }, data);
  }
  const sink = pack.entry({ ...h, type: 'file', size: st.size });
  await pipeline(createReadStream(abs), sink as unknown as Writable);
}

function entry(pack: Pack, h: Headers, data: Buffer = Buffer.alloc(0)): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(h, data, (err) => (err ? reject(err) : resolve()));
  });
}

function xattrs(abs: string): Record<string, string> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = listAttributesSync(abs);
  } catch {
    return out;
  }
  for (const name of names.sort()) out[name] = getAttributeSync(abs, name).toString('utf8');
  return out;
}

function paxOf(attrs: Record<string, string>): Record<string, string> {
  const pax: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('trusted.overlay.')) pax[`SCHILY.xattr.${k}`] = v;
  return pax;
}
