import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readFile, readdir, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { fakeHost } from '../../../test/fixtures/image/fake-host.js';
import { buildTar, type TarMember } from '../../../test/fixtures/image/tar.js';
import { isKind, nullLogger } from '../../core/index.js';
import { unpackLayer } from './unpack-layer.js';

/**
 * Crafted archives must not create or change anything outside the layer dir. Each case runs in
 * base/{layer,sentinel}: afterwards base holds exactly those two, the sentinel is unchanged, and
 * the unpack failed with 'invalid-argument' naming the offending member.
 */
describe('unpackLayer against crafted archives', () => {
  let top: string;
  before(async () => {
    top = await mkdtemp(join(tmpdir(), 'berth-unpack-safety-'));
  });
  after(async () => {
    await rm(top, { recursive: true, force: true });
  });

  async function setup(): Promise<{ base: string; layer: string; sentinel: string }> {
    const base = await mkdtemp(join(top, 'case-'));
    const layer = join(base, 'layer');
    const sentinel = join(base, 'sentinel');
    await mkdir(layer);
    await mkdir(sentinel);
    await writeFile(join(sentinel, 'secret'), 'untouched');
    return { base, layer, sentinel };
  }

  async function assertContained(base: string, sentinel: string): Promise<void> {
    assert.deepEqual((await readdir(base)).sort(), ['layer', 'sentinel']);
    assert.deepEqual(await readdir(sentinel), ['secret']);
    assert.equal(await readFile(join(sentinel, 'secret'), 'utf8'), 'untouched');
    assert.equal((await lstat(join(sentinel, 'secret'))).nlink, 1, 'no hard link to the sentinel was made');
    assert.ok(!(await readdir(top)).some((n) => n.startsWith('evil')), 'nothing written next to the cases');
  }

  async function expectRefused(members: (s: string) => TarMember[], offending: string): Promise<void> {
    const { base, layer, sentinel } = await setup();
    const tarball = await buildTar(members(sentinel));
    await assert.rejects(
      unpackLayer(Readable.from([tarball]), layer, { logger: nullLogger, host: fakeHost() }),
      (err: Error) => {
        assert.ok(isKind(err, 'invalid-argument'), `kind of ${err.message}`);
        assert.ok(err.message.includes(JSON.stringify(offending)), `"${err.message}" names ${offending}`);
        return true;
      },
    );
    await assertContained(base, sentinel);
  }

  it('refuses a member climbing out with ..', async () => {
    await expectRefused(() => [{ name: '../evil', content: 'x' }], '../evil');
  });

  it('refuses a deeper .. escape', async () => {
    await expectRefused(() => [{ name: 'a/../../../evil', content: 'x' }], 'a/../../../evil');
  });

  it('strips a leading / but refuses /.. escapes', async () => {
    await expectRefused(() => [{ name: '/../sentinel/secret', content: 'pwned' }], '/../sentinel/secret');
  });

  it('keeps an absolute member inside the layer', async () => {
    const { base, layer, sentinel } = await setup();
    const tarball = await buildTar([{ name: '/etc/hosts', content: 'inside' }]);
    await unpackLayer(Readable.from([tarball]), layer, { logger: nullLogger, host: fakeHost() });
    assert.equal(await readFile(join(layer, 'etc/hosts'), 'utf8'), 'inside');
    await assertContained(base, sentinel);
  });

  it('refuses a member under a symlinked parent directory', async () => {
    await expectRefused((s) => [
      { name: 'link', type: 'symlink', linkname: s },
      { name: 'link/secret', content: 'pwned' },
    ], 'link/secret');
  });

  it('refuses a symlink in the middle of a path', async () => {
    await expectRefused((s) => [
      { name: 'a/', type: 'directory' },
      { name: 'a/b', type: 'symlink', linkname: `${s}/..` },
      { name: 'a/b/c/evil', content: 'x' },
    ], 'a/b/c/evil');
  });

  it('refuses a member under a hard-linked file used as a directory', async () => {
    await expectRefused(() => [
      { name: 'file', content: 'f' },
      { name: 'hl', type: 'link', linkname: 'file' },
      { name: 'hl/x', content: 'x' },
    ], 'hl/x');
  });

  it('refuses a hard link whose target is outside the layer', async () => {
    await expectRefused(() => [{ name: 'hl', type: 'link', linkname: '../sentinel/secret' }], 'hl');
  });

  it('refuses a hard link reaching outside through a symlink', async () => {
    await expectRefused((s) => [
      { name: 'out', type: 'symlink', linkname: s },
      { name: 'hl', type: 'link', linkname: 'out/secret' },
    ], 'hl');
  });

  it('refuses a relative symlink pointing outside the layer (as Docker does)', async () => {
    await expectRefused(() => [{ name: 'a/s', type: 'symlink', linkname: '../../sentinel' }], 'a/s');
  });

  it('refuses an opaque marker under a symlinked directory', async () => {
    await expectRefused((s) => [
      { name: 'lnk', type: 'symlink', linkname: s },
      { name: 'lnk/.wh..wh..opq', content: '' },
    ], 'lnk/.wh..wh..opq');
  });

  it('refuses a whiteout under a symlinked directory', async () => {
    await expectRefused((s) => [
      { name: 'lnk', type: 'symlink', linkname: s },
      { name: 'lnk/.wh.secret', content: '' },
    ], 'lnk/.wh.secret');
  });

  it('replaces a symlink by a file instead of writing through it', async () => {
    const { base, layer, sentinel } = await setup();
    const tarball = await buildTar([
      { name: 'x', type: 'symlink', linkname: join(sentinel, 'secret') },
      { name: 'x', content: 'new content' },
    ]);
    await unpackLayer(Readable.from([tarball]), layer, { logger: nullLogger, host: fakeHost() });
    assert.equal(await readFile(join(layer, 'x'), 'utf8'), 'new content');
    await assertContained(base, sentinel);
  });

  it('replaces a symlink by a directory instead of following it', async () => {
    const { base, layer, sentinel } = await setup();
    const tarball = await buildTar([
      { name: 'd', type: 'symlink', linkname: sentinel },
      { name: 'd/', type: 'directory' },
      { name: 'd/f', content: 'inside' },
    ]);
    await unpackLayer(Readable.from([tarball]), layer, { logger: nullLogger, host: fakeHost() });
    assert.ok((await lstat(join(layer, 'd'))).isDirectory());
    await assertContained(base, sentinel);
  });
});

