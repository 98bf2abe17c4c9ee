/**
 * Integration tests (root) for exec through conmon's exec mode and for terminal resizing: TTY
 * execs (pty, console size, resize, stdin, exit code), container resize, and a byte-exact bulk
 * round trip through a non-TTY exec. Everything is removed in `after`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isKind, nullLogger } from '../core/index.js';
import { createRuntime } from './index.js';
import type { ContainerPlan, ContainerRuntime, ExecProcess, ExecSpec, ExitStatus } from './index.js';
import { cleanupRuntimeTest, makeBusyboxRootfs, makePlan, testRuntime } from './test-rootfs.js';

let dir: string;
let execRoot: string;
let dataDir: string;
let lower: string;
let rt: ContainerRuntime;
let box: ContainerPlan;
const created: string[] = [];
const cgroupParent = `/berth-test-tty-${process.pid}`;
/** Per-test limit, so a hang fails the test and `after` still cleans up. */
const T = 60_000;

before(async () => {
  dir = await mkdtemp('/tmp/berth-tty-');
  execRoot = join(dir, 'exec');
  dataDir = join(dir, 'data');
  lower = await makeBusyboxRootfs(dir);
  rt = await createRuntime({ execRoot, logger: nullLogger, cgroupParent, runtime: testRuntime() });
  box = await plan(['sleep', '1000']);
  await rt.create(box);
  await rt.start(box.id);
});

after(() => cleanupRuntimeTest(rt, created, dir, cgroupParent));

async function plan(args: string[], over: Partial<ContainerPlan> = {}): Promise<ContainerPlan> {
  const p = await makePlan(execRoot, dataDir, lower, { args, ...over });
  created.push(p.id);
  return p;
}

function execSpec(args: string[], over: Partial<ExecSpec> = {}): ExecSpec {
  return { args, env: [], cwd: '/', user: '', tty: false, openStdin: false, ...over };
}

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += (c as Buffer).toString();
  return out;
}

/** Resolves with everything read so far once `re` matches it. */
function waitFor(s: NodeJS.ReadableStream, re: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (c: Buffer): void => {
      seen += c.toString();
      if (re.test(seen)) {
        s.off('data', onData);
        resolve(seen);
      }
    };
    s.on('data', onData);
    s.once('end', () => reject(new Error(`stream ended before ${re}: ${JSON.stringify(seen)}`)));
  });
}

async function run(e: ExecProcess): Promise<{ out: string; err: string; code: number }> {
  const [out, err, code] = await Promise.all([text(e.stdout), text(e.stderr), e.exited]);
  return { out, err, code };
}

