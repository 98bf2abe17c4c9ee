import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CHILD_PATH } from './defaults.js';
import { ExecLauncher, type Primed } from './exec-launcher.js';
import { nodeHost, type HostChild } from './host.js';

const text = async (r: Readable | null): Promise<string> => {
  let s = '';
  for await (const c of r ?? []) s += String(c);
  return s;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The spare shell's pid, once the launcher has forked one (polls /proc for our child). */
async function sparePid(): Promise<number | undefined> {
  for (let i = 0; i < 100; i++) {
    for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === process.pid && readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('read -r line')) return Number(p);
      } catch {
        // gone
      }
    }
    await sleep(10);
  }
  return undefined;
}

const host = nodeHost();

/** As exec-direct does: the spare when one is ready, else a plain spawn with the same stdio. */
function start(launcher: ExecLauncher, file: string, args: string[], cwd: string): HostChild {
  return launcher.launch(file, args, cwd) ?? host.spawn(file, args, { cwd, env: { PATH: CHILD_PATH }, stdin: 'ignore', output: 'pipe', detached: true });
}

async function run(child: HostChild): Promise<{ out: string; err: string; code: number | null }> {
  const [out, err, exit] = await Promise.all([text(child.stdout), text(child.stderr), child.exited]);
  return { out, err, code: exit.code };
}

test('the first launch finds no spare; the next one becomes the spare forked meanwhile, with args, cwd and stdin as asked', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-launcher-'));
  const launcher = new ExecLauncher(host);
  try {
    const script = 'pwd; printf "<%s>" "$@"; echo; readlink /proc/self/fd/0; echo oops >&2; exit 7';
    const first = await run(start(launcher, '/bin/sh', ['-c', script, 'sh', 'a b', "it's", '$HOME'], dir));
    assert.deepEqual(first, { out: `${dir}\n<a b><it's><$HOME>\n/dev/null\n`, err: 'oops\n', code: 7 });

    const spare = await sparePid();
    assert.ok(spare, 'a spare shell was forked after the first launch');
    const child = launcher.launch('/bin/sh', ['-c', script, 'sh', 'a b', "it's", '$HOME'], dir);
    assert.equal(child?.pid, spare, 'the second launch is the spare');
    assert.deepEqual(await run(child!), first, 'and runs exactly as a plain spawn did');
  } finally {
    launcher.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a spare that died is not used, and close() ends the spare', async () => {
  const launcher = new ExecLauncher(host);
  try {
    await run(start(launcher, '/bin/true', [], '/'));
    const dead = await sparePid();
    assert.ok(dead);
    process.kill(dead, 'SIGKILL');
    await sleep(50);
    const child = start(launcher, '/bin/echo', ['fresh'], '/');
    assert.notEqual(child.pid, dead);
    assert.deepEqual(await run(child), { out: 'fresh\n', err: '', code: 0 });

    const spare = await sparePid();
    assert.ok(spare);
    launcher.close();
    for (let i = 0; i < 100 && existsProc(spare); i++) await sleep(10);
    assert.equal(existsProc(spare), false, 'the spare exits once its pipe closes');
  } finally {
    launcher.close();
  }
});

