/**
 * Integration tests with real runc + conmon + overlayfs (root). Each container gets a unique id;
 * everything is removed in `after` (runtime delete, umount, rm), and no mounts may remain.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isKind, nullLogger } from '../core/index.js';
import { createRuntime } from './index.js';
import type { ContainerPlan, ContainerRuntime, ExitStatus } from './index.js';
import { cleanupRuntimeTest, makeBusyboxRootfs, makePlan, testRuntime } from './test-rootfs.js';

let dir: string;
let execRoot: string;
let dataDir: string;
let lower: string;
let rt: ContainerRuntime;
const created: string[] = [];

before(async () => {
  dir = await mkdtemp('/tmp/berth-rt-');
  execRoot = join(dir, 'exec');
  dataDir = join(dir, 'data');
  lower = await makeBusyboxRootfs(dir);
  rt = await createRuntime({ execRoot, logger: nullLogger, cgroupParent: `/berth-test-${process.pid}`, runtime: testRuntime() });
  if (testRuntime() !== 'auto') assert.equal(rt.name, testRuntime());
});

after(() => cleanupRuntimeTest(rt, created, dir, `/berth-test-${process.pid}`));

async function plan(args: string[], over: Partial<ContainerPlan> = {}): Promise<ContainerPlan> {
  const p = await makePlan(execRoot, dataDir, lower, { args, ...over });
  created.push(p.id);
  return p;
}

interface RunOutput {
  stdout: string;
  stderr: string;
  status: ExitStatus;
  createMs: number;
  startMs: number;
}

/** create → attach → start → collect output → exit status. */
async function run(p: ContainerPlan, stdin?: (write: (s: string) => void, close: () => void) => void): Promise<RunOutput> {
  const t0 = performance.now();
  await rt.create(p);
  const createMs = performance.now() - t0;
  const conn = await rt.attach(p.id);
  let stdout = '';
  let stderr = '';
  conn.onData((s, d) => {
    if (s === 1) stdout += d.toString();
    else stderr += d.toString();
  });
  const exited = new Promise<ExitStatus>((resolve) => rt.onExit(p.id, resolve));
  const t1 = performance.now();
  await rt.start(p.id);
  const startMs = performance.now() - t1;
  stdin?.(
    (s) => conn.write(Buffer.from(s)),
    () => conn.closeStdin(),
  );
  const status = await exited;
  await new Promise<void>((r) => conn.onClose(r));
  return { stdout, stderr, status, createMs, startMs };
}

describe('lifecycle', () => {
  test('hello: attach output, k8s-file log, exit 0, fast create+start', async () => {
    const p = await plan(['echo', 'hello']);
    // warm-up (first runc/conmon exec pulls binaries into the page cache)
    const r = await run(p);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.status.exitCode, 0);
    assert.equal(r.status.oomKilled, false);
    const log = await readFile(p.logPath, 'utf8');
    assert.match(log, /^\S+ stdout F hello$/m);
    assert.deepEqual(await rt.exitStatus(p.id), r.status);
    assert.equal(await rt.pid(p.id), undefined);
    const again = await run(await plan(['true']));
    console.log(`# create ${again.createMs.toFixed(1)} ms, start ${again.startMs.toFixed(1)} ms`);
    assert.ok(again.createMs + again.startMs < 1000);
    await rt.cleanup(p.id);
    assert.ok(!existsSync(p.bundleDir));
    await rt.cleanup(p.id); // idempotent
  });

  test('exit code 3 and stderr', async () => {
    const r = await run(await plan(['sh', '-c', 'echo oops >&2; exit 3']));
    assert.equal(r.status.exitCode, 3);
    assert.equal(r.stderr, 'oops\n');
  });

  test('command not found: runtime message, invalid-argument, nothing left behind', async () => {
    const p = await plan(['nope']);
    await assert.rejects(rt.create(p), (e: unknown) => {
      assert.ok(isKind(e, 'invalid-argument'), String(e));
      assert.match((e as Error).message, /exec: "nope": executable file not found in \$PATH/);
      return true;
    });
    assert.ok(!existsSync(p.bundleDir));
    assert.ok(!(await readFile('/proc/mounts', 'utf8')).includes(p.bundleDir));
  });

  test('onExit subscribed after the exit still fires', async () => {
    const p = await plan(['true']);
    await run(p);
    const s = await new Promise<ExitStatus>((r) => rt.onExit(p.id, r));
    assert.equal(s.exitCode, 0);
  });
});

