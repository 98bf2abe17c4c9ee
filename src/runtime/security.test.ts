import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import { KNOWN_CAPABILITIES, capabilitiesOfMask, maskOfCapabilities, normalizeCapabilities, tweakCapabilities } from './capabilities.js';
import { DEFAULT_CAPABILITIES } from './defaults.js';
import { parseDeviceCgroupRule, splitDev } from './devices.js';
import { additionalGroups, resolveSecurity, seccompFor } from './security.js';
import type { ContainerPlan } from './types.js';
import { buildSpec, execProcessSpecCaps } from './security-test-helpers.js';

/** A host without CAP_SYS_RESOURCE, as this test machine. */
const HOST = capabilitiesOfMask('000001fffeffffff');
const invalid = (re: RegExp) => (err: unknown) => err instanceof EngineError && err.kind === 'invalid-argument' && re.test(err.message);

test("Docker's default set is a80425fb; masks round-trip", () => {
  assert.equal(maskOfCapabilities(DEFAULT_CAPABILITIES), '00000000a80425fb');
  assert.equal(HOST.length, KNOWN_CAPABILITIES.length - 1);
  assert.ok(!HOST.includes('CAP_SYS_RESOURCE'));
  assert.equal(maskOfCapabilities(HOST), '000001fffeffffff');
});

test('cap names are normalized; unknown and unavailable ones get Docker\'s messages', () => {
  assert.deepEqual(normalizeCapabilities(['net_admin', 'CAP_SYS_ADMIN', 'all'], HOST), ['CAP_NET_ADMIN', 'CAP_SYS_ADMIN', 'ALL']);
  assert.throws(() => normalizeCapabilities(['foo'], HOST), invalid(/^unknown capability: "CAP_FOO"$/));
  assert.throws(() => normalizeCapabilities(['SYS_RESOURCE'], HOST), invalid(/not available in the current environment: "CAP_SYS_RESOURCE"/));
});

