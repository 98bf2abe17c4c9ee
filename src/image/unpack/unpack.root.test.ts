import assert from 'node:assert/strict';
import { lstat, mkdir, mkdtemp, readlink, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { getAttribute } from 'fs-xattr';
import { buildTar } from '../../../test/fixtures/image/tar.js';
import { nullLogger } from '../../core/index.js';
import { unpackLayer } from './unpack-layer.js';

/** Unpacking with the real host: needs root (chown, mknod, trusted.* xattrs). */
describe('unpackLayer (root)', () => {
  let top: string;
  let dest: string;
  const t = new Date('2023-05-06T07:08:09Z');
  before(async () => {
    top = await mkdtemp(join(tmpdir(), 'berth-unpack-root-'));
    dest = join(top, 'layer');
    await mkdir(dest);
    const raw = await buildTar([
      { name: './', type: 'directory', mode: 0o755 },
      { name: 'home/berth/', type: 'directory', mode: 0o750, uid: 1000, gid: 1000, mtime: t },
      { name: 'home/berth/file', content: 'x', mode: 0o4755, uid: 1000, gid: 50, mtime: t },
      { name: 'tmp/', type: 'directory', mode: 0o1777 },
      { name: 'bin/sh', type: 'symlink', linkname: '/bin/busybox', uid: 1000, gid: 1000, mtime: t },
      { name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3, mode: 0o666, mtime: t },
      { name: 'dev/loop9', type: 'block-device', devmajor: 7, devminor: 9, mode: 0o660 },
      { name: 'run/fifo', type: 'fifo', mode: 0o600 },
      { name: 'x/attr', content: 'a', pax: { 'SCHILY.xattr.user.berth': 'v1', 'SCHILY.xattr.trusted.berth': 'v2' } },
      { name: 'etc/.wh.gone', content: '', uid: 5, gid: 6 },
      { name: 'var/lib/.wh..wh..opq', content: '' },
    ], { gzip: true });
    await unpackLayer(Readable.from([raw]), dest, { logger: nullLogger });
  });
  after(async () => {
    await rm(top, { recursive: true, force: true });
  });

  it('preserves ownership, set-id and sticky modes, and mtimes', async () => {
    const d = await stat(join(dest, 'home/berth'));
    assert.deepEqual([d.uid, d.gid, d.mode & 0o7777], [1000, 1000, 0o750]);
    assert.equal(d.mtime.toISOString(), t.toISOString());
    const f = await stat(join(dest, 'home/berth/file'));
    assert.deepEqual([f.uid, f.gid, f.mode & 0o7777], [1000, 50, 0o4755]);
    assert.equal((await stat(join(dest, 'tmp'))).mode & 0o7777, 0o1777);
  });

  it('creates symlinks with their own owner and mtime', async () => {
    const l = await lstat(join(dest, 'bin/sh'));
    assert.ok(l.isSymbolicLink());
    assert.equal(await readlink(join(dest, 'bin/sh')), '/bin/busybox');
    assert.deepEqual([l.uid, l.gid], [1000, 1000]);
    assert.equal(l.mtime.toISOString(), t.toISOString());
  });

  it('creates character, block and fifo nodes', async () => {
    const c = await lstat(join(dest, 'dev/null'));
    assert.ok(c.isCharacterDevice());
    assert.equal(c.rdev, (1 << 8) | 3);
    assert.equal(c.mode & 0o7777, 0o666);
    const b = await lstat(join(dest, 'dev/loop9'));
    assert.ok(b.isBlockDevice());
    assert.equal(b.rdev, (7 << 8) | 9);
    assert.ok((await lstat(join(dest, 'run/fifo'))).isFIFO());
  });

  it('sets PAX xattrs', async () => {
    assert.equal((await getAttribute(join(dest, 'x/attr'), 'user.berth')).toString(), 'v1');
    assert.equal((await getAttribute(join(dest, 'x/attr'), 'trusted.berth')).toString(), 'v2');
  });

  it('writes overlay whiteouts and opaque markers', async () => {
    const w = await lstat(join(dest, 'etc/gone'));
    assert.ok(w.isCharacterDevice());
    assert.equal(w.rdev, 0);
    assert.deepEqual([w.uid, w.gid], [5, 6]);
    assert.equal((await getAttribute(join(dest, 'var/lib'), 'trusted.overlay.opaque')).toString(), 'y');
  });
});