describe('process settings', () => {
  test('-u 1000:1000 and a named user with groups and HOME', async () => {
    const a = await run(await plan(['id'], { process: { ...(await plan(['x'])).process, args: ['id'], user: '1000:1000' } }));
    assert.match(a.stdout, /^uid=1000\(alice\) gid=1000\(alice\)/);
    const p = await plan(['sh', '-c', 'id; echo $HOME']);
    p.process.user = 'alice';
    const b = await run(p);
    assert.match(b.stdout, /uid=1000\(alice\) gid=1000\(alice\) groups=.*10\(wheel\).*29\(audio\)/);
    assert.match(b.stdout, /\/home\/alice\n$/);
    const bad = await plan(['id']);
    bad.process.user = 'nobody';
    await assert.rejects(rt.create(bad), (e: unknown) => isKind(e, 'invalid-argument') && /unable to find user nobody: no matching entries in passwd file/.test((e as Error).message));
  });

  test('readonly rootfs', async () => {
    const r = await run(await plan(['sh', '-c', 'touch /x || exit 7'], { readonlyRootfs: true }));
    assert.equal(r.status.exitCode, 7);
    assert.match(r.stderr, /Read-only file system/);
  });

  test('bind mount (ro) and tmpfs with noexec', async () => {
    const host = join(dir, 'bindsrc');
    await mkdir(host, { recursive: true });
    await writeFile(join(host, 'f'), 'from host\n');
    const r = await run(
      await plan(['sh', '-c', 'cat /data/f; touch /data/g || echo ro; grep " /scratch " /proc/mounts; cat /etc/hostname'], {
        mounts: [
          { type: 'bind', source: host, destination: '/data', readonly: true },
          { type: 'tmpfs', destination: '/scratch', options: ['size=1m'] },
        ],
      }),
    );
    assert.match(r.stdout, /from host\nro\n/);
    assert.match(r.stdout, /tmpfs \/scratch tmpfs rw,nosuid,nodev,noexec/);
    assert.match(r.stdout, /box\n$/);
  });

  test("seccomp: Docker's default profile is applied (filter mode)", async () => {
    const r = await run(await plan(['grep', '^Seccomp:', '/proc/self/status']));
    assert.match(r.stdout, /^Seccomp:\s+2$/m);
  });

  test('--init: pid 1 is docker-init', async () => {
    const r = await run(await plan(['cat', '/proc/1/cmdline'], { init: true }));
    assert.equal(r.stdout.split('\0')[0], '/sbin/docker-init');
    assert.equal(r.status.exitCode, 0);
  });

  test('network none: only lo, and it is up', async () => {
    const r = await run(await plan(['sh', '-c', 'ls /sys/class/net; cat /sys/class/net/lo/flags']));
    assert.equal(r.stdout, 'lo\n0x9\n');
  });

  test('host network: the host interfaces', async () => {
    const hostIfs = (await readdir('/sys/class/net')).sort();
    const r = await run(await plan(['ls', '-1', '/sys/class/net'], { network: { mode: 'host' } }));
    assert.deepEqual(r.stdout.trim().split('\n').sort(), hostIfs);
  });

  test('stdin: write then closeStdin (StdinOnce) ends cat', async () => {
    const p = await plan(['cat']);
    p.process.openStdin = true;
    p.process.stdinOnce = true;
    const r = await run(p, (write, close) => {
      write('one\n');
      write('two\n');
      close();
    });
    assert.equal(r.stdout, 'one\ntwo\n');
    assert.equal(r.status.exitCode, 0);
  });

  test('30 long-named layers', async () => {
    const lowers: string[] = [];
    for (let i = 0; i < 30; i++) {
      const d = join(dir, 'layers', `${'x'.repeat(120)}-${i}`, 'diff');
      await mkdir(join(d, 'layers'), { recursive: true });
      await writeFile(join(d, 'layers', `f${i}`), '');
      lowers.push(d);
    }
    const r = await run(await plan(['sh', '-c', 'ls /layers | wc -l'], { lowerDirs: [...lowers, lower] }));
    assert.equal(r.stdout.trim(), '30');
  });
});

describe('switching runtimes', () => {
  test('a container made by the other runtime is still driven by it after a switch (exec, top, kill, cleanup)', async () => {
    const now = testRuntime() === 'runc' ? 'runc' : 'crun';
    const earlier = now === 'runc' ? 'crun' : 'runc';
    const root = join(dir, 'switch');
    const cgroupParent = `/berth-test-${process.pid}`;
    const first = await createRuntime({ execRoot: root, logger: nullLogger, cgroupParent, runtime: earlier });
    assert.equal(first.name, earlier);
    const p = await makePlan(root, dataDir, lower, { args: ['sleep', '100'] });
    await first.create(p);
    await first.start(p.id);

    const second = await createRuntime({ execRoot: root, logger: nullLogger, cgroupParent, runtime: now });
    assert.equal(second.name, now);
    try {
      const e = await second.exec(p.id, { args: ['echo', 'still here'], env: [], cwd: '/', user: '', tty: false, openStdin: false });
      assert.equal(await text(e.stdout), 'still here\n');
      assert.equal(await e.exited, 0);
      assert.match((await second.top(p.id)).Processes[0]?.at(-1) ?? '', /sleep 100/);
      const exited = new Promise<ExitStatus>((r) => second.onExit(p.id, r));
      await second.kill(p.id, 'KILL');
      assert.equal((await exited).exitCode, 137);
    } finally {
      await second.cleanup(p.id);
      await second.close(); // the read-only crun both runtimes used
    }
    assert.equal(existsSync(join(root, earlier, p.id)), false, `${earlier}'s state for the container is deleted`);
  });
});

