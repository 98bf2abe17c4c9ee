import assert from 'node:assert/strict';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { buildTar, type TarMember } from '../../../test/fixtures/image/tar.js';
import { copyInfoSourcePath, rebaseArchive, tarResource } from './cp-tar.js';
import { BreakoutError, copyInfoDestinationPath, untarToHost, validateOutputPath } from './cp-untar.js';

async function names(stream: Readable): Promise<string[]> {
  const ex = tar.extract();
  stream.pipe(ex as unknown as NodeJS.WritableStream);
  const out: string[] = [];
  for await (const e of ex) {
    e.resume();
    out.push(`${e.header.type} ${e.header.name}${e.header.linkname ? ` -> ${e.header.linkname}` : ''}`);
  }
  return out;
}

describe('docker cp, local side', () => {
  let top: string;
  before(() => {
    top = mkdtempSync(join(tmpdir(), 'berth-cp-local-'));
  });
  after(() => rmSync(top, { recursive: true, force: true }));

  function caseDir(): { dest: string; outside: string } {
    const base = mkdtempSync(join(top, 'case-'));
    const dest = join(base, 'dest');
    const outside = join(base, 'outside');
    mkdirSync(dest);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'untouched');
    return { dest, outside };
  }

  it('tars a tree as go-archive names it, and a directory\'s contents for /.', async () => {
    const { dest: src } = caseDir();
    mkdirSync(join(src, 'd', 'sub'), { recursive: true });
    writeFileSync(join(src, 'd', 'f'), 'x');
    symlinkSync('f', join(src, 'd', 'l'));
    assert.deepEqual(await names(tarResource(copyInfoSourcePath(join(src, 'd'), false))), [
      'directory d/', 'file d/f', 'symlink d/l -> f', 'directory d/sub/',
    ]);
    assert.deepEqual(await names(tarResource(copyInfoSourcePath(`${join(src, 'd')}/.`, false))), [
      'directory ./', 'file ./f', 'symlink ./l -> f', 'directory ./sub/',
    ]);
    assert.deepEqual(await names(rebaseArchive(tarResource(copyInfoSourcePath(join(src, 'd'), false)), 'd', 'renamed')), [
      'directory renamed/', 'file renamed/f', 'symlink renamed/l -> f', 'directory renamed/sub/',
    ]);
  });

  it('follows a source symlink with -L and renames the copy after the link', () => {
    const { dest: src } = caseDir();
    mkdirSync(join(src, 'real'));
    symlinkSync('real', join(src, 'link'));
    assert.deepEqual(copyInfoSourcePath(join(src, 'link'), true), { path: join(src, 'real'), exists: true, isDir: true, rebaseName: 'link' });
    assert.equal(copyInfoSourcePath(join(src, 'link'), false).isDir, false);
    assert.throws(() => copyInfoSourcePath('/nonexistent-berth', false), { message: 'lstat //nonexistent-berth: no such file or directory' });
  });

  it('resolves the destination like docker and checks the output path', () => {
    const { dest } = caseDir();
    symlinkSync('sub', join(dest, 'to-sub'));
    mkdirSync(join(dest, 'sub'));
    assert.deepEqual(copyInfoDestinationPath(join(dest, 'to-sub')), { path: join(dest, 'sub'), exists: true, isDir: true, rebaseName: '' });
    assert.equal(copyInfoDestinationPath(join(dest, 'new')).exists, false);
    assert.throws(() => copyInfoDestinationPath(join(dest, 'no', 'new')), /no such file or directory/);
    assert.throws(() => validateOutputPath('/nonexistent-berth/x'), { message: 'invalid output path: directory "/nonexistent-berth" does not exist' });
    assert.throws(() => validateOutputPath('/dev/null'), { message: 'invalid output path: "/dev/null" must be a directory or a regular file: got a device' });
  });

  it('extracts files, directories, links and modes', async () => {
    const { dest } = caseDir();
    const mtime = new Date('2022-01-02T03:04:05Z');
    await untarToHost(Readable.from([await buildTar([
      { name: 'd/', type: 'directory', mode: 0o750, mtime },
      { name: 'd/f', content: 'data', mode: 0o4711, mtime },
      { name: 'd/h', type: 'link', linkname: 'd/f' },
      { name: 'd/l', type: 'symlink', linkname: 'f' },
      { name: 'implied/x', content: 'y' },
    ])]), dest);
    assert.equal(lstatSync(join(dest, 'd')).mode & 0o7777, 0o750);
    assert.equal(lstatSync(join(dest, 'd')).mtime.getTime(), mtime.getTime());
    assert.equal(readFileSync(join(dest, 'd', 'f'), 'utf8'), 'data');
    assert.equal(lstatSync(join(dest, 'd', 'f')).nlink, 2);
    assert.equal(readlinkSync(join(dest, 'd', 'l')), 'f');
    assert.equal(readFileSync(join(dest, 'implied', 'x'), 'utf8'), 'y');
  });

  const attacks: Array<[string, (outside: string) => TarMember[]]> = [
    ['a name climbing out', () => [{ name: '../outside/evil', content: 'x' }]],
    ['a relative symlink climbing out', () => [{ name: 'l', type: 'symlink', linkname: '../outside' }]],
    ['a file below a symlink of the same archive', (o) => [{ name: 'l', type: 'symlink', linkname: o }, { name: 'l/secret', content: 'pwned' }]],
    ['a hard link to a file outside', () => [{ name: 'h', type: 'link', linkname: '../outside/secret' }]],
  ];
  for (const [what, members] of attacks) {
    it(`refuses ${what}`, async () => {
      const { dest, outside } = caseDir();
      await assert.rejects(untarToHost(Readable.from([await buildTar(members(outside))]), dest), BreakoutError);
      assert.deepEqual(readdirSync(outside), ['secret']);
      assert.equal(readFileSync(join(outside, 'secret'), 'utf8'), 'untouched');
      assert.equal(lstatSync(join(outside, 'secret')).nlink, 1);
    });
  }

  it('refuses to replace a directory by a file, as docker cp does', async () => {
    const { dest } = caseDir();
    mkdirSync(join(dest, 'd'));
    chmodSync(join(dest, 'd'), 0o755);
    await assert.rejects(untarToHost(Readable.from([await buildTar([{ name: 'd', content: 'x' }])]), dest), {
      message: `cannot overwrite directory "${join(dest, 'd')}" with non-directory "${dest}"`,
    });
    assert.ok(existsSync(join(dest, 'd')), 'the directory stays');
  });
});