test('tweak: add, drop, ALL both ways, privileged = every host capability', () => {
  const t = (req: Parameters<typeof tweakCapabilities>[1]) => tweakCapabilities(DEFAULT_CAPABILITIES, req, HOST);
  assert.deepEqual(t({}), [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(t({ drop: ['ALL'] }), []);
  assert.deepEqual(t({ drop: ['ALL'], add: ['chown'] }), ['CAP_CHOWN']);
  const added = t({ add: ['NET_ADMIN'], drop: ['MKNOD'] });
  assert.ok(added.includes('CAP_NET_ADMIN') && !added.includes('CAP_MKNOD'));
  assert.deepEqual(t({ add: ['ALL'], drop: ['SYS_ADMIN'] }), HOST.filter((c) => c !== 'CAP_SYS_ADMIN'));
  assert.deepEqual(t({ privileged: true, add: ['bogus'] }), HOST);
});

test('device numbers and cgroup rules', () => {
  assert.deepEqual(splitDev(0x103n), { major: 1, minor: 3 });
  assert.deepEqual(splitDev(0x8800n), { major: 136, minor: 0 });
  assert.deepEqual(parseDeviceCgroupRule('c 1:3 rwm'), { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  assert.deepEqual(parseDeviceCgroupRule('a *:* r'), { allow: true, type: 'a', access: 'r' });
  assert.throws(() => parseDeviceCgroupRule('x 1:3 rwm'), invalid(/^invalid device cgroup rule format: 'x 1:3 rwm'$/));
});

test('--group-add: names from /etc/group, numbers as they are', () => {
  const group = 'root:x:0:\nstaff:x:50:berth\n';
  assert.deepEqual(additionalGroups(['staff', '1234', '0'], group), [50, 1234, 0]);
  assert.throws(() => additionalGroups(['nope'], group), invalid(/Unable to find group nope/));
});

test('seccomp: default filter for default caps, rebuilt for others, none when privileged or unconfined', () => {
  const profile = {
    defaultAction: 'SCMP_ACT_ERRNO',
    syscalls: [
      { names: ['read'], action: 'SCMP_ACT_ALLOW' },
      { names: ['sethostname'], action: 'SCMP_ACT_ALLOW', includes: { caps: ['CAP_SYS_ADMIN'] } },
    ],
  };
  const filter = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [] };
  const defaults = { filter, profile };
  assert.equal(seccompFor({}, DEFAULT_CAPABILITIES, defaults), filter);
  const admin = seccompFor({}, [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'], defaults);
  assert.deepEqual(admin?.syscalls?.map((s) => s.names[0]), ['read', 'sethostname']);
  assert.equal(seccompFor({ privileged: true }, HOST, defaults), undefined);
  assert.equal(seccompFor({ seccomp: { mode: 'unconfined' } }, DEFAULT_CAPABILITIES, defaults), undefined);
  const own = seccompFor({ privileged: true, seccomp: { mode: 'profile', profile } }, HOST, defaults);
  assert.equal(own?.syscalls?.length, 2);
});

test('resolveSecurity: --device reads the host node and allows it; privileged allows everything', async () => {
  const r = await resolveSecurity({ devices: [{ pathOnHost: '/dev/null', pathInContainer: '/dev/mynull', permissions: 'rw' }] }, {}, HOST);
  assert.deepEqual(r.devices.map((d) => [d.path, d.type, d.major, d.minor]), [['/dev/mynull', 'c', 1, 3]]);
  assert.deepEqual(r.deviceRules, [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rw' }]);
  await assert.rejects(resolveSecurity({ devices: [{ pathOnHost: '/dev/berth-nope', pathInContainer: '/dev/x', permissions: 'rwm' }] }, {}, HOST),
    invalid(/error gathering device information while adding custom device "\/dev\/berth-nope"/));
  const p = await resolveSecurity({ privileged: true }, {}, HOST);
  assert.deepEqual(p.deviceRules, [{ allow: true, access: 'rwm' }]);
  assert.ok(p.devices.some((d) => d.path === '/dev/null'));
  assert.ok(!p.devices.some((d) => d.path.startsWith('/dev/pts/')));
  assert.deepEqual(p.capabilities, HOST);
});

test('spec: privileged clears masked/readonly paths, /sys and cgroup rw, every device allowed', () => {
  const spec = buildSpec({ security: { privileged: true } }, { deviceRules: [{ allow: true, access: 'rwm' }] });
  assert.deepEqual(spec.linux.maskedPaths, []);
  assert.deepEqual(spec.linux.readonlyPaths, []);
  assert.ok(!spec.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
  assert.ok(!spec.mounts.find((m) => m.type === 'cgroup')?.options?.includes('ro'));
  assert.deepEqual(spec.linux.resources.devices, [{ allow: true, access: 'rwm' }]);
  const plain = buildSpec({}, {});
  assert.ok(plain.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(plain.mounts.find((m) => m.destination === '/sys')?.options?.includes('ro'));
});

test('spec: capabilities, no-new-privileges, devices, group-add, sysctls', () => {
  const spec = buildSpec(
    { security: { noNewPrivileges: true, sysctls: { 'net.core.somaxconn': '1024' }, groupAdd: ['1234'] } },
    {
      capabilities: ['CAP_CHOWN'], groupAdd: [1234],
      devices: [{ path: '/dev/mynull', type: 'c', major: 1, minor: 3 }],
      deviceRules: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }],
    },
  );
  assert.deepEqual(spec.process.capabilities.effective, ['CAP_CHOWN']);
  assert.equal(spec.process.noNewPrivileges, true);
  assert.deepEqual(spec.process.user.additionalGids, [1234]);
  assert.equal(spec.linux.sysctl?.['net.core.somaxconn'], '1024');
  assert.equal(spec.linux.devices?.[0]?.path, '/dev/mynull');
  assert.deepEqual(spec.linux.resources.devices.at(-1), { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' });
  assert.equal(spec.linux.resources.devices[0]?.allow, false);
  assert.equal(spec.annotations?.['io.berth.group-add'], '1234');
});

test('spec: namespaces for --pid/--ipc/--uts host, container: paths, --cgroupns private', () => {
  const types = (security: NonNullable<ContainerPlan['security']>) => buildSpec({ security }, {}).linux.namespaces;
  assert.deepEqual(types({ pid: { mode: 'host' }, ipc: { mode: 'host' }, uts: { mode: 'host' } }).map((n) => n.type), ['mount', 'network']);
  assert.deepEqual(types({ ipc: { mode: 'path', path: '/proc/7/ns/ipc' } }).find((n) => n.type === 'ipc'), { type: 'ipc', path: '/proc/7/ns/ipc' });
  assert.ok(types({ cgroup: { mode: 'private' } }).some((n) => n.type === 'cgroup'));
  const uts = buildSpec({ security: { uts: { mode: 'host' } } }, {});
  assert.equal(uts.hostname, undefined);
  const ipcHost = buildSpec({ security: { ipc: { mode: 'host' } } }, {});
  assert.deepEqual(ipcHost.mounts.find((m) => m.destination === '/dev/shm'), { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'rprivate'] });
  assert.equal(buildSpec({ security: { ipc: { mode: 'none' } } }, {}).mounts.find((m) => m.destination === '/dev/shm'), undefined);
});

test('exec --privileged gets every host capability and keeps no-new-privileges', () => {
  const { plain, privileged } = execProcessSpecCaps(HOST);
  assert.deepEqual(plain.capabilities.effective, [...DEFAULT_CAPABILITIES]);
  assert.deepEqual(privileged.capabilities.bounding, HOST);
  assert.equal(privileged.noNewPrivileges, true);
});
