import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import { checkSecurity, parseSecurityOpts, securityPlan } from './security.js';

const HOST = ['CAP_CHOWN', 'CAP_NET_ADMIN', 'CAP_SYS_ADMIN'];
const kind = (k: string, re: RegExp) => (err: unknown) => err instanceof EngineError && err.kind === k && re.test(err.message);

test('security options as Docker\'s daemon parses them', () => {
  assert.deepEqual(parseSecurityOpts(['no-new-privileges']), { noNewPrivileges: true, seccomp: '' });
  assert.deepEqual(parseSecurityOpts(['no-new-privileges:true', 'no-new-privileges=false']), { noNewPrivileges: false, seccomp: '' });
  assert.equal(parseSecurityOpts(['seccomp=unconfined', 'label=disable', 'apparmor=unconfined', 'label:type:x']).seccomp, 'unconfined');
  assert.throws(() => parseSecurityOpts(['bogus']), kind('invalid-argument', /^invalid --security-opt 1: "bogus"$/));
  assert.throws(() => parseSecurityOpts(['foo=bar']), kind('invalid-argument', /^invalid --security-opt 2: "foo=bar"$/));
  assert.throws(() => parseSecurityOpts(['no-new-privileges=maybe']), kind('invalid-argument', /^invalid --security-opt 2: "no-new-privileges=maybe"$/));
});

test('create-time checks: caps, seccomp JSON, modes, cgroup rules', () => {
  assert.deepEqual(checkSecurity({ CapAdd: ['net_admin'], CapDrop: ['ALL'], SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'] }, HOST), []);
  assert.throws(() => checkSecurity({ CapAdd: ['foo'] }, HOST), kind('invalid-argument', /^invalid CapAdd: unknown capability: "CAP_FOO"$/));
  assert.throws(() => checkSecurity({ CapDrop: ['SYS_TIME'] }, HOST), kind('invalid-argument', /^invalid CapDrop: capability not supported/));
  assert.throws(() => checkSecurity({ SecurityOpt: ['seccomp={bad'] }, HOST), kind('invalid-argument', /^Decoding seccomp profile failed/));
  assert.throws(() => checkSecurity({ IpcMode: 'weird' }, HOST), kind('invalid-argument', /^invalid IPC mode: weird$/));
  assert.throws(() => checkSecurity({ PidMode: 'private' }, HOST), kind('invalid-argument', /^invalid PID mode: private$/));
  assert.throws(() => checkSecurity({ UTSMode: 'x' }, HOST), kind('invalid-argument', /^invalid UTS mode: x$/));
  assert.throws(() => checkSecurity({ CgroupnsMode: 'x' }, HOST), kind('invalid-argument', /^invalid cgroup namespace mode: x$/));
  assert.throws(() => checkSecurity({ DeviceCgroupRules: ['c 1:3'] }, HOST), kind('invalid-argument', /^invalid device cgroup rule format/));
  assert.deepEqual(checkSecurity({ IpcMode: 'container:db', PidMode: 'host', UTSMode: 'host', CgroupnsMode: 'private', UsernsMode: 'host' }, HOST), []);
});

test('the plan from a HostConfig', () => {
  const plan = securityPlan({
    Privileged: true, CapAdd: ['CAP_NET_ADMIN'], SecurityOpt: ['no-new-privileges', 'seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'],
    Devices: [{ PathOnHost: '/dev/null', PathInContainer: '', CgroupPermissions: '' }], GroupAdd: ['1234'],
    Sysctls: { 'net.core.somaxconn': '1024' }, IpcMode: 'container:db', PidMode: 'host', UTSMode: 'host', CgroupnsMode: 'private',
  }, (ref) => (ref === 'db' ? { id: 'd'.repeat(64), pid: 42, ipcMode: 'shareable' } : undefined));
  assert.deepEqual(plan, {
    privileged: true, capAdd: ['CAP_NET_ADMIN'], noNewPrivileges: true,
    seccomp: { mode: 'profile', profile: { defaultAction: 'SCMP_ACT_ALLOW' } },
    devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/null', permissions: 'rwm' }],
    groupAdd: ['1234'], sysctls: { 'net.core.somaxconn': '1024' },
    ipc: { mode: 'path', path: '/proc/42/ns/ipc', shm: { container: 'd'.repeat(64) } }, pid: { mode: 'host' }, uts: { mode: 'host' }, cgroup: { mode: 'private' },
  });
  assert.deepEqual(securityPlan({}, () => undefined), {});
  assert.deepEqual(securityPlan({ IpcMode: 'shareable' }, () => undefined), { ipc: { mode: 'shareable' } });
});

test('joining namespaces: Docker\'s errors for missing, stopped and non-shareable containers', () => {
  const lookup = (ref: string) => ({
    up: { id: 'u'.repeat(64), pid: 7, ipcMode: 'private' },
    host: { id: 'h'.repeat(64), pid: 8, ipcMode: 'host' },
    down: { id: 'o'.repeat(64), pid: 0, ipcMode: 'shareable' },
  } as Record<string, { id: string; pid: number; ipcMode: string }>)[ref];
  assert.throws(() => securityPlan({ PidMode: 'container:gone' }, lookup), kind('invalid-argument', /^failed to join PID namespace: No such container: gone$/));
  assert.throws(() => securityPlan({ PidMode: 'container:down' }, lookup), kind('conflict', /^failed to join PID namespace: container down is not running$/));
  assert.throws(() => securityPlan({ IpcMode: 'container:down' }, lookup), kind('conflict', /^failed to join IPC namespace: container down is not running$/));
  assert.throws(
    () => securityPlan({ IpcMode: 'container:up' }, lookup),
    kind('invalid-argument', /^failed to join IPC namespace: container up: non-shareable IPC \(hint: use IpcMode:shareable for the donor container\)$/),
  );
  // a private IPC namespace is fine for --pid; a host one hands over the host's /dev/shm
  assert.deepEqual(securityPlan({ PidMode: 'container:up' }, lookup).pid, { mode: 'path', path: '/proc/7/ns/pid' });
  assert.deepEqual(securityPlan({ IpcMode: 'container:host' }, lookup).ipc, { mode: 'path', path: '/proc/8/ns/ipc', shm: { host: true } });
});
