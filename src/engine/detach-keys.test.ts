import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachScanner, parseDetachKeys, DEFAULT_DETACH_KEYS } from './detach-keys.js';
import { EngineError } from '../core/index.js';

test('detach keys parse as Docker defines them', () => {
  assert.deepEqual([...parseDetachKeys(DEFAULT_DETACH_KEYS)], [16, 17]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,a,ctrl-_,ctrl-[')], [0, 97, 31, 27]);
  for (const bad of ['', 'ctrl-', 'ctrl-1', 'abc', 'ctrl-p,,']) {
    assert.throws(() => parseDetachKeys(bad), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument', bad);
  }
});

test('the scanner passes input through and stops at the sequence, across chunks', () => {
  const s = new DetachScanner(parseDetachKeys(DEFAULT_DETACH_KEYS));
  assert.deepEqual(s.push(Buffer.from('ls\r')), { forward: Buffer.from('ls\r'), detach: false });
  // ctrl-p alone is held back, then released when not followed by ctrl-q
  assert.deepEqual(s.push(Buffer.from([104, 16])), { forward: Buffer.from('h'), detach: false });
  assert.deepEqual(s.push(Buffer.from('x')), { forward: Buffer.from([16, 120]), detach: false });
  // ctrl-p ctrl-p ctrl-q: the first is data, the last two detach
  assert.deepEqual(s.push(Buffer.from([97, 16])), { forward: Buffer.from('a'), detach: false });
  assert.deepEqual(s.push(Buffer.from([16, 17, 98])), { forward: Buffer.from([16]), detach: true });
});
