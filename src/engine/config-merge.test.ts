import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commandOf, mergeConfig, mergeEnv, DEFAULT_PATH } from './config-merge.js';
import { EngineError } from '../core/index.js';

test('request env overrides image env by key, keeping order', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4']), ['A=1', 'B=3', 'C=4']);
});

test('entrypoint in the request drops the image cmd', () => {
  const c = mergeConfig({ Image: 'x', Entrypoint: ['/bin/echo'] }, { Cmd: ['sh'], Entrypoint: ['/init'] }, 'x');
  assert.deepEqual(c.Entrypoint, ['/bin/echo']);
  assert.equal(c.Cmd, null);
});

test('empty entrypoint string clears the image entrypoint', () => {
  const c = mergeConfig({ Image: 'x', Entrypoint: [''], Cmd: ['ls'] }, { Entrypoint: ['/init'] }, 'x');
  assert.equal(c.Entrypoint, null);
  assert.deepEqual(commandOf(c), { path: 'ls', args: [] });
});

test('image cmd, workdir, user and labels are inherited; PATH defaulted', () => {
  const c = mergeConfig({ Image: 'x', Labels: { b: '2' } }, { Cmd: ['sh'], WorkingDir: '/w', User: 'nobody', Labels: { a: '1' } }, 'x');
  assert.deepEqual(c.Cmd, ['sh']);
  assert.equal(c.WorkingDir, '/w');
  assert.equal(c.User, 'nobody');
  assert.deepEqual(c.Labels, { a: '1', b: '2' });
  assert.deepEqual(c.Env, [DEFAULT_PATH]);
});

test('no command at all is a 400', () => {
  const c = mergeConfig({ Image: 'x' }, {}, 'x');
  assert.throws(() => commandOf(c), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument');
});
