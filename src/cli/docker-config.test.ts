import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { domainOf, eraseCredentials, getCredentials, registryAuthHeader, storeCredentials, DOCKER_HUB_KEY } from './docker-config.js';

test('credentials go to auths as the docker CLI stores them, and come back', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-dockercfg-'));
  try {
    const env = { DOCKER_CONFIG: dir };
    assert.equal(registryAuthHeader(env, 'localhost:5000'), 'e30=');
    assert.deepEqual(storeCredentials(env, 'localhost:5000', 'alice', 's3cret:x'), { path: join(dir, 'config.json'), helper: false });
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    assert.equal(cfg.auths['localhost:5000'].auth, Buffer.from('alice:s3cret:x').toString('base64'));
    assert.deepEqual(getCredentials(env, 'localhost:5000'), { username: 'alice', password: 's3cret:x', serveraddress: 'localhost:5000' });
    const header = JSON.parse(Buffer.from(registryAuthHeader(env, 'localhost:5000'), 'base64url').toString());
    assert.equal(header.username, 'alice');
    storeCredentials(env, 'docker.io', 'bob', 'pw');
    assert.ok(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).auths[DOCKER_HUB_KEY]);
    assert.equal(eraseCredentials(env, 'localhost:5000'), true);
    assert.equal(getCredentials(env, 'localhost:5000'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a credsStore helper is used for get, store and erase', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-dockercfg-'));
  try {
    // a fake docker-credential-test helper keeping one secret in a file
    const helper = join(dir, 'docker-credential-test');
    writeFileSync(helper, `#!/bin/sh\nf=${dir}/store\ncase "$1" in\n  store) cat > "$f" ;;\n  get) [ -f "$f" ] && sed 's/"ServerURL":"[^"]*",//' "$f" || { echo "credentials not found"; exit 1; } ;;\n  erase) rm -f "$f" ;;\nesac\n`);
    chmodSync(helper, 0o755);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ credsStore: 'test' }));
    const env = { DOCKER_CONFIG: dir, PATH: `${dir}:${process.env.PATH}` };
    assert.deepEqual(storeCredentials(env, 'reg.test:5000', 'carol', 'pw2'), { path: join(dir, 'config.json'), helper: true });
    assert.equal(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).auths['reg.test:5000'].auth, undefined);
    assert.deepEqual(getCredentials(env, 'reg.test:5000'), { username: 'carol', password: 'pw2', serveraddress: 'reg.test:5000' });
    // this helper's `get` never reads stdin: a key larger than the socket's buffer makes the write
    // fail with EPIPE every time, which must not hide the answer the helper did give
    const long = `${'a'.repeat(4_000_000)}.test`;
    assert.equal(getCredentials(env, long)?.username, 'carol');
    eraseCredentials(env, 'reg.test:5000');
    assert.equal(getCredentials(env, 'reg.test:5000'), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('registry domains as Docker normalises them', () => {
  assert.equal(domainOf('busybox'), 'docker.io');
  assert.equal(domainOf('docker.io/library/busybox'), 'docker.io');
  assert.equal(domainOf('localhost:5000/a/b'), 'localhost:5000');
  assert.equal(domainOf('ns/app'), 'docker.io');
});
