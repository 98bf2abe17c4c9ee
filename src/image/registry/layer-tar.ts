import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { PassThrough, type Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { getAttribute, listAttributes } from 'fs-xattr';
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

async function walk(pack: Pack, root: string, rel: string, inodes: Map<string, string>, skip: (path: string) => boolean): Promise<void> {
  const names = (await readdir(rel === '' ? root : `${root}/${rel}`)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    if (skip(path)) continue;
    const abs = `${root}/${path}`;
    const st = await lstat(abs);
    await addEntry(pack, abs, path, st, inodes);
    if (st.isDirectory()) {
      if ((await xattrs(abs))[OPAQUE_XATTR] === 'y') {
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
  const pax = st.isSymbolicLink() ? {} : paxOf(await xattrs(abs));
  const h: Headers = { ...base(path, st), ...(Object.keys(pax).length > 0 ? { pax } : {}) };
  if (st.isDirectory()) return entry(pack, { ...h, name: `${path}/`, type: 'directory' });
  if (st.isSymbolicLink()) return entry(pack, { ...h, type: 'symlink', linkname: await readlink(abs) });
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
  const sink = pack.entry({ ...h, type: 'file', size: st.size });
  await pipeline(createReadStream(abs), sink as unknown as Writable);
}

function entry(pack: Pack, h: Headers): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(h, Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
  });
}

async function xattrs(abs: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let names: string[];
  try {
    names = await listAttributes(abs);
  } catch {
    return out;
  }
  for (const name of names.sort()) out[name] = (await getAttribute(abs, name)).toString('utf8');
  return out;
}

function paxOf(attrs: Record<string, string>): Record<string, string> {
  const pax: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs)) if (!k.startsWith('trusted.overlay.')) pax[`SCHILY.xattr.${k}`] = v;
  return pax;
}