describe('TTY exec', () => {
  test('a pty: tty names /dev/pts/N, stderr is merged and ended, the exit code propagates', { timeout: T }, async () => {
    const e = await rt.exec(box.id, execSpec(['sh', '-c', 'tty; echo to-stderr >&2; exit 7'], { tty: true }));
    assert.ok(e.pid > 0);
    assert.equal(typeof e.resize, 'function');
    const r = await run(e);
    assert.match(r.out, /^\/dev\/pts\/\d+\r\nto-stderr\r\n$/);
    assert.equal(r.err, '');
    assert.equal(r.code, 7);
  });

  test('consoleSize applies at start; resize() changes it later (SIGWINCH path)', { timeout: T }, async () => {
    const e = await rt.exec(box.id, execSpec(['sh', '-c', 'stty size; read x; stty size'], { tty: true, openStdin: true, consoleSize: [31, 97] }));
    assert.match(await waitFor(e.stdout, /\d+ \d+\r\n/), /^31 97\r\n$/);
    await e.resize?.(44, 132);
    // conmon applies the size when it reads its control FIFO, a moment after resize() wrote to it
    await new Promise((r) => setTimeout(r, 300));
    e.stdin?.write('go\r');
    const rest = text(e.stdout);
    assert.equal(await e.exited, 0);
    assert.match(await rest, /44 132\r\n$/);
    await assert.rejects(e.resize?.(10, 10) ?? Promise.reject(new Error('no resize')), (err: unknown) => isKind(err, 'conflict'));
  });

  test('stdin reaches the process; without consoleSize the runtime default applies', { timeout: T }, async () => {
    const e = await rt.exec(box.id, execSpec(['sh', '-c', 'read x; echo got $x'], { tty: true, openStdin: true }));
    e.stdin?.write('hello\n');
    const r = await run(e);
    // the terminal echoes the input, then the answer
    assert.match(r.out, /hello\r\ngot hello\r\n$/);
    assert.equal(r.code, 0);
  });

  test('invalid sizes are invalid-argument', { timeout: T }, async () => {
    await assert.rejects(rt.exec(box.id, execSpec(['true'], { tty: true, consoleSize: [-1, 80] })), (err: unknown) => isKind(err, 'invalid-argument'));
    const e = await rt.exec(box.id, execSpec(['sleep', '5'], { tty: true }));
    await assert.rejects(e.resize?.(70000, 80) ?? Promise.reject(new Error('no resize')), (err: unknown) => isKind(err, 'invalid-argument'));
    process.kill(e.pid, 'SIGKILL');
    assert.equal(await e.exited, 137);
  });

  test('detached TTY exec: no stdio, exit code still reported', { timeout: T }, async () => {
    const e = await rt.exec(box.id, execSpec(['sh', '-c', 'echo lost; exit 3'], { tty: true, detach: true }));
    assert.equal(e.stdin, null);
    const r = await run(e);
    assert.deepEqual(r, { out: '', err: '', code: 3 });
  });

  test('not found in a TTY exec: 127 and the runtime message', { timeout: T }, async () => {
    const r = await run(await rt.exec(box.id, execSpec(['nope'], { tty: true })));
    assert.equal(r.code, 127);
    assert.match(r.err, /executable file not found/);
  });
});

describe('non-TTY exec through conmon', () => {
  test('50 MiB through cat is byte-exact both ways; stdin EOF ends cat', { timeout: T }, async () => {
    const size = 50 * 1024 * 1024;
    const input = randomBytes(size);
    const want = createHash('sha256').update(input).digest('hex');
    const t0 = performance.now();
    const e = await rt.exec(box.id, execSpec(['cat'], { openStdin: true }));
    const hash = createHash('sha256');
    let got = 0;
    e.stdout.on('data', (c: Buffer) => {
      got += c.length;
      hash.update(c);
    });
    const stdin = e.stdin;
    assert.ok(stdin);
    const chunks = function* (): Generator<Buffer> {
      for (let off = 0; off < size; off += 1 << 20) yield input.subarray(off, off + (1 << 20));
    };
    const [code, err] = await Promise.all([e.exited, text(e.stderr), pipeline(Readable.from(chunks()), stdin)]);
    await new Promise<void>((r) => (e.stdout.readableEnded ? r() : e.stdout.once('end', r)));
    console.log(`# 50 MiB round trip ${(performance.now() - t0).toFixed(0)} ms`);
    assert.equal(err, '');
    assert.equal(code, 0);
    assert.equal(got, size);
    assert.equal(hash.digest('hex'), want);
  });

  test('binary bytes, stdout and stderr apart, fast exits lose no output', { timeout: T }, async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const e = await rt.exec(box.id, execSpec(['cat'], { openStdin: true }));
    e.stdin?.end(all);
    const chunks: Buffer[] = [];
    for await (const c of e.stdout) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), all);
    assert.equal(await e.exited, 0);
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) => rt.exec(box.id, execSpec(['sh', '-c', `echo out${i}; echo err${i} >&2`])).then(run)),
    );
    runs.forEach((r, i) => assert.deepEqual(r, { out: `out${i}\n`, err: `err${i}\n`, code: 0 }));
  });

  test('non-TTY execs have no resize; session dirs and our fds are released after exit', { timeout: T }, async () => {
    const e = await rt.exec(box.id, execSpec(['true']));
    assert.equal(e.resize, undefined);
    await run(e);
    // with crun, the runtime keeps a spare shell for the next exec (its pipes: 3 fds) and has
    // primed a runtime for this container (its FIFO and pipes: 3 fds, and a session dir), both
    // made in the background; count with them there
    if (rt.name === 'crun') await until(() => childWith('read -r line') !== undefined && primedRuntimes(box.id).length === 1);
    await new Promise((r) => setTimeout(r, 60));
    const fds = (await readdir('/proc/self/fd')).length;
    const primed = primedRuntimes(box.id).map((p) => p.dir.slice(p.dir.lastIndexOf('/') + 1));
    assert.equal(primed.length, rt.name === 'crun' ? 1 : 0);
    for (let i = 0; i < 20; i++) {
      const tty = i % 2 === 0;
      const x = await rt.exec(box.id, execSpec(['cat'], { openStdin: true, tty }));
      // a terminal turns ^D into EOF; closing our side of a pty does not reach the process
      x.stdin?.end(tty ? 'x\n\x04' : 'x\n');
      await run(x);
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.ok((await readdir('/proc/self/fd')).length <= fds + 2, 'file descriptors leaked');
    // execs with stdin leave the primed runtime waiting
    assert.deepEqual(await readdir(join(box.bundleDir, 'exec')), primed);
  });
});

