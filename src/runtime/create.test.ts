import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { isKind, nullLogger } from '../core/index.js';
import type { RuntimeContext } from './context.js';
import { createContainer } from './create.js';
import { cleanupContainer } from './cleanup.js';
import { FakeHost } from './fake-host.js';
import { RuntimeCli } from './runc.js';
import { detectRuntime, CGROUP2_SUPER_MAGIC, TMPFS_MAGIC } from './detect.js';
import type { ContainerPlan } from './types.js';

async function setup(): Promise<{ dir: string; host: FakeHost; ctx: RuntimeContext; plan: ContainerPlan }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-create-'));
  const host = new FakeHost();
  const ctx: RuntimeContext = {
    host,
    log: nullLogger,
    cli: new RuntimeCli(host, '/usr/sbin/runc', join(dir, 'runc'), nullLogger),
    execRoot: dir,
    conmonPath: '/usr/bin/conmon',
    initPath: undefined,
    cgroupParent: '/berth',
    seccomp: undefined,
    conmonLogLevel: 'error',
    bundles: new Map(),
    others: new Map(),
  };
  const id = 'a'.repeat(64);
  const plan: ContainerPlan = {
    id,
    bundleDir: join(dir, 'containers', id),
    lowerDirs: [join(dir, 'lower')],
    upperDir: join(dir, 'upper'),
    workDir: join(dir, 'work'),
    logPath: join(dir, 'ctr.log'),
    hostnamePath: '/h',
    hostsPath: '/hh',
    resolvConfPath: '/r',
    process: { args: ['sh'], env: [], cwd: '/', user: '', tty: false, openStdin: false },
    hostname: 'x',
    domainname: '',
    mounts: [],
    readonlyRootfs: false,
    init: false,
    network: { mode: 'none' },
  };
  return { dir, host, ctx, plan };
}

test('create: mounts, writes config.json, spawns conmon in the bundle, returns pids', async () => {
  const { dir, host, ctx, plan } = await setup();
  host.onMonitor = () => {
    // conmon's parent half writes the conmon pid file before it exits
    writeFileSync(join(plan.bundleDir, 'conmon.pid'), '777');
    return { exit: { code: 0, signal: null, stdout: '', stderr: '' }, syncLine: '{"data": 4242}' };
  };
  const created = await createContainer(ctx, plan);
  assert.deepEqual(created, { pid: 4242, conmonPid: 777 });
  const mount = host.calls.find((c) => c.file === 'mount');
  assert.ok(mount?.args.includes('overlay'));
  const mon = host.calls.find((c) => c.kind === 'spawnMonitor');
  assert.equal(mon?.cwd, plan.bundleDir);
  assert.ok(mon?.args.includes('--runtime-arg'));
  assert.ok(existsSync(join(plan.bundleDir, 'config.json')));
  await rm(dir, { recursive: true, force: true });
});

test('create failure: runtime message and kind, then delete + umount + bundle removed', async () => {
  const { dir, host, ctx, plan } = await setup();
  host.onMonitor = () => ({
    exit: { code: 0, signal: null, stdout: '', stderr: '' },
    syncLine: JSON.stringify({
      data: -1,
      message: 'time="x" level=error msg="runc create failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH"\n',
    }),
  });
  host.onRun = (file) =>
    file === '/usr/sbin/runc'
      ? { code: 1, signal: null, stdout: '', stderr: 'container does not exist' }
      : { code: 0, signal: null, stdout: '', stderr: '' };
  await assert.rejects(createContainer(ctx, plan), (e: unknown) => {
    assert.ok(isKind(e, 'invalid-argument'));
    assert.equal((e as Error).message, 'runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH');
    return true;
  });
  const runs = host.calls.filter((c) => c.kind === 'run').map((c) => [c.file, ...c.args].join(' '));
  assert.ok(runs.some((r) => r.includes('delete --force')));
  assert.ok(runs.some((r) => r.startsWith('umount')));
  assert.ok(!existsSync(plan.bundleDir));
  await rm(dir, { recursive: true, force: true });
});

test('cleanup is idempotent when nothing exists', async () => {
  const { dir, host, ctx } = await setup();
  host.onRun = (file) =>
    file === 'umount'
      ? { code: 32, signal: null, stdout: '', stderr: 'umount: x: no mount point specified.' }
      : { code: 1, signal: null, stdout: '', stderr: 'container does not exist' };
  await cleanupContainer(ctx, 'b'.repeat(64));
  await cleanupContainer(ctx, 'b'.repeat(64));
  await rm(dir, { recursive: true, force: true });
});

