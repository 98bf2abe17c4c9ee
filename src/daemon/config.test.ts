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
  assert.throws(() => loadConfig(['-H', 'tcp://0.0.0.0:2375']), /refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without TLS/);
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

test('tcp hosts: TLS flags and daemon.json keys; plain TCP only on loopback', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-cfg-'));
  try {
    const file = join(dir, 'daemon.json');
    await writeFile(file, JSON.stringify({ hosts: ['tcp://0.0.0.0:2376'], tlsverify: true, tlscacert: '/c/ca.pem', tlscert: '/c/cert.pem', tlskey: '/c/key.pem' }));
    const { config } = loadConfig(['--config-file', file]);
    assert.equal(config.tls, true);
    assert.equal(config.tlsVerify, true);
    assert.equal(config.tlsCaCert, '/c/ca.pem');
    const flags = loadConfig(['-H', 'tcp://127.0.0.1:2376', '--tlsverify', '--tlscacert=/a', '--tlscert', '/b', '--tlskey', '/k']).config;
    assert.deepEqual([flags.tls, flags.tlsCaCert, flags.tlsCert, flags.tlsKey], [true, '/a', '/b', '/k']);
    assert.throws(() => loadConfig(['-H', 'tcp://0.0.0.0:2375']), /refusing to listen on tcp:\/\/0\.0\.0\.0:2375 without TLS/);
    assert.throws(() => loadConfig(['-H', 'tcp://:2375']), /refusing to listen/);
    assert.equal(loadConfig(['-H', 'tcp://127.0.0.1:2375', '-H', 'unix:///tmp/b.sock']).config.hosts.length, 2);
    assert.throws(() => loadConfig(['-H', 'tcp://127.0.0.1:1', '--tls']), /--tls requires --tlscert and --tlskey/);
    assert.throws(() => loadConfig(['-H', 'tcp://127.0.0.1:1', '--tlsverify', '--tlscert', '/b', '--tlskey', '/k']), /--tlsverify requires --tlscacert/);
    assert.throws(() => loadConfig(['-H', 'udp://x']), /invalid host udp:\/\/x/);
    assert.equal(loadConfig(['-H', 'tcp://127.0.0.1:2375', '--tlsverify=false']).config.tlsVerify, false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('listen addresses', async () => {
  const { parseListenAddress, isLoopback } = await import('./config.js');
  assert.deepEqual(parseListenAddress('tcp://127.0.0.1:2376', true), { kind: 'tcp', host: '127.0.0.1', port: 2376 });
  assert.deepEqual(parseListenAddress('tcp://[::1]:99', false), { kind: 'tcp', host: '::1', port: 99 });
  assert.deepEqual(parseListenAddress('tcp://localhost', true), { kind: 'tcp', host: 'localhost', port: 2376 });
  assert.deepEqual(parseListenAddress('tcp://localhost', false), { kind: 'tcp', host: 'localhost', port: 2375 });
  assert.deepEqual(parseListenAddress('unix:///run/x.sock', false), { kind: 'unix', path: '/run/x.sock' });
  assert.ok(isLoopback('127.0.0.2') && isLoopback('::1') && !isLoopback('0.0.0.0') && !isLoopback('10.0.0.1'));
});