describe('primed runtime (crun: attached execs without a TTY or stdin)', () => {
  test('after two execs into a container the next one runs in a runtime forked ahead; refusals, big processes and cleanup', { timeout: T }, async () => {
    if (rt.name !== 'crun') {
      // runc's exec goes through conmon: nothing is primed
      await run(await rt.exec(box.id, execSpec(['true'])));
      await run(await rt.exec(box.id, execSpec(['true'])));
      await new Promise((r) => setTimeout(r, 100));
      assert.deepEqual(primedRuntimes(box.id), []);
      return;
    }
    await run(await rt.exec(box.id, execSpec(['true'])));
    await run(await rt.exec(box.id, execSpec(['true'])));
    const first = await primedRuntime(box.id);
    const e = await rt.exec(box.id, execSpec(['sh', '-c', 'echo "$X" $(pwd); echo e >&2; exit 3'], { env: ['X=primed'], cwd: '/tmp' }));
    assert.deepEqual(await run(e), { out: 'primed /tmp\n', err: 'e\n', code: 3 });
    assert.equal(alive(first.pid), false, 'the primed runtime ran that exec');
    await until(() => !existsSync(first.dir)); // its session dir goes after the exit code

    // refused: the primed runtime's refusal is followed by one plain attempt, whose message stands
    const second = await primedRuntime(box.id);
    assert.notEqual(second.pid, first.pid);
    const nf = await run(await rt.exec(box.id, execSpec(['nope'])));
    assert.equal(nf.code, 127);
    assert.equal(nf.err.match(/executable file not found/g)?.length, 1, nf.err);
    assert.equal(alive(second.pid), false);

    // a process over a FIFO's 64 KiB: the primed runtime reads a cut-off file, the plain attempt runs it
    const third = await primedRuntime(box.id);
    const big = 'B'.repeat(100_000);
    const b = await rt.exec(box.id, execSpec(['sh', '-c', 'echo ${#BIG}'], { env: [`BIG=${big}`] }));
    assert.deepEqual(await run(b), { out: '100000\n', err: '', code: 0 });
    assert.equal(alive(third.pid), false);

    // another container: its own primed runtime, and the first container's is disposed of
    const other = await plan(['sleep', '1000']);
    await rt.create(other);
    await rt.start(other.id);
    const fourth = await primedRuntime(box.id);
    await run(await rt.exec(other.id, execSpec(['true'])));
    await run(await rt.exec(other.id, execSpec(['true'])));
    const fifth = await primedRuntime(other.id);
    await until(() => !alive(fourth.pid));
    await until(() => !existsSync(fourth.dir)); // a disposed runtime leaves no session dir
    // removing the container disposes of its primed runtime
    await rt.kill(other.id, 'KILL');
    await new Promise<ExitStatus>((r) => rt.onExit(other.id, r));
    await rt.cleanup(other.id);
    await until(() => !alive(fifth.pid));
    assert.deepEqual(primedRuntimes(other.id), []);
  });
});

