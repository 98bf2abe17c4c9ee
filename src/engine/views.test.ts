import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration } from '../protocol/index.js';
import { statusString } from './views.js';
import { initialState, type ContainerRecord } from './record.js';
import { parseSignal } from './exit-codes.js';
import { startFailureExitCode } from './exit-codes.js';

function rec(state: Partial<ContainerRecord['state']>): ContainerRecord {
  return {
    id: 'a'.repeat(64), name: 'n', created: new Date().toISOString(), path: 'sh', args: [], config: {}, hostConfig: {},
    image: 'sha256:x', state: { ...initialState(), ...state }, restartCount: 0, mounts: [], hasBeenStarted: false,
  };
}

test('human durations follow go-units', () => {
  assert.equal(humanDuration(500), 'Less than a second');
  assert.equal(humanDuration(1000), '1 second');
  assert.equal(humanDuration(45_000), '45 seconds');
  assert.equal(humanDuration(90_000), 'About a minute');
  assert.equal(humanDuration(5 * 60_000), '5 minutes');
  assert.equal(humanDuration(3600_000), 'About an hour');
  assert.equal(humanDuration(5 * 3600_000), '5 hours');
  assert.equal(humanDuration(3 * 86400_000), '3 days');
});

test('status strings as docker ps shows them', () => {
  const now = Date.now();
  assert.equal(statusString(rec({ status: 'created' }), now), 'Created');
  assert.equal(statusString(rec({ status: 'running', startedAt: new Date(now - 3000).toISOString() }), now), 'Up 3 seconds');
  assert.equal(statusString(rec({ status: 'exited', exitCode: 2, finishedAt: new Date(now - 120_000).toISOString() }), now), 'Exited (2) 2 minutes ago');
});

test('signals parse as docker accepts them', () => {
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('term'), 15);
  assert.equal(parseSignal('9'), 9);
  assert.equal(parseSignal('RTMIN+2'), 36);
  assert.equal(parseSignal('NOPE'), undefined);
  assert.equal(parseSignal('99'), undefined);
});

test('start failures map to docker exit codes', () => {
  assert.equal(startFailureExitCode('exec: "nope": executable file not found in $PATH'), 127);
  assert.equal(startFailureExitCode('exec /etc/passwd: permission denied'), 126);
  assert.equal(startFailureExitCode('something else'), 128);
});
