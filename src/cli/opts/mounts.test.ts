import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseFlags } from '../flags.js';
import { buildContainerRequest } from './container-config.js';
import { CONTAINER_FLAGS, RUN_ONLY_FLAGS } from './container-flags.js';
import { parseMount, parseTmpfs, parseVolume, parseVolumeSpec } from './mounts.js';

const build = (args: string[]) => {
  const p = parseFlags(args, [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS], { interspersed: false });
  return buildContainerRequest(p, p.positionals[0]!, p.positionals.slice(1), {}, '/cwd', false);
};

test('-v: volumespec sorting of named, bind and anonymous volumes', () => {
  assert.deepEqual(parseVolumeSpec('data:/y:ro'), { source: 'data', target: '/y', type: 'volume' });
  assert.deepEqual(parseVolumeSpec('/x:/y'), { source: '/x', target: '/y', type: 'bind' });
  assert.deepEqual(parseVolumeSpec('~/x:/y'), { source: '~/x', target: '/y', type: 'bind' });
  assert.deepEqual(parseVolumeSpec('/anon'), { source: '', target: '/anon', type: 'volume' });
  assert.deepEqual(parseVolumeSpec('/a'), { source: '', target: '/a', type: 'volume' });
  assert.deepEqual(parseVolumeSpec('c:/x:/y'), { source: 'c:/x', target: '/y', type: 'bind' });
  assert.deepEqual(parseVolume('data:/y:ro', '/cwd'), { kind: 'bind', spec: 'data:/y:ro' });
  assert.deepEqual(parseVolume('./rel/../d:/y:rw,z', '/cwd'), { kind: 'bind', spec: '/cwd/d:/y:rw,z' });
  assert.deepEqual(parseVolume('.:/y', '/cwd'), { kind: 'bind', spec: '/cwd:/y' });
  assert.deepEqual(parseVolume('/anon', '/cwd'), { kind: 'anonymous', target: '/anon' });
});

test('-v: docker client-side spec errors', () => {
  assert.throws(() => parseVolumeSpec(''), { message: 'invalid empty volume spec' });
  assert.throws(() => parseVolumeSpec('ab:/c:ro:x'), { message: 'invalid spec: ab:/c:ro:x: too many colons' });
  assert.deepEqual(parseVolumeSpec('a:b:c:d'), { source: 'a:b', target: 'c:d', type: 'bind' }, 'one-letter sections are drive letters');
  assert.throws(() => parseVolumeSpec('data:'), { message: 'invalid spec: data:: empty section between colons' });
  assert.throws(() => parseVolumeSpec(':/x'), { message: 'invalid spec: :/x: empty section between colons' });
  assert.throws(() => build(['-v', 'ab::c', 'img']), { message: 'invalid spec: ab::c: empty section between colons' });
});

test('-v in the create body: Binds (deduplicated), anonymous Volumes, VolumesFrom, VolumeDriver', () => {
  const b = build(['-v', 'data:/data', '-v', '/host:/h:ro', '-v', 'data:/data', '-v', '/anon', '--volumes-from', 'c1:ro', '--volumes-from', 'c2', 'img']).body;
  assert.deepEqual(b.HostConfig?.Binds, ['data:/data', '/host:/h:ro']);
  assert.deepEqual(b.Volumes, { '/anon': {} });
  assert.deepEqual(b.HostConfig?.VolumesFrom, ['c1:ro', 'c2']);
  assert.equal(b.HostConfig?.VolumeDriver, '');
  const none = build(['img']).body;
  assert.equal(none.HostConfig?.Binds, null);
  assert.equal(none.HostConfig?.VolumesFrom, null);
  assert.deepEqual(none.Volumes, {});
  assert.equal(none.HostConfig?.Mounts, undefined);
  assert.equal(none.HostConfig?.Tmpfs, undefined);
  assert.equal(build(['--volume-driver', 'local', 'img']).body.HostConfig?.VolumeDriver, 'local');
});