test('detectRuntime: crun by default; on hybrid hosts with v2 controllers it creates through a mount namespace', async () => {
  const host = new FakeHost();
  host.fsTypes.set('/sys/fs/cgroup', TMPFS_MAGIC);
  host.fsTypes.set('/sys/fs/cgroup/unified', CGROUP2_SUPER_MAGIC);
  const warnings: string[] = [];
  const logger = { ...nullLogger, warn: (m: string) => void warnings.push(m) };

  // hybrid with hugetlb left on v2 (as on these machines): crun, created through the launcher
  host.texts.set('/sys/fs/cgroup/unified/cgroup.controllers', 'hugetlb\n');
  // without a busybox that has unshare, sh and umount: util-linux's unshare and /bin/sh
  const hybrid = await detectRuntime({ host, logger, runtime: 'crun', runtimePath: '/bin/sh' });
  assert.deepEqual([hybrid.name, hybrid.path, hybrid.cgroups], ['crun', '/bin/sh', 'hybrid']);
  assert.ok(hybrid.createLauncher);
  assert.match(hybrid.createLauncher.path, /unshare$/);
  assert.deepEqual(hybrid.createLauncher.args.slice(0, 3), ['--mount', '--propagation', 'slave'], 'nothing propagates back to the host');
  assert.match(hybrid.createLauncher.args.join(' '), /umount -l \/sys\/fs\/cgroup\/unified && exec "\$0" "\$@"/);

  // with one: busybox alone (its umount runs without an exec)
  if (existsSync('/bin/busybox') || existsSync('/usr/bin/busybox')) {
    host.onRun = (file, args) => ({ code: 0, signal: null, stdout: /busybox$/.test(file) && args[0] === '--list' ? 'ls\nsh\numount\nunshare\n' : '', stderr: '' });
    const bb = await detectRuntime({ host, logger, runtime: 'crun', runtimePath: '/bin/sh' });
    assert.match(bb.createLauncher?.path ?? '', /busybox$/);
    assert.deepEqual(bb.createLauncher?.args.slice(0, 5), ['unshare', '--mount', '--propagation', 'slave', bb.createLauncher?.path]);
    assert.deepEqual(bb.createLauncher?.args.slice(5, 7), ['sh', '-c']);
    host.onRun = () => ({ code: 0, signal: null, stdout: '', stderr: '' });
  }

  // hybrid with an empty v2 hierarchy: crun runs directly
  host.texts.set('/sys/fs/cgroup/unified/cgroup.controllers', '\n');
  const plain = await detectRuntime({ host, logger, runtime: 'crun', runtimePath: '/bin/sh' });
  assert.equal(plain.createLauncher, undefined);

  // v2: crun directly; explicit runc: runc
  host.fsTypes.set('/sys/fs/cgroup', CGROUP2_SUPER_MAGIC);
  const v2 = await detectRuntime({ host, logger, runtime: 'crun', runtimePath: '/bin/sh' });
  assert.deepEqual([v2.name, v2.path, v2.createLauncher], ['crun', '/bin/sh', undefined]);
  const runc = await detectRuntime({ host, logger, runtime: 'runc', runtimePath: '/bin/sh' });
  assert.equal(runc.name, 'runc');

  // an explicit crun that is not installed falls back to runc with a warning
  const missing = await detectRuntime({ host, logger, runtime: 'crun', runtimePath: '/nonexistent/crun' });
  assert.equal(missing.name, 'runc');
  assert.equal(warnings.length, 1);
});

test('RuntimeCli.start: crun is started through its exec.fifo, runc (or a crun without the FIFO) by its CLI', async () => {
  const host = new FakeHost();
  const crun = new RuntimeCli(host, '/x/bin/crun', '/x/crun', nullLogger, 'crun');
  host.fifos.add('/x/crun/c1/exec.fifo');
  await crun.start('c1');
  assert.equal(host.calls.length, 0, 'no process for a start through the FIFO');
  assert.equal(host.fifos.has('/x/crun/c1/exec.fifo'), false);

  // no FIFO with a reader: crun start runs and reports what went wrong in its own words
  await crun.start('c2');
  assert.deepEqual(host.calls.map((c) => c.args), [['--root=/x/crun', 'start', 'c2']]);

  const runc = new RuntimeCli(host, '/usr/sbin/runc', '/x/runc', nullLogger, 'runc');
  host.fifos.add('/x/runc/c3/exec.fifo');
  await runc.start('c3');
  assert.deepEqual(host.calls.at(-1)?.args, ['--root=/x/runc', 'start', 'c3']);
});

test('RuntimeCli.createCommand: the launcher, then the runtime binary, then its global flags', () => {
  const host = new FakeHost();
  const launched = new RuntimeCli(host, '/exec/bin/crun', '/exec/crun', nullLogger, 'crun', { path: '/usr/bin/unshare', args: ['--mount', 'sh', '-c', 'x'] });
  assert.deepEqual(launched.createCommand(), { path: '/usr/bin/unshare', args: ['--mount', 'sh', '-c', 'x', '/exec/bin/crun', '--root=/exec/crun'] });
  const direct = new RuntimeCli(host, '/usr/sbin/runc', '/exec/runc', nullLogger, 'runc');
  assert.deepEqual(direct.createCommand(), { path: '/usr/sbin/runc', args: ['--root=/exec/runc'] });
});
