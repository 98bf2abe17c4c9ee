import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CopyError, getRebaseName, goBase, goClean, goDir, preserveTrailingDotOrSeparator, prepareArchiveCopy, rebaseName, splitCpArg,
  splitPathDirEntry, type CopyInfo,
} from './cp-paths.js';

const info = (path: string, exists: boolean, isDir: boolean, rebase = ''): CopyInfo => ({ path, exists, isDir, rebaseName: rebase });

describe('docker cp path rules', () => {
  it('splits CONTAINER:PATH unless the argument is a local path', () => {
    assert.deepEqual(splitCpArg('c1:/etc/hosts'), { container: 'c1', path: '/etc/hosts' });
    assert.deepEqual(splitCpArg('/abs/file:name'), { container: '', path: '/abs/file:name' });
    assert.deepEqual(splitCpArg('./file:name'), { container: '', path: './file:name' });
    assert.deepEqual(splitCpArg('file'), { container: '', path: 'file' });
    assert.deepEqual(splitCpArg('c1:'), { container: 'c1', path: '' });
  });

  it('cleans like Go', () => {
    assert.equal(goClean('/a/./b/../c/'), '/a/c');
    assert.equal(goClean('../../x'), '../../x');
    assert.equal(goClean('/../x'), '/x');
    assert.equal(goClean(''), '.');
    assert.equal(goBase('/a/b/'), 'b');
    assert.equal(goBase('/'), '/');
    assert.equal(goBase('/a/.'), '.');
    assert.equal(goDir('/a/b'), '/a');
    assert.equal(goDir('b'), '.');
    assert.equal(goDir('/'), '/');
  });

  it('keeps a trailing / or /. and splits off the last element', () => {
    assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/.'), '/a/b/.');
    assert.equal(preserveTrailingDotOrSeparator('/a/b', 'a/b/'), '/a/b/');
    assert.equal(preserveTrailingDotOrSeparator('/', '/.'), '/.');
    assert.deepEqual(splitPathDirEntry('/a/b/.'), ['/a/b', '.']);
    assert.deepEqual(splitPathDirEntry('/a/b/'), ['/a', 'b']);
    assert.deepEqual(getRebaseName('/link/', '/target/dir'), { resolved: '/target/dir/', rebaseName: 'link' });
    assert.deepEqual(getRebaseName('/same', '/x/same'), { resolved: '/x/same', rebaseName: '' });
  });

  it('extracts into an existing directory as is', () => {
    assert.deepEqual(prepareArchiveCopy(info('/src/dir', true, true), info('/dst', true, true)), { dstDir: '/dst' });
  });

  it('renames to a new destination name in its parent', () => {
    assert.deepEqual(prepareArchiveCopy(info('/src/dir', true, true), info('/dst/new', false, false)),
      { dstDir: '/dst', rebase: { from: 'dir', to: 'new' } });
    assert.deepEqual(prepareArchiveCopy(info('/src/f', true, false), info('/dst/g', true, false)),
      { dstDir: '/dst', rebase: { from: 'f', to: 'g' } });
    assert.deepEqual(prepareArchiveCopy(info('/src/d/.', true, true), info('/dst/new', false, false)),
      { dstDir: '/dst', rebase: { from: '.', to: 'new' } });
  });

  it('refuses a directory onto a file and a file into a missing directory', () => {
    assert.throws(() => prepareArchiveCopy(info('/src/dir', true, true), info('/dst/file', true, false)), new CopyError('cannot copy directory'));
    assert.throws(() => prepareArchiveCopy(info('/src/f', true, false), info('/dst/nodir/', false, false)), new CopyError('no such directory'));
  });

  it('rebases the first occurrence of a name, / as nothing', () => {
    assert.equal(rebaseName('dir/a/dir', 'dir', 'new'), 'new/a/dir');
    assert.equal(rebaseName('./x', '.', 'new'), 'new/x');
    assert.equal(rebaseName('/bin/', '/', 'root'), 'root/bin/');
  });
});