test('--mount type=volume: VolumeOptions with NoCopy, Labels and DriverConfig as docker sends them', () => {
  assert.deepEqual(parseMount('type=volume,source=v,target=/d,readonly,volume-nocopy,volume-opt=type=tmpfs,volume-opt=device=tmpfs,volume-label=a=b,volume-driver=local'), {
    Type: 'volume', Source: 'v', Target: '/d', ReadOnly: true,
    VolumeOptions: { NoCopy: true, Labels: { a: 'b' }, DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs' } } },
  });
  assert.deepEqual(parseMount('target=/d,volume-nocopy=false'), { Type: 'volume', Target: '/d', VolumeOptions: { DriverConfig: {} } });
  assert.deepEqual(parseMount('type=volume,src=v,dst=/d,ro=false'), { Type: 'volume', Source: 'v', Target: '/d' });
  assert.deepEqual(parseMount('type=volume,dst=/d,volume-subpath=sub'), { Type: 'volume', Target: '/d', VolumeOptions: { Subpath: 'sub', DriverConfig: {} } });
  assert.deepEqual(parseMount('"type=bind","src=./a",dst=/b', '/cwd'), { Type: 'bind', Source: '/cwd/a', Target: '/b' });
  assert.deepEqual(parseMount('TYPE=Bind,src=/a,dst=/b,bind-propagation=RSlave,consistency=Cached'), {
    Type: 'bind', Source: '/a', Target: '/b', Consistency: 'cached', BindOptions: { Propagation: 'rslave' },
  });
  assert.deepEqual(parseMount('type=bind,src=/a,dst=/b,bind-recursive=enabled'), { Type: 'bind', Source: '/a', Target: '/b' });
  assert.deepEqual(parseMount('type=bind,src=/a,dst=/b,ro,bind-recursive=writable'), { Type: 'bind', Source: '/a', Target: '/b', ReadOnly: true, BindOptions: { ReadOnlyNonRecursive: true } });
});

test('--mount type=tmpfs and --tmpfs', () => {
  assert.deepEqual(parseMount('type=tmpfs,target=/t,tmpfs-size=64m,tmpfs-mode=1777'), { Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 0o1777 } });
  assert.deepEqual(parseTmpfs('/run:size=64m,mode=1777'), ['/run', 'size=64m,mode=1777']);
  const b = build(['--tmpfs', '/run:size=64m,mode=1777', '--tmpfs', '/tmp', '--mount', 'type=tmpfs,dst=/t', 'img']).body;
  assert.deepEqual(b.HostConfig?.Tmpfs, { '/run': 'size=64m,mode=1777', '/tmp': '' });
  assert.deepEqual(b.HostConfig?.Mounts, [{ Type: 'tmpfs', Target: '/t' }]);
});

test('--mount errors with docker wording, raised as flag errors', () => {
  const cases: Array<[string, string]> = [
    ['type=volume,source=v', 'target is required'],
    ['type=,target=/x', 'type is required'],
    ['', 'EOF'],
    ['type=volume,target=/a,tmpfs-size=1m', "cannot mix 'tmpfs-*' options with mount type 'volume'"],
    ['type=bind,src=/a,target=/a,volume-nocopy', "cannot mix 'volume-*' options with mount type 'bind'"],
    ['type=tmpfs,target=/a,bind-propagation=rshared', "cannot mix 'bind-*' options with mount type 'tmpfs'"],
    ['type=tmpfs,target=/a,tmpfs-mode=999', 'invalid value for tmpfs-mode: 999'],
    ['type=tmpfs,target=/a,tmpfs-size=lots', 'invalid value for tmpfs-size: lots'],
    ['target=/a,readonly=yes', 'invalid value for readonly: yes'],
    ['target=/a,volume-nocopy=maybe', 'invalid value for volume-nocopy: maybe'],
    ['target=/a,bogus', "invalid field 'bogus' must be a key=value pair"],
    ['target=/a,bind-create-mountpoint', "invalid field 'bind-create-mountpoint' must be a key=value pair"],
    ['target=/a,foo=bar', "unexpected key 'foo' in 'foo=bar'"],
    ['type=bind,src=/a,dst=/b,bind-recursive=readonly,ro', "option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction"],
    ['type=bind,src=/a,dst=/b,bind-recursive=writable', "option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction"],
  ];
  for (const [value, message] of cases) assert.throws(() => parseMount(value), { message }, value);
  assert.throws(() => build(['--mount', 'type=volume', 'img']), (e: unknown) =>
    e instanceof FlagError && e.message === 'invalid argument "type=volume" for "--mount" flag: target is required');
});