function existsProc(pid: number): boolean {
  try {
    // a zombie counts as gone: Node reaps it
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** A stand-in for a primed runtime: a child that waits until killed, and a log of disposals. */
function primer(disposed: string[]) {
  const children: HostChild[] = [];
  const make = async (): Promise<Primed<string>> => {
    const child = host.spawn('/bin/sleep', ['30'], { stdin: 'ignore', output: 'pipe', detached: true });
    children.push(child);
    const name = `p${children.length}`;
    return {
      child, value: name,
      dispose: () => {
        disposed.push(name);
        if (existsProc(child.pid)) process.kill(child.pid, 'SIGKILL');
      },
    };
  };
  return { make, count: () => children.length, last: () => children.at(-1) };
}

test('a runtime is primed after the second exec under one key, once that exec is done, and taken once', async () => {
  const launcher = new ExecLauncher(host);
  const disposed: string[] = [];
  const p = primer(disposed);
  try {
    launcher.primeAfter('c1:10', Promise.resolve(), p.make);
    await sleep(30);
    assert.equal(p.count(), 0, 'a first exec under a key primes nothing');
    let finish!: () => void;
    launcher.primeAfter('c1:10', new Promise<void>((r) => (finish = r)), p.make);
    await sleep(30);
    assert.equal(p.count(), 0, 'nothing is primed while the exec runs');
    finish();
    await sleep(30);
    assert.equal(p.count(), 1);
    const taken = launcher.takePrimed<string>('c1:10');
    assert.equal(taken?.value, 'p1');
    assert.ok(existsProc(taken.child.pid));
    assert.equal(launcher.takePrimed('c1:10'), undefined, 'taken once');
    assert.deepEqual(disposed, [], 'the taker owns it');
    taken.dispose();
  } finally {
    launcher.close();
  }
});

test('a primed runtime for another key, one that died, a dropped container and close() are disposed of', async () => {
  const launcher = new ExecLauncher(host);
  const disposed: string[] = [];
  const p = primer(disposed);
  const primeTwice = async (key: string): Promise<void> => {
    launcher.primeAfter(key, Promise.resolve(), p.make);
    launcher.primeAfter(key, Promise.resolve(), p.make);
    await sleep(30);
  };
  try {
    await primeTwice('c1:10');
    assert.equal(launcher.takePrimed('c1:11'), undefined, 'another init of the same container: not used');
    assert.deepEqual(disposed, ['p1']);

    await primeTwice('c1:11');
    const pid = launcher.takePrimed<string>('c1:11');
    assert.equal(pid?.value, 'p2');
    pid.dispose();

    await primeTwice('c2:20');
    assert.equal(p.count(), 3);
    launcher.dropPrimed('c1');
    assert.deepEqual(disposed, ['p1', 'p2'], 'another container is left alone');
    launcher.dropPrimed('c2');
    assert.deepEqual(disposed, ['p1', 'p2', 'p3']);

    await primeTwice('c3:30');
    assert.equal(p.count(), 4);
    launcher.primeAfter('c3:30', Promise.resolve(), p.make);
    await sleep(30);
    assert.equal(p.count(), 4, 'one primed runtime per key is enough');
    process.kill(p.last()!.pid, 'SIGKILL');
    await sleep(50);
    assert.deepEqual(disposed, ['p1', 'p2', 'p3', 'p4'], 'a primed runtime that died is disposed of');
    assert.equal(launcher.takePrimed('c3:30'), undefined);

    await primeTwice('c4:40');
    launcher.close();
    assert.deepEqual(disposed, ['p1', 'p2', 'p3', 'p4', 'p5']);
    launcher.primeAfter('c4:40', Promise.resolve(), p.make);
    launcher.primeAfter('c4:40', Promise.resolve(), p.make);
    await sleep(30);
    assert.equal(p.count(), 5, 'a closed launcher primes nothing');
  } finally {
    launcher.close();
  }
});

test('a make() that fails primes nothing and the next exec may prime again', async () => {
  const launcher = new ExecLauncher(host);
  const disposed: string[] = [];
  const p = primer(disposed);
  let fail = true;
  const make = async (): Promise<Primed<string>> => {
    if (fail) throw new Error('no fifo');
    return p.make();
  };
  try {
    launcher.primeAfter('c1:10', Promise.resolve(), make);
    launcher.primeAfter('c1:10', Promise.resolve(), make);
    await sleep(30);
    assert.equal(launcher.takePrimed('c1:10'), undefined);
    fail = false;
    launcher.primeAfter('c1:10', Promise.resolve(), make);
    await sleep(30);
    const taken = launcher.takePrimed<string>('c1:10');
    assert.equal(taken?.value, 'p1');
    taken.dispose();
  } finally {
    launcher.close();
  }
});