describe('unpackLayer formats', () => {
  let top: string;
  before(async () => {
    top = await mkdtemp(join(tmpdir(), 'berth-unpack-fmt-'));
  });
  after(async () => {
    await rm(top, { recursive: true, force: true });
  });

  const members: TarMember[] = [
    { name: 'etc/', type: 'directory' },
    { name: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n' },
    { name: 'bin/busybox', content: 'binary', mode: 0o755 },
    { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
    { name: 'bin/ls', type: 'link', linkname: 'bin/busybox' },
  ];

  for (const gzip of [false, true]) {
    it(`unpacks ${gzip ? 'gzip' : 'plain'} tar and computes the diff id of the uncompressed stream`, async () => {
      const raw = await buildTar(members);
      const input = gzip ? await buildTar(members, { gzip: true }) : raw;
      const dest = await mkdtemp(join(top, 'l-'));
      const res = await unpackLayer(Readable.from([input]), dest, { logger: nullLogger, host: fakeHost() });
      assert.equal(res.diffId, `sha256:${createHash('sha256').update(raw).digest('hex')}`);
      assert.equal(res.size, 'root:x:0:0::/root:/bin/sh\n'.length + 'binary'.length);
      assert.equal(await readlink(join(dest, 'bin/sh')), 'busybox');
      const [a, b] = await Promise.all([lstat(join(dest, 'bin/busybox')), lstat(join(dest, 'bin/ls'))]);
      assert.equal(a.ino, b.ino);
      assert.equal(a.mode & 0o7777, 0o755);
      assert.equal(a.mtime.toISOString(), '2024-01-01T00:00:00.000Z');
    });
  }

  it('reports a truncated archive as invalid-argument', async () => {
    const dest = await mkdtemp(join(top, 't-'));
    const raw = await buildTar([{ name: 'big', content: Buffer.alloc(4096, 1) }]);
    await assert.rejects(
      unpackLayer(Readable.from([raw.subarray(0, 1500)]), dest, { logger: nullLogger, host: fakeHost() }),
      (err: Error) => isKind(err, 'invalid-argument'),
    );
  });

  it('turns OCI whiteouts into overlay ones through the host', async () => {
    const dest = await mkdtemp(join(top, 'w-'));
    const host = fakeHost();
    const raw = await buildTar([
      { name: 'etc/.wh.motd', content: '' },
      { name: 'var/cache/.wh..wh..opq', content: '' },
      { name: '.wh..wh.plnk/', type: 'directory' },
    ]);
    await unpackLayer(Readable.from([raw]), dest, { logger: nullLogger, host });
    assert.deepEqual(host.nodes, [{ path: join(dest, 'etc/motd'), node: { type: 'c', major: 0, minor: 0, mode: 0 } }]);
    assert.deepEqual(host.xattrs, [{ path: join(dest, 'var/cache'), name: 'trusted.overlay.opaque', value: 'y' }]);
    assert.ok(!(await readdir(dest)).includes('.wh..wh.plnk'));
  });

  it('records ownership and PAX xattrs, but never overlay xattrs from the archive', async () => {
    const dest = await mkdtemp(join(top, 'x-'));
    const host = fakeHost();
    const raw = await buildTar([
      { name: 'f', content: 'x', uid: 1000, gid: 50, pax: { 'SCHILY.xattr.user.note': 'hello', 'SCHILY.xattr.trusted.overlay.redirect': '/etc' } },
    ]);
    await unpackLayer(Readable.from([raw]), dest, { logger: nullLogger, host });
    assert.deepEqual(host.chowns, [{ path: join(dest, 'f'), uid: 1000, gid: 50 }]);
    assert.deepEqual(host.xattrs, [{ path: join(dest, 'f'), name: 'user.note', value: 'hello' }]);
  });
});
