import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, ConfigError } from './config.js';
import { acquireLock, LockHeldError } from './lock.js';

test('flags override daemon.json, which overrides defaults', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cfg-'));
  try {
    const file = join(dir, 'daemon.json');
    await writeFile(file, JSON.stringify({ 'data-root': '/from/file', 'log-level': 'warn', 'log-opts': { 'max-size': '1m' } }));
    const { config } = loadConfig(['--config-file', file, '--log-level=debug', '-H', 'unix:///tmp/x.sock', '--exec-root', '/tmp/e']);
    assert.equal(config.dataRoot, '/from/file');
    assert.equal(config.logLevel, 'debug');
    assert.deepEqual(config.hosts, ['unix:///tmp/x.sock']);
    assert.equal(config.pidfile, '/tmp/e/berthd.pid');
    assert.deepEqual(config.logOpts, { 'max-size': '1m' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('detach-keys in daemon.json is checked at start', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cfg-'));
  try {
    const file = join(dir, 'daemon.json');
    await writeFile(file, JSON.stringify({ 'detach-keys': 'ctrl-x,x' }));
    assert.equal(loadConfig(['--config-file', file]).config.detachKeys, 'ctrl-x,x');
    await writeFile(file, JSON.stringify({ 'detach-keys': 'ctrl-1' }));
    assert.throws(() => loadConfig(['--config-file', file]), /invalid "detach-keys"/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('registry settings from daemon.json and flags add up', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cfg-'));
  try {
    const file = join(dir, 'daemon.json');
    await writeFile(file, JSON.stringify({ 'insecure-registries': ['reg.test:5000'], 'registry-mirrors': ['https://mirror.test'] }));
    const { config } = loadConfig(['--config-file', file, '--insecure-registry', 'other.test:80']);
    assert.deepEqual(config.insecureRegistries, ['reg.test:5000', 'other.test:80']);
    assert.deepEqual(config.registryMirrors, ['https://mirror.test']);
    await writeFile(file, JSON.stringify({ 'insecure-registries': 'reg.test' }));
    assert.throws(() => loadConfig(['--config-file', file]), /insecure-registries/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('bad flags and files give clear errors', () => {
  assert.throws(() => loadConfig(['--nope']), ConfigError);
  assert.throws(() => loadConfig(['--log-level', 'loud']), /unable to parse logging level/);
  assert.throws(() => loadConfig(['--config-file', '/nonexistent/daemon.json']), /unable to read config file/);
  assert.throws(() => loadConfig(['-H', 'tcp://0.0.0.0:2375']), /unix:\/\//);
});

test('the data-root lock admits one daemon and is taken over when stale', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-lock-'));
  try {
    const path = join(dir, 'berthd.lock');
    await writeFile(path, '999999\n'); // a pid that is not running
    const release = acquireLock(path);
    // a live owner (pid 1) blocks
    release();
    await writeFile(path, '1\n');
    assert.throws(() => acquireLock(path), LockHeldError);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