describe('running containers', () => {
  test('kill: SIGTERM through --init, SIGKILL, invalid signal, killing a stopped one', async () => {
    const p = await plan(['sleep', '100'], { init: true });
    await rt.create(p);
    const exited = new Promise<ExitStatus>((r) => rt.onExit(p.id, r));
    await rt.start(p.id);
    assert.ok((await rt.pid(p.id)) !== undefined);
    await assert.rejects(rt.kill(p.id, 'NOPE'), (e: unknown) => isKind(e, 'invalid-argument') && (e as Error).message === 'Invalid signal: NOPE');
    // Until the init has set up its signal handling, it is a namespace's pid 1 with default
    // dispositions, and the kernel drops a SIGTERM from outside (so in Docker). Its child running
    // means it is past that point.
    for (let i = 0; i < 100; i++) {
      if ((await rt.top(p.id)).Processes.some((row) => /sleep 100/.test(row.at(-1) ?? ''))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    await rt.kill(p.id, 'TERM');
    assert.equal((await exited).exitCode, 143);
    await assert.rejects(rt.kill(p.id, 'KILL'), (e: unknown) => isKind(e, 'conflict') || isKind(e, 'not-found'));

    const q = await plan(['sleep', '100']);
    await rt.create(q);
    const exitedQ = new Promise<ExitStatus>((r) => rt.onExit(q.id, r));
    await rt.start(q.id);
    await rt.kill(q.id, '9');
    assert.equal((await exitedQ).exitCode, 137);
  });

  test('exec output and exit code, user, not found; top', async () => {
    const p = await plan(['sleep', '100']);
    await rt.create(p);
    await rt.start(p.id);
    const e = await rt.exec(p.id, { args: ['sh', '-c', 'echo out; echo err >&2; exit 5'], env: ['X=1'], cwd: '/tmp', user: '', tty: false, openStdin: false });
    const [out, err, code] = await Promise.all([text(e.stdout), text(e.stderr), e.exited]);
    assert.deepEqual([out, err, code], ['out\n', 'err\n', 5]);

    const u = await rt.exec(p.id, { args: ['sh', '-c', 'id -u; pwd; echo $X $HOME'], env: ['X=2'], cwd: '/tmp', user: 'alice', tty: false, openStdin: false });
    const [uout, ucode] = await Promise.all([text(u.stdout), u.exited, text(u.stderr)]);
    assert.equal(uout, '1000\n/tmp\n2 /home/alice\n');
    assert.equal(ucode, 0);

    const i = await rt.exec(p.id, { args: ['cat'], env: [], cwd: '/', user: '', tty: false, openStdin: true });
    i.stdin?.end('piped\n');
    assert.equal(await text(i.stdout), 'piped\n');
    assert.equal(await i.exited, 0);

    const nf = await rt.exec(p.id, { args: ['nope'], env: [], cwd: '/', user: '', tty: false, openStdin: false });
    const [, nferr, nfcode] = await Promise.all([text(nf.stdout), text(nf.stderr), nf.exited]);
    assert.equal(nfcode, 127);
    assert.match(nferr, /executable file not found/);

    // attached execs without a TTY (as the runtime's child with crun, exec-direct.ts): the host
    // pid, a signal's exit code, a large output, and (below) a background child keeping the pipes
    const sl = await rt.exec(p.id, { args: ['sleep', '30'], env: [], cwd: '/', user: '', tty: false, openStdin: false });
    // crun may write the pid file just before the process's execve is done
    for (let i = 0; i < 100 && !readFileSync(`/proc/${sl.pid}/cmdline`, 'utf8').startsWith('sleep\0'); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(readFileSync(`/proc/${sl.pid}/cmdline`, 'utf8'), /^sleep\0/);
    process.kill(sl.pid, 'SIGTERM');
    assert.equal(await sl.exited, 143);
    const big = await rt.exec(p.id, { args: ['sh', '-c', 'yes | head -c 5000000'], env: [], cwd: '/', user: '', tty: false, openStdin: false });
    const [bigOut, bigCode] = await Promise.all([text(big.stdout), big.exited]);
    assert.deepEqual([bigOut.length, bigCode], [5000000, 0]);

    const d = await rt.exec(p.id, { args: ['sh', '-c', 'yes | head -c 1000000; exit 4'], env: [], cwd: '/', user: '', tty: false, openStdin: false, detach: true });
    assert.equal(await d.exited, 4);

    const top = await rt.top(p.id);
    assert.ok(top.Titles.includes('PID') && top.Titles.includes('CMD'));
    assert.equal(top.Processes.length, 1);
    assert.match(top.Processes[0]?.at(-1) ?? '', /sleep 100/);
    const aux = await rt.top(p.id, 'aux');
    assert.ok(aux.Titles.includes('%CPU'));
    // last: its sleep stays in the container
    const t0 = Date.now();
    const bg = await rt.exec(p.id, { args: ['sh', '-c', 'sleep 30 & echo bg'], env: [], cwd: '/', user: '', tty: false, openStdin: false });
    const [bgOut, bgCode] = await Promise.all([text(bg.stdout), bg.exited, text(bg.stderr)]);
    assert.deepEqual([bgOut, bgCode], ['bg\n', 0]);
    assert.ok(Date.now() - t0 < 5000, `exec waited ${Date.now() - t0} ms for its background child`);
    await rt.kill(p.id, 'KILL');
    await new Promise<ExitStatus>((r) => rt.onExit(p.id, r));
    await assert.rejects(
      rt.exec(p.id, { args: ['true'], env: [], cwd: '/', user: '', tty: false, openStdin: false }),
      (err: unknown) => isKind(err, 'conflict'),
    );
    await rt.cleanup(p.id);
  });

  test('reopenLog: output after the rename lands in a new file', async () => {
    const p = await plan(['sh', '-c', 'echo before; read x; echo after']);
    p.process.openStdin = true;
    p.process.stdinOnce = true;
    await rt.create(p);
    const conn = await rt.attach(p.id);
    let seen = '';
    const before = new Promise<void>((resolve) =>
      conn.onData((_s, d) => {
        seen += d.toString();
        if (seen.includes('before')) resolve();
      }),
    );
    const exited = new Promise<ExitStatus>((r) => rt.onExit(p.id, r));
    await rt.start(p.id);
    await before;
    await rename(p.logPath, `${p.logPath}.1`);
    await rt.reopenLog(p.id);
    conn.write(Buffer.from('go\n'));
    await exited;
    assert.match(await readFile(`${p.logPath}.1`, 'utf8'), /stdout F before/);
    const now = await readFile(p.logPath, 'utf8');
    assert.match(now, /stdout F after/);
    assert.doesNotMatch(now, /before/);
    conn.close();
  });

  test('conmon is detached: the container outlives the process that created it', async () => {
    const p = await plan(['sleep', '100']);
    const script = join(dir, 'creator.mts');
    const here = fileURLToPath(new URL('.', import.meta.url));
    await writeFile(
      script,
      `import { createRuntime } from ${JSON.stringify(join(here, 'index.ts'))};\n` +
        `import { nullLogger } from ${JSON.stringify(join(here, '../core/index.ts'))};\n` +
        `const rt = await createRuntime({ execRoot: ${JSON.stringify(execRoot)}, logger: nullLogger, cgroupParent: ${JSON.stringify(`/berth-test-${process.pid}`)}, runtime: ${JSON.stringify(testRuntime())} });\n` +
        `await rt.create(${JSON.stringify(p)});\nawait rt.start(${JSON.stringify(p.id)});\n`,
    );
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit', cwd: join(here, '../..') });
      child.on('exit', resolve);
    });
    assert.equal(code, 0);
    assert.equal(await rt.isMonitorAlive(p.id), true);
    const pid = await rt.pid(p.id);
    assert.ok(pid !== undefined && pid > 0);
    const exited = new Promise<ExitStatus>((r) => rt.onExit(p.id, r));
    await rt.cleanup(p.id);
    assert.equal((await exited).exitCode, 137);
    assert.equal(await rt.isMonitorAlive(p.id), false);
    assert.ok(!existsSync(p.bundleDir));
    assert.ok(!(await readFile('/proc/mounts', 'utf8')).includes(p.bundleDir));
  });

  test('hasStarted: false while created, true once started, false for unknown ids', async () => {
    const p = await plan(['sleep', '100']);
    assert.equal(await rt.hasStarted(p.id), false);
    await rt.create(p);
    assert.equal(await rt.hasStarted(p.id), false, 'created, waiting to be started');
    await rt.start(p.id);
    assert.equal(await rt.hasStarted(p.id), true);
    const exited = new Promise<ExitStatus>((r) => rt.onExit(p.id, r));
    await rt.kill(p.id, 'KILL');
    await exited;
    assert.equal(await rt.hasStarted(p.id), true, 'still: it ran');
    await rt.cleanup(p.id);
    assert.equal(await rt.hasStarted(p.id), false, 'no runtime state any more');
  });
});

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += c.toString();
  return out;
}
