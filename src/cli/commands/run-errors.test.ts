import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startErrorCode } from './run-errors.js';

test('exit code mapping of start errors (docker runStartContainerErr)', () => {
  assert.equal(startErrorCode('Error response from daemon: failed to create shim task: exec: "/nonexist": stat /nonexist: no such file or directory: unknown'), 127);
  assert.equal(startErrorCode('exec: "foo": executable file not found in $PATH'), 127);
  assert.equal(startErrorCode('exec: "/etc": permission denied: unknown'), 126);
  assert.equal(startErrorCode('read /x: is a directory'), 126);
  assert.equal(startErrorCode('Error response from daemon: Conflict. The container name "/dup" is already in use'), 125);
});
