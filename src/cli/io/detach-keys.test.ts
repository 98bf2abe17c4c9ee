import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DetachProxy, parseDetachKeys } from './detach-keys.js';

test('detach key specs', () => {
  assert.deepEqual(parseDetachKeys('ctrl-p,ctrl-q'), [16, 17]);
  assert.deepEqual(parseDetachKeys('ctrl-@,a'), [0, 97]);
  assert.throws(() => parseDetachKeys('ctrl-pp'), /Invalid detach keys/);
});

test('detach proxy holds back partial matches and detaches on the full sequence', () => {
  const p = new DetachProxy([16, 17]);
  assert.deepEqual(p.feed(Buffer.from([97, 16])), { forward: Buffer.from([97]), detached: false });
  assert.deepEqual(p.feed(Buffer.from([98])), { forward: Buffer.from([16, 98]), detached: false });
  assert.deepEqual(p.feed(Buffer.from([16, 17, 99])), { forward: Buffer.from([]), detached: true });
});
