import assert from 'node:assert/strict';
import {
  chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync,
  utimesSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { buildTar, type TarMember } from '../../test/fixtures/image/tar.js';
import { isKind } from '../core/index.js';
import { archiveContainerPath, containerPath, extractToContainer, statContainerPath, type RootfsProvider } from './archive.js';
import type { ExtractHost } from './archive-extract.js';
import { GO_MODE } from './archive-stat.js';
import type { ContainerRecord } from './record.js';

/** A fake engine whose container root is a temp dir. */
function provider(rootfs: string, rec: Partial<ContainerRecord> = {}): RootfsProvider {
  const full = { config: {}, hostConfig: {}, ...rec } as ContainerRecord;
  return { withRootfs: (_ref, fn) => fn(rootfs, full) };
}

/** Records ownership changes instead of making them (no root needed). */
function fakeHost(): ExtractHost & { owners: string[] } {
  const owners: string[] = [];
  return {
    owners,
    chown(_path, uid, gid) {
      owners.push(`${uid}:${gid}`);
    },
    async mknod() {
      throw new Error('no device nodes in unit tests');
    },
    async setXattr() {},
  };
}

async function tarOf(engine: RootfsProvider, path: string): Promise<{ stat: unknown; entries: Array<tar.Header & { body: string }> }> {
  let stat: unknown;
  const chunks: Buffer[] = [];
  await archiveContainerPath(engine, 'c1', path, (s) => {
    stat = s;
    return new Writable({ write: (c: Buffer, _e, cb) => { chunks.push(c); cb(); } });
  });
  const entries: Array<tar.Header & { body: string }> = [];
  const ex = tar.extract();
  Readable.from([Buffer.concat(chunks)]).pipe(ex as unknown as NodeJS.WritableStream);
  for await (const e of ex) {
    const parts: Buffer[] = [];
    for await (const c of e) parts.push(c as Buffer);
    entries.push({ ...e.header, body: Buffer.concat(parts).toString() });
  }
  return { stat, entries };
}

describe('container paths as moby cleans them', () => {
  it('joins to / and keeps a trailing / or /.', () => {
    assert.equal(containerPath('etc'), '/etc');
    assert.equal(containerPath('/etc/'), '/etc/');
    assert.equal(containerPath('/etc/.'), '/etc/.');
    assert.equal(containerPath('.'), '/.');
    assert.equal(containerPath('/a/../../b'), '/b');
    assert.throws(() => containerPath(''), (e: Error) => isKind(e, 'invalid-argument'));
  });
});

describe('archive: stat and tar of container paths', () => {
  let top: string;
  let rootfs: string;
  let engine: RootfsProvider;
  const mtime = new Date('2024-02-03T04:05:06Z');

  before(() => {
    top = mkdtempSync(join(tmpdir(), 'berth-archive-'));
    rootfs = join(top, 'rootfs');
    mkdirSync(join(rootfs, 'data', 'sub'), { recursive: true });
    writeFileSync(join(rootfs, 'data', 'a.txt'), 'alpha');
    writeFileSync(join(rootfs, 'data', 'sub', 'b.bin'), Buffer.from([0, 1, 2, 255]));
    chmodSync(join(rootfs, 'data', 'sub', 'b.bin'), 0o4751);
    linkSync(join(rootfs, 'data', 'a.txt'), join(rootfs, 'data', 'z-hard'));
    symlinkSync('sub/b.bin', join(rootfs, 'data', 'link'));
    symlinkSync('/', join(rootfs, 'evil'));
    symlinkSync('../../../../tmp/x', join(rootfs, 'climb'));
    mkdirSync(join(rootfs, 'tmp'));
    writeFileSync(join(rootfs, 'tmp', 'x'), 'inside x');
    for (const p of ['data/a.txt', 'data/sub/b.bin', 'data/sub', 'data']) utimesSync(join(rootfs, p), mtime, mtime);
    engine = provider(rootfs);
  });
  after(() => rmSync(top, { recursive: true, force: true }));

  it('stats a directory, a file and a symlink (target resolved in the container)', async () => {
    const dir = await statContainerPath(engine, 'c1', '/data');
    assert.equal(dir.name, 'data');
    assert.equal(dir.mode, GO_MODE.dir + 0o755);
    assert.equal(dir.mtime, '2024-02-03T04:05:06Z');
    const file = await statContainerPath(engine, 'c1', '/data/sub/b.bin');
    assert.equal(file.mode, GO_MODE.setuid + 0o751);
    assert.equal(file.size, 4);
    const evil = await statContainerPath(engine, 'c1', '/evil');
    assert.equal(evil.mode & GO_MODE.symlink, GO_MODE.symlink);
    assert.equal(evil.linkTarget, '/');
    assert.equal((await statContainerPath(engine, 'c1', '/climb')).linkTarget, '/tmp/x');
  });

  it('answers moby\'s not-found error', async () => {
    await assert.rejects(statContainerPath(engine, 'c1', '/nope/x'), (e: Error) => isKind(e, 'not-found') && e.message === 'Could not find the file /nope/x in container c1');
    await assert.rejects(tarOf(engine, '/nope'), (e: Error) => isKind(e, 'not-found'));
  });

  it('tars a directory under its name, in name order, with links and modes', async () => {
    const { entries } = await tarOf(engine, '/data');
    assert.deepEqual(entries.map((e) => `${e.type} ${e.name}`), [
      'directory data/', 'file data/a.txt', 'symlink data/link', 'directory data/sub/', 'file data/sub/b.bin', 'link data/z-hard',
    ]);
    const bin = entries.find((e) => e.name === 'data/sub/b.bin')!;
    assert.equal(bin.mode, 0o4751);
    assert.equal(bin.body, '\u0000\u0001\u0002\ufffd');
    assert.equal(bin.mtime.getTime(), mtime.getTime());
    assert.equal(entries.find((e) => e.name === 'data/link')!.linkname, 'sub/b.bin');
    assert.equal(entries.find((e) => e.name === 'data/z-hard')!.linkname, 'data/a.txt');
  });

  it('tars a directory\'s contents for /. and a symlink as a symlink', async () => {
    const dot = await tarOf(engine, '/data/.');
    assert.deepEqual(dot.entries.map((e) => e.name).slice(0, 3), ['./', './a.txt', './link']);
    const link = await tarOf(engine, '/evil');
    assert.deepEqual(link.entries.map((e) => `${e.type} ${e.name} ${e.linkname}`), ['symlink evil /']);
  });

  it('follows a source symlink inside the container, never to the host', async () => {
    // /evil -> / is the container's root: its tree, named after the link
    const { entries } = await tarOf(engine, '/evil/');
    assert.equal(entries[0]!.name, 'evil/');
    assert.equal(entries.find((e) => e.name === 'evil/tmp/x')?.body, 'inside x');
    // /climb -> ../../../../tmp/x is the container's /tmp/x, a file: a trailing slash fails
    await assert.rejects(tarOf(engine, '/climb/'), { code: 'ENOTDIR' });
  });
});

describe('archive: extraction stays in the target directory', () => {
  let top: string;
  let rootfs: string;
  let sentinel: string;

  before(() => {
    top = mkdtempSync(join(tmpdir(), 'berth-extract-'));
  });
  after(() => rmSync(top, { recursive: true, force: true }));

  function setup(): { rootfs: string; engine: RootfsProvider; host: ReturnType<typeof fakeHost> } {
    const base = mkdtempSync(join(top, 'case-'));
    rootfs = join(base, 'rootfs');
    sentinel = join(base, 'sentinel');
    mkdirSync(sentinel);
    writeFileSync(join(sentinel, 'secret'), 'untouched');
    mkdirSync(join(rootfs, 'dst'), { recursive: true });
    mkdirSync(join(rootfs, 'etc'));
    writeFileSync(join(rootfs, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\nu:x:1234:5678::/:/bin/sh\n');
    symlinkSync('/etc', join(rootfs, 'dst', 'to-etc'));
    return { rootfs, engine: provider(rootfs), host: fakeHost() };
  }

  function assertUntouched(root: string): void {
    assert.deepEqual(readdirSync(sentinel), ['secret']);
    assert.equal(readFileSync(join(sentinel, 'secret'), 'utf8'), 'untouched');
    assert.deepEqual(readdirSync(root).sort(), ['dst', 'etc']);
    assert.deepEqual(readdirSync(join(root, 'etc')), ['passwd']);
  }

  async function put(engine: RootfsProvider, host: ExtractHost, members: TarMember[], opts: { path?: string; gzip?: boolean } = {}): Promise<void> {
    const body = await buildTar(members, { gzip: opts.gzip ?? false });
    await extractToContainer(engine, 'c1', opts.path ?? '/dst', Readable.from([body]), { noOverwriteDirNonDir: true, copyUIDGID: false, host });
  }

  const attacks: Array<[string, (sentinel: string) => TarMember[]]> = [
    ['a name climbing out with ..', () => [{ name: '../evil', content: 'x' }]],
    ['an absolute name climbing out', () => [{ name: '/../../etc/evil', content: 'x' }]],
    ['a file through a symlink to / made by the same archive', () => [
      { name: 'l', type: 'symlink', linkname: '/' }, { name: 'l/etc/evil', content: 'x' }]],
    ['a file through a relative symlink climbing out', () => [
      { name: 'l', type: 'symlink', linkname: '../../../../..' }, { name: 'l/evil', content: 'x' }]],
    ['a file through a symlink naming a host path', (s) => [
      { name: 'l', type: 'symlink', linkname: s }, { name: 'l/secret', content: 'pwned' }]],
    ['a file through a symlink already in the container', () => [{ name: 'to-etc/evil', content: 'x' }]],
    ['a hard link to a file outside', () => [{ name: 'h', type: 'link', linkname: '../etc/passwd' }]],
    ['a hard link through a symlink', () => [{ name: 'h', type: 'link', linkname: 'to-etc/passwd' }]],
  ];
  for (const [what, members] of attacks) {
    it(`refuses ${what}`, async () => {
      const { rootfs: r, engine, host } = setup();
      await assert.rejects(put(engine, host, members(sentinel)), (e: Error) => isKind(e, 'invalid-argument'));
      assertUntouched(r);
    });
  }

  it('extracts files, directories, links and modes, creating missing parents', async () => {
    const { rootfs: r, engine, host } = setup();
    const mtime = new Date('2023-05-06T07:08:09Z');
    await put(engine, host, [
      { name: 'tree/', type: 'directory', mode: 0o750, uid: 1234, gid: 5678, mtime },
      { name: 'tree/run.sh', content: '#!/bin/sh\necho hi\n', mode: 0o4755, mtime },
      { name: 'tree/rel', type: 'symlink', linkname: '../../../../outside' },
      { name: 'tree/hard', type: 'link', linkname: 'tree/run.sh', mode: 0o4755 },
      { name: 'implied/deep/file', content: 'x', mode: 0o600 },
    ], { gzip: true });
    const tree = join(r, 'dst', 'tree');
    assert.equal(lstatSync(tree).mode & 0o7777, 0o750);
    assert.equal(lstatSync(tree).mtime.getTime(), mtime.getTime());
    assert.equal(readFileSync(join(tree, 'run.sh'), 'utf8'), '#!/bin/sh\necho hi\n');
    assert.equal(lstatSync(join(tree, 'run.sh')).mode & 0o7777, 0o4755);
    assert.equal(lstatSync(join(tree, 'run.sh')).nlink, 2);
    assert.equal(readlinkSync(join(tree, 'rel')), '../../../../outside');
    assert.equal(lstatSync(join(r, 'dst', 'implied', 'deep')).mode & 0o7777, 0o755);
    assert.equal(host.owners.filter((o) => o === '1234:5678').length, 1, host.owners.join(' '));
    assertUntouched(r);
  });

  it('follows symlinks that stay in the directory', async () => {
    const { rootfs: r, engine, host } = setup();
    await put(engine, host, [
      { name: 'sub', type: 'directory' }, { name: 'ls', type: 'symlink', linkname: 'sub' }, { name: 'ls/f', content: 'via link' },
    ]);
    assert.equal(readFileSync(join(r, 'dst', 'sub', 'f'), 'utf8'), 'via link');
  });

  it('extracts through a destination symlink into its target inside the container', async () => {
    const { rootfs: r, engine, host } = setup();
    await put(engine, host, [{ name: 'group', content: 'root:x:0:\n' }], { path: '/dst/to-etc' });
    assert.equal(readFileSync(join(r, 'etc', 'group'), 'utf8'), 'root:x:0:\n');
  });

  it('gives moby\'s errors for the destination and overwrite conflicts', async () => {
    const { engine, host } = setup();
    await assert.rejects(put(engine, host, [{ name: 'f', content: 'x' }], { path: '/nope' }),
      (e: Error) => isKind(e, 'not-found') && e.message === 'Could not find the file /nope in container c1');
    await assert.rejects(put(engine, host, [{ name: 'f', content: 'x' }], { path: '/etc/passwd' }),
      (e: Error) => isKind(e, 'invalid-argument') && e.message === 'extraction point is not a directory');
    await put(engine, host, [{ name: 'd', type: 'directory' }]);
    await assert.rejects(put(engine, host, [{ name: 'd', content: 'x' }]),
      (e: Error) => e.message === 'cannot overwrite directory "/dst/d" with non-directory "/dst"');
    const ro = provider(rootfs, { hostConfig: { ReadonlyRootfs: true } });
    await assert.rejects(put(ro, host, [{ name: 'f', content: 'x' }]), (e: Error) => e.message === 'container rootfs is marked read-only');
  });

  it('logs moby\'s archive-path and extract-to-dir events', async () => {
    const { rootfs: r, host } = setup();
    const events: string[] = [];
    const rec = { id: 'c1id', name: 'c1', image: 'sha256:x', config: { Image: 'busybox', Labels: { l: 'v' } }, hostConfig: {} } as unknown as ContainerRecord;
    const engine: RootfsProvider = {
      withRootfs: (_ref, fn) => fn(r, rec),
      events: { emit: (type, action, id, attrs) => events.push(`${type} ${action} ${id} ${JSON.stringify(attrs)}`) },
    };
    await extractToContainer(engine, 'c1', '/dst', Readable.from([await buildTar([{ name: 'f', content: 'x' }])]), { noOverwriteDirNonDir: true, copyUIDGID: false, host });
    await tarOf(engine, '/dst/f');
    assert.deepEqual(events, [
      'container extract-to-dir c1id {"l":"v","image":"busybox","name":"c1"}',
      'container archive-path c1id {"l":"v","image":"busybox","name":"c1"}',
    ]);
  });

  it('gives everything to the container user with copyUIDGID', async () => {
    const { rootfs: r, host } = setup();
    const engine = provider(r, { config: { User: 'u' } });
    const body = await buildTar([{ name: 'owned', content: 'x', uid: 1, gid: 2 }]);
    await extractToContainer(engine, 'c1', '/dst', Readable.from([body]), { noOverwriteDirNonDir: true, copyUIDGID: true, host });
    assert.deepEqual(host.owners, ['1234:5678']);
    assert.ok(existsSync(join(r, 'dst', 'owned')), 'owned extracted');
  });

  it('refuses a truncated archive', async () => {
    const { engine, host } = setup();
    const body = (await buildTar([{ name: 'f', content: 'x'.repeat(2000) }])).subarray(0, 1000);
    const pt = new PassThrough();
    pt.end(body);
    await assert.rejects(extractToContainer(engine, 'c1', '/dst', pt, { noOverwriteDirNonDir: true, copyUIDGID: false, host }));
  });
});
