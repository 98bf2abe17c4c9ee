import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync, closeSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind } from '../core/index.js';
import { ScopedRoot, at, isWithin as containedPath, removeAt } from './archive-scope.js';

/**
 * Lookups inside a container root (a temp dir here) with hostile symlinks: whatever the links
 * say, a lookup ends inside the root, as the kernel would resolve it in a chroot there.
 */
describe('archive-scope: lookups inside a root', () => {
  let top: string;
  let rootDir: string;
  let outside: string;
  let root: ScopedRoot;

  before(() => {
    top = mkdtempSync(join(tmpdir(), 'berth-scope-'));
    rootDir = join(top, 'root');
    outside = join(top, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'host secret');
    mkdirSync(join(rootDir, 'etc'), { recursive: true });
    writeFileSync(join(rootDir, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    mkdirSync(join(rootDir, 'a', 'b'), { recursive: true });
    writeFileSync(join(rootDir, 'a', 'b', 'file'), 'in a/b');
    writeFileSync(join(rootDir, 'file'), 'plain');
    symlinkSync('/', join(rootDir, 'abs'));
    symlinkSync('../../../../tmp/x', join(rootDir, 'up'));
    symlinkSync('../../../../../../../..', join(rootDir, 'climb'));
    symlinkSync('a/b', join(rootDir, 'rel'));
    symlinkSync('loop2', join(rootDir, 'loop1'));
    symlinkSync('loop1', join(rootDir, 'loop2'));
    symlinkSync(outside, join(rootDir, 'hostpath'));
    symlinkSync('/etc/passwd', join(rootDir, 'a', 'pw'));
    symlinkSync('../../etc', join(rootDir, 'a', 'b', 'etc'));
    root = ScopedRoot.open(rootDir);
  });
  after(() => {
    root.close();
    rmSync(top, { recursive: true, force: true });
  });

  it('resolves absolute links against the root', () => {
    assert.equal(root.resolve('/abs'), '/');
    assert.equal(root.resolve('/abs/etc/passwd'), '/etc/passwd');
    assert.equal(root.resolve('/a/pw'), '/etc/passwd');
  });

  it('never climbs above the root with ..', () => {
    assert.equal(root.resolve('/up'), '/tmp/x');
    assert.equal(root.resolve('/climb'), '/');
    assert.equal(root.resolve('/climb/etc/passwd'), '/etc/passwd');
    assert.equal(root.resolve('/../../../etc/passwd'), '/etc/passwd');
  });

  it('resolves relative links from where they are', () => {
    assert.equal(root.resolve('/rel/file'), '/a/b/file');
    assert.equal(root.resolve('/a/b/etc/passwd'), '/etc/passwd');
  });

  it('looks an absolute host path up inside the root, not on the host', () => {
    assert.equal(root.resolve('/hostpath/secret'), `${outside}/secret`);
    assert.throws(() => root.locate('/hostpath/secret', { followFinal: true, missing: 'throw' }), { code: 'ENOENT' });
  });

  it('reads what a followed link names inside the root', () => {
    assert.equal(contentOf(root, '/abs/etc/passwd'), 'root:x:0:0::/root:/bin/sh\n');
    assert.equal(contentOf(root, '/climb/file'), 'plain');
  });

  it('keeps a final symlink unless asked to follow it or the path ends in / or /.', () => {
    const l = root.locate('/abs', { followFinal: false, missing: 'throw' });
    assert.equal(l.stat?.isSymbolicLink(), true);
    assert.equal(l.path, '/abs');
    l.close();
    for (const p of ['/abs/', '/abs/.']) {
      const d = root.locate(p, { followFinal: false, missing: 'throw' });
      assert.equal(d.path, '/', p);
      assert.equal(d.stat?.isDirectory(), true, p);
      d.close();
    }
    const r = root.locate('/rel', { followFinal: true, missing: 'throw' });
    assert.equal(r.path, '/a/b');
    r.close();
  });

  it('fails like the kernel: ELOOP, ENOTDIR, ENOENT', () => {
    assert.throws(() => root.locate('/loop1', { followFinal: true, missing: 'throw' }), { code: 'ELOOP' });
    assert.throws(() => root.locate('/file/x', { followFinal: false, missing: 'throw' }), { code: 'ENOTDIR' });
    assert.throws(() => root.locate('/file/', { followFinal: false, missing: 'throw' }), { code: 'ENOTDIR' });
    assert.throws(() => root.locate('/nope/x', { followFinal: false, missing: 'throw' }), { code: 'ENOENT' });
    const missing = root.locate('/a/nope', { followFinal: false, missing: 'throw' });
    assert.equal(missing.stat, undefined);
    missing.close();
  });

  it('creates missing directories only under the allowed directory', () => {
    const made = root.locate('/a/new/deeper/leaf', { followFinal: true, missing: 'create', createUnder: '/a' });
    assert.equal(made.path, '/a/new/deeper/leaf');
    made.close();
    assert.ok(existsSync(join(rootDir, 'a', 'new', 'deeper')), 'a/new/deeper was made');
    assert.throws(
      () => root.locate('/abs/made-by-escape/x', { followFinal: true, missing: 'create', createUnder: '/a' }),
      (err: Error) => isKind(err, 'invalid-argument'),
    );
    assert.ok(!existsSync(join(rootDir, 'made-by-escape')), 'nothing made outside /a');
  });

  it('answers the containing directory for contained paths', () => {
    assert.equal(containedPath('/a/b', '/a'), true);
    assert.equal(containedPath('/ab', '/a'), false);
    assert.equal(containedPath('/anything', '/'), true);
  });

  it('removes a tree without following the symlinks in it', () => {
    mkdirSync(join(rootDir, 'trash', 'sub'), { recursive: true });
    symlinkSync(outside, join(rootDir, 'trash', 'sub', 'to-outside'));
    symlinkSync(join(outside, 'secret'), join(rootDir, 'trash', 'secret-link'));
    const fd = openSync(rootDir, 'r');
    try {
      removeAt(fd, 'trash');
    } finally {
      closeSync(fd);
    }
    assert.ok(!existsSync(join(rootDir, 'trash')), 'trash removed');
    assert.deepEqual(readdirSync(outside), ['secret']);
    assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'host secret');
  });
});

function contentOf(root: ScopedRoot, path: string): string {
  const loc = root.locate(path, { followFinal: true, missing: 'throw' });
  try {
    return readFileSync(at(loc.dir, loc.name), 'utf8');
  } finally {
    loc.close();
  }
}
