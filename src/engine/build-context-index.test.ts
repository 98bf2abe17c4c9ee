import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ContextIndex } from './build-context-index.js';

const file = (name: string) => ({ name, type: 'file', mode: 0o644 });

test('context index: implied parents, replacement, hard links, digests', () => {
  const ix = new ContextIndex();
  ix.add('a/b/c.txt', file('a/b/c.txt'), [Buffer.from('hi')]);
  assert.equal(ix.lstat('a')?.type, 'dir');
  assert.deepEqual(ix.readdir('a/b'), ['c.txt']);
  assert.equal(ix.lstat('a/b/c.txt')?.digest, '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4');
  ix.add('a/b/d', { name: 'a/b/d', type: 'link', linkname: 'a/b/c.txt' }, undefined);
  assert.equal(ix.lstat('a/b/d')?.data?.toString(), 'hi');
  ix.add('a/b', file('a/b'), [Buffer.from('x')]);
  assert.equal(ix.lstat('a/b/c.txt'), undefined);
  assert.deepEqual(ix.readdir('a'), ['b']);
});

test('context index: symlinks resolve inside the context', () => {
  const ix = new ContextIndex();
  ix.add('dir/f', file('dir/f'), [Buffer.from('x')]);
  ix.add('up', { name: 'up', type: 'symlink', linkname: '../../dir' }, undefined);
  ix.add('abs', { name: 'abs', type: 'symlink', linkname: '/dir/f' }, undefined);
  assert.equal(ix.resolve('up/f'), 'dir/f');
  assert.equal(ix.resolve('abs'), 'dir/f');
  assert.equal(ix.resolve('abs', { followFinal: false }), 'abs');
});

test('context index: content beyond the budget is not kept', () => {
  const ix = new ContextIndex(4);
  ix.add('a', file('a'), [Buffer.from('1234')]);
  ix.add('b', file('b'), [Buffer.from('5')]);
  assert.equal(ix.complete, false);
  assert.equal(ix.lstat('b')?.data, undefined);
  assert.equal(ix.lstat('b')?.size, 1);
});
