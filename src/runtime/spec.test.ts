import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerPlan } from './types.js';
import { buildSpec, tmpfsOptions } from './spec.js';

const root = { uid: 0, gid: 0, additionalGids: [], home: '/root' };

function plan(over: Partial<ContainerPlan> = {}): ContainerPlan {
  return {
    id: 'c'.repeat(64),
    bundleDir: '/run/berth/containers/c',
    lowerDirs: ['/l1'],
    upperDir: '/u',
    workDir: '/w',
    logPath: '/log',
    hostnamePath: '/d/hostname',
    hostsPath: '/d/hosts',
    resolvConfPath: '/d/resolv.conf',
    process: { args: ['sh'], env: ['PATH=/bin'], cwd: '/', user: '', tty: false, openStdin: false },
    hostname: 'box',
    domainname: '',
    mounts: [],
    readonlyRootfs: false,
    init: false,
    network: { mode: 'none' },
    ...over,
  };
}

test('namespaces: private netns by default, none for host networking', () => {
  const types = (p: ContainerPlan): string[] => buildSpec(p, { user: root }).linux.namespaces.map((n) => n.type).sort();
  assert.deepEqual(types(plan()), ['ipc', 'mount', 'network', 'pid', 'uts']);
  assert.deepEqual(types(plan({ network: { mode: 'host' } })), ['ipc', 'mount', 'pid', 'uts']);
});

test("Docker's capabilities in bounding/effective/permitted, none inheritable or ambient", () => {
  const caps = buildSpec(plan(), { user: root }).process.capabilities;
  assert.equal(caps.bounding.length, 14);
  assert.ok(caps.bounding.includes('CAP_NET_BIND_SERVICE') && caps.bounding.includes('CAP_AUDIT_WRITE'));
  assert.ok(!caps.bounding.includes('CAP_SYS_ADMIN'));
  assert.deepEqual(caps.effective, caps.bounding);
  assert.deepEqual(caps.permitted, caps.bounding);
  assert.equal(caps.inheritable, undefined);
  assert.equal(caps.ambient, undefined);
});

test('masked and readonly paths, cgroups path, device rules, no rlimits', () => {
  const s = buildSpec(plan(), { user: root, cgroupParent: '/custom' });
  assert.ok(s.linux.maskedPaths.includes('/proc/kcore') && s.linux.maskedPaths.includes('/sys/devices/virtual/powercap'));
  assert.deepEqual(s.linux.readonlyPaths, ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger']);
  assert.equal(s.linux.cgroupsPath, `/custom/${'c'.repeat(64)}`);
  assert.equal(buildSpec(plan(), { user: root }).linux.cgroupsPath, `/berth/${'c'.repeat(64)}`);
  assert.deepEqual(s.linux.resources.devices[0], { allow: false, access: 'rwm' });
  assert.equal(s.process.rlimits, undefined);
  assert.equal(s.process.noNewPrivileges, false);
  assert.equal(s.process.oomScoreAdj, 0);
  assert.equal(s.linux.seccomp, undefined);
});

test('default mounts, /etc files bound, readonly root follows the plan', () => {
  const s = buildSpec(plan({ readonlyRootfs: true }), { user: root });
  const dests = s.mounts.map((m) => m.destination);
  for (const d of ['/proc', '/dev', '/dev/pts', '/sys', '/sys/fs/cgroup', '/dev/mqueue', '/dev/shm', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf']) {
    assert.ok(dests.includes(d), d);
  }
  const pts = s.mounts.find((m) => m.destination === '/dev/pts');
  assert.ok(pts?.options?.includes('newinstance') && pts.options.includes('ptmxmode=0666') && pts.options.includes('gid=5'));
  const hosts = s.mounts.find((m) => m.destination === '/etc/hosts');
  assert.equal(hosts?.source, '/d/hosts');
  assert.ok(hosts?.options?.includes('ro'));
  assert.equal(s.root.readonly, true);
  assert.deepEqual(s.root, { path: 'rootfs', readonly: true });
});

test('user mounts: bind options, tmpfs defaults, sorted by depth, override defaults', () => {
  const s = buildSpec(
    plan({
      mounts: [
        { type: 'bind', source: '/h/a', destination: '/data/sub', readonly: true },
        { type: 'bind', source: '/h/b', destination: '/data', readonly: false, propagation: 'rshared' },
        { type: 'tmpfs', destination: '/dev/shm', options: ['size=1m'] },
      ],
    }),
    { user: root },
  );
  const user = s.mounts.slice(-3);
  assert.deepEqual(user.map((m) => m.destination), ['/data', '/data/sub', '/dev/shm']);
  assert.deepEqual(user[0]?.options, ['rbind', 'rw', 'rshared']);
  assert.deepEqual(user[1]?.options, ['rbind', 'ro', 'rprivate']);
  assert.deepEqual(user[2]?.options, ['noexec', 'nosuid', 'nodev', 'size=1m']);
  assert.equal(s.mounts.filter((m) => m.destination === '/dev/shm').length, 1);
});

test('tmpfsOptions: exec/suid/dev override the defaults', () => {
  assert.deepEqual(tmpfsOptions(['exec', 'size=1m']), ['nosuid', 'nodev', 'exec', 'size=1m']);
  assert.deepEqual(tmpfsOptions([]), ['noexec', 'nosuid', 'nodev']);
});

test('--init: docker-init bound read-only and prefixed to args', () => {
  const s = buildSpec(plan({ init: true }), { user: root, initPath: '/usr/bin/tini' });
  assert.deepEqual(s.process.args, ['/sbin/docker-init', '--', 'sh']);
  const m = s.mounts.find((x) => x.destination === '/sbin/docker-init');
  assert.equal(m?.source, '/usr/bin/tini');
  assert.ok(m?.options?.includes('ro'));
  assert.throws(() => buildSpec(plan({ init: true }), { user: root }));
});

test('process: user, HOME, cwd, terminal, console size, hostname', () => {
  const s = buildSpec(
    plan({ process: { args: ['x'], env: ['A=1'], cwd: '', user: 'alice', tty: true, openStdin: true, consoleSize: [24, 80] }, hostname: 'h', domainname: 'example.com' }),
    { user: { uid: 1000, gid: 1000, additionalGids: [10], home: '/home/alice' } },
  );
  assert.deepEqual(s.process.user, { uid: 1000, gid: 1000, additionalGids: [10] });
  assert.deepEqual(s.process.env, ['A=1', 'HOME=/home/alice']);
  assert.equal(s.process.cwd, '/');
  assert.equal(s.process.terminal, true);
  assert.deepEqual(s.process.consoleSize, { height: 24, width: 80 });
  assert.equal(s.hostname, 'h');
  assert.equal(s.domainname, 'example.com');
});

test('sysctls for unprivileged ports and ping only with a private netns', () => {
  assert.equal(buildSpec(plan(), { user: root }).linux.sysctl?.['net.ipv4.ip_unprivileged_port_start'], '0');
  assert.deepEqual(buildSpec(plan({ network: { mode: 'host' } }), { user: root }).linux.sysctl, {});
});
