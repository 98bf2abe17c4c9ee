import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeCapabilities, parseDevice, parseSecurityOpts, validateDevice, validateDeviceCgroupRule, validateSysctl } from './security.js';

test('--device as docker parses it', () => {
  assert.deepEqual(parseDevice('/dev/null'), { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' });
  assert.deepEqual(parseDevice('/dev/null:/dev/mynull'), { PathOnHost: '/dev/null', PathInContainer: '/dev/mynull', CgroupPermissions: 'rwm' });
  assert.deepEqual(parseDevice('/dev/null:r'), { PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'r' });
  assert.deepEqual(parseDevice('/dev/null:/dev/x:rw'), { PathOnHost: '/dev/null', PathInContainer: '/dev/x', CgroupPermissions: 'rw' });
  assert.throws(() => validateDevice(':/dev/x'), /bad format for path: :\/dev\/x/);
  assert.throws(() => validateDevice('/dev/a:/dev/b:rwx'), /bad mode specified: rwx/);
  assert.throws(() => validateDevice('/dev/a:rel'), /rel is not an absolute path/);
});

test('--device-cgroup-rule and --sysctl checks', () => {
  assert.equal(validateDeviceCgroupRule('c 1:3 rwm'), 'c 1:3 rwm');
  assert.throws(() => validateDeviceCgroupRule('c 1:3'), /invalid device cgroup format 'c 1:3'/);
  assert.equal(validateSysctl('net.core.somaxconn=1024'), 'net.core.somaxconn=1024');
  assert.equal(validateSysctl('kernel.shmmax=1'), 'kernel.shmmax=1');
  assert.throws(() => validateSysctl('kernel.panic=1'), /sysctl 'kernel.panic=1' is not allowed/);
});

test('--security-opt: a seccomp file is sent as compacted JSON; values are required', () => {
  const read = (p: string) => {
    if (p === '/p.json') return '{ "defaultAction": "SCMP_ACT_ALLOW" }\n';
    throw new Error('no such file');
  };
  assert.deepEqual(parseSecurityOpts(['seccomp=/p.json', 'seccomp=unconfined', 'no-new-privileges'], read),
    ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}', 'seccomp=unconfined', 'no-new-privileges']);
  assert.throws(() => parseSecurityOpts(['seccomp=/nope'], read), /opening seccomp profile \(\/nope\) failed/);
  assert.throws(() => parseSecurityOpts(['label'], read), /Invalid --security-opt: "label"/);
});

test('capabilities are sent normalized, as docker\'s client does', () => {
  assert.deepEqual(normalizeCapabilities(['net_admin', 'CAP_NET_ADMIN', 'all', 'chown']), ['ALL', 'CAP_CHOWN', 'CAP_NET_ADMIN']);
  assert.equal(normalizeCapabilities(null), null);
});
