import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseImageRef } from './reference.js';

test('image references normalise like docker', () => {
  assert.deepEqual(parseImageRef('busybox'), { repository: 'docker.io/library/busybox', tag: 'latest', familiar: 'busybox:latest' });
  assert.deepEqual(parseImageRef('me/app:1'), { repository: 'docker.io/me/app', tag: '1', familiar: 'me/app:1' });
  assert.deepEqual(parseImageRef('localhost:5000/x'), { repository: 'localhost:5000/x', tag: 'latest', familiar: 'localhost:5000/x:latest' });
  assert.equal(parseImageRef('busybox@sha256:abc').digest, 'sha256:abc');
});
