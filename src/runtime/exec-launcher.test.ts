import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { CHILD_PATH } from './defaults.js';
import { ExecLauncher } from './exec-launcher.js';
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
