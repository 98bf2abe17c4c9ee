import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFlags } from '../flags.js';
import { buildContainerRequest } from './container-config.js';
import { CONTAINER_FLAGS, RUN_ONLY_FLAGS } from './container-flags.js';
import { parseKeyValueFile } from './kv-file.js';
import { parseMount, parseVolume } from './mounts.js';

const build = (args: string[], env: NodeJS.ProcessEnv = {}) => {
  const p = parseFlags(args, [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS], { interspersed: false });
  return buildContainerRequest(p, p.positionals[0]!, p.positionals.slice(1), env, '/cwd', p.bool('detach'));
};

test('run flags stop at the image; command keeps its own flags', () => {
  const r = build(['--rm', '-e', 'A', '-e', 'B=1', 'busybox', 'sh', '-c', 'echo -e x'], { A: 'fromenv' });
  assert.deepEqual(r.body.Cmd, ['sh', '-c', 'echo -e x']);
  assert.deepEqual(r.body.Env, ['A=fromenv', 'B=1']);
  assert.equal(r.body.HostConfig?.AutoRemove, true);
  assert.equal(r.body.AttachStdout, true);
  assert.equal(r.body.AttachStdin, false);
});

test('-e KEY without value in the client env is passed as-is', () => {
  assert.deepEqual(build(['-e', 'NOPE', 'img']).body.Env, ['NOPE']);
});

test('-i sets stdin attach and StdinOnce; -d clears attach', () => {
  const i = build(['-i', 'img']).body;
  assert.equal(i.OpenStdin, true);
  assert.equal(i.StdinOnce, true);
  assert.equal(i.AttachStdin, true);
  const d = build(['-d', '-i', 'img']).body;
  assert.equal(d.AttachStdout, false);
  assert.equal(d.StdinOnce, false);
});

test('env-file: comments, blanks, KEY lookup, verbatim values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-env-'));
  try {
    const f = join(dir, 'env');
    writeFileSync(f, '# comment\n\nA=1\n  B= spaced \nC\nD\n');
    assert.deepEqual(parseKeyValueFile(f, (k) => (k === 'C' ? 'c' : undefined)), ['A=1', 'B= spaced ', 'C=c']);
    assert.deepEqual(build(['--env-file', f, '-e', 'Z=9', 'img']).body.Env, ['A=1', 'B= spaced ', 'Z=9']);
    assert.throws(() => parseKeyValueFile(join(dir, 'missing'), null), /no such file or directory/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('-v binds, named volumes, anonymous volumes, relative paths', () => {
  assert.deepEqual(parseVolume('/x:/y:ro', '/cwd'), { kind: 'bind', spec: '/x:/y:ro' });
  assert.deepEqual(parseVolume('data:/y', '/cwd'), { kind: 'bind', spec: 'data:/y' });
  assert.deepEqual(parseVolume('/anon', '/cwd'), { kind: 'anonymous', target: '/anon' });
  assert.deepEqual(parseVolume('./rel:/y', '/cwd'), { kind: 'bind', spec: '/cwd/rel:/y' });
  const r = build(['-v', '/x:/y', '-v', '/anon', 'img']);
  assert.deepEqual(r.body.HostConfig?.Binds, ['/x:/y']);
  assert.deepEqual(r.body.Volumes, { '/anon': {} });
});

test('--mount parsing', () => {
  assert.deepEqual(parseMount('type=bind,source=/a,target=/b,readonly'), { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true });
  assert.deepEqual(parseMount('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1770'), { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1770 } });
  assert.deepEqual(parseMount('type=volume,src=v,dst=/d,ro=false'), { Type: 'volume', Source: 'v', Target: '/d' });
  assert.throws(() => parseMount('type=bind,source=/a'), /target is required/);
  assert.throws(() => parseMount('type=volume,target=/a,tmpfs-size=1'), /cannot mix/);
});

test('--tmpfs, -p, --entrypoint, labels, stop options', () => {
  const r = build(['--tmpfs', '/r:size=1m', '-p', '8080:80', '--entrypoint', '', '-l', 'a=b', '-l', 'c', '--stop-timeout', '3', '--stop-signal', 'SIGINT', '--read-only', '--init', '--network', 'none', 'img']);
  assert.deepEqual(r.body.HostConfig?.Tmpfs, { '/r': 'size=1m' });
  assert.deepEqual(r.body.HostConfig?.PortBindings, { '80/tcp': [{ HostIp: '', HostPort: '8080' }] });
  assert.deepEqual(r.body.ExposedPorts, { '80/tcp': {} });
  assert.deepEqual(r.body.Entrypoint, ['']);
  assert.deepEqual(r.body.Labels, { a: 'b', c: '' });
  assert.equal(r.body.StopTimeout, 3);
  assert.equal(r.body.StopSignal, 'SIGINT');
  assert.equal(r.body.HostConfig?.ReadonlyRootfs, true);
  assert.equal(r.body.HostConfig?.Init, true);
  assert.equal(r.body.HostConfig?.NetworkMode, 'none');
});

test('invalid --pull', () => {
  assert.throws(() => build(['--pull', 'sometimes', 'img']), /invalid pull option: 'sometimes'/);
});