describe('spare shell', () => {
  test('a spare that dies just before an exec takes it: the exec spawns the runtime instead', { timeout: T }, async () => {
    const p = await plan(['sleep', '1000']);
    await rt.create(p);
    await rt.start(p.id);
    await run(await rt.exec(p.id, execSpec(['true'])));
    if (rt.name !== 'crun') return; // runc's execs go through conmon: no spare
    let spare: number | undefined;
    await until(() => (spare = childWith('read -r line')) !== undefined);
    // killed in the same tick as the exec: the runtime still counts it as alive and hands it out
    process.kill(spare!, 'SIGKILL');
    const e = await rt.exec(p.id, execSpec(['sh', '-c', 'echo fine; exit 4']));
    assert.deepEqual(await run(e), { out: 'fine\n', err: '', code: 4 });
  });
});

/** The pid of a live child of ours whose command line contains `text`. */
function childWith(text: string): number | undefined {
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text) && alive(Number(p))) return Number(p);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/** Runtimes that are our children, waiting to exec into container `id` (in the read of their FIFO). */
function primedRuntimes(id: string): { pid: number; dir: string }[] {
  const out: { pid: number; dir: string }[] = [];
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const args = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const file = args[args.indexOf('--process') + 1];
      if (ppid !== process.pid || args.at(-2) !== id || !file || !alive(Number(p))) continue;
      const fifo = statSync(file);
      // ready once it holds the FIFO open (it then waits in the read)
      const holds = readdirSync(`/proc/${p}/fd`).some((fd) => statSync(`/proc/${p}/fd/${fd}`, { throwIfNoEntry: false })?.ino === fifo.ino);
      if (fifo.isFIFO() && holds) out.push({ pid: Number(p), dir: dirname(file) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function primedRuntime(id: string): Promise<{ pid: number; dir: string }> {
  let found: { pid: number; dir: string }[] = [];
  await until(() => (found = primedRuntimes(id)).length > 0);
  assert.equal(found.length, 1, 'one primed runtime at a time');
  // the runtime polls for the same sign every millisecond before it hands the primed one out
  await new Promise((r) => setTimeout(r, 30));
  return found[0]!;
}

function alive(pid: number): boolean {
  try {
    // a zombie counts as gone: Node reaps it
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(ok(), 'timed out waiting');
}

describe('container resize', () => {
  test('a TTY container sees the new size; non-TTY, exited and bad sizes are refused', { timeout: T }, async () => {
    const p = await plan(['sh', '-c', 'stty size; sleep 0.5; stty size']);
    p.process.tty = true;
    p.process.consoleSize = [20, 60];
    await rt.create(p);
    const conn = await rt.attach(p.id);
    let out = '';
    let firstLine: () => void = () => undefined;
    const first = new Promise<void>((r) => (firstLine = r));
    conn.onData((_s, d) => {
      out += d.toString();
      if (out.includes('\n')) firstLine();
    });
    const exited = new Promise<ExitStatus>((r) => rt.onExit(p.id, r));
    await rt.start(p.id);
    await first;
    await rt.resize?.(p.id, 33, 77);
    await assert.rejects(rt.resize?.(p.id, 1.5, 80) ?? Promise.reject(new Error('no resize')), (err: unknown) => isKind(err, 'invalid-argument'));
    assert.equal((await exited).exitCode, 0);
    await new Promise<void>((r) => conn.onClose(r));
    assert.equal(out, '20 60\r\n33 77\r\n');
    await assert.rejects(rt.resize?.(p.id, 10, 10) ?? Promise.reject(new Error('no resize')), (err: unknown) => isKind(err, 'conflict') && /is not running/.test((err as Error).message));
    await rt.cleanup(p.id);

    await assert.rejects(rt.resize?.(box.id, 10, 10) ?? Promise.reject(new Error('no resize')), (err: unknown) => isKind(err, 'conflict') && /no TTY/.test((err as Error).message));
  });
});
