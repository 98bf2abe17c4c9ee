/**
 * The log reader against a real conmon (root only; skipped elsewhere): checks the record
 * format conmon writes, partial lines, and following across a rotation that asks conmon to
 * reopen its log through the `ctl` FIFO (message `2 0 0`, conmon's REOPEN_LOGS_EVENT).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { readLogs, rotateIfNeeded, type LogEntry } from './index.js';

const run = promisify(execFile);
const BUSYBOX = ['/bin/busybox', '/usr/bin/busybox'].find((p) => existsSync(p));
const RUNC = ['/usr/sbin/runc', '/usr/bin/runc'].find((p) => existsSync(p));
const skip =
  process.getuid?.() !== 0 || !existsSync('/usr/bin/conmon') || !BUSYBOX || !RUNC
    ? 'needs root, conmon, runc and busybox'
    : false;

async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > ms) throw new Error(`timeout: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('logs with a real conmon', { skip }, () => {
  let dir: string;
  const id = `berth-logtest-${process.pid}`;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-conmon-logs-'));
  });
  after(async () => {
    await run(RUNC!, ['delete', '-f', id]).catch(() => {});
    const pid = Number(await readFile(join(dir, 'conmon.pid'), 'utf8').catch(() => '0'));
    if (pid > 0) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* exited */
      }
    }
    await rm(dir, { recursive: true, force: true });
  });

  it('follows a running container across a rotation', async () => {
    const bundle = join(dir, 'bundle');
    await mkdir(join(bundle, 'rootfs', 'bin'), { recursive: true });
    await copyFile(BUSYBOX!, join(bundle, 'rootfs', 'bin', 'busybox'));
    await symlink('busybox', join(bundle, 'rootfs', 'bin', 'sh'));
    await run(RUNC!, ['spec', '--bundle', bundle]);
    const spec = JSON.parse(await readFile(join(bundle, 'config.json'), 'utf8')) as {
      process: { terminal: boolean; args: string[] };
      root: { readonly: boolean };
    };
    spec.process.terminal = false;
    spec.process.args = [
      'sh',
      '-c',
      'echo start; printf "part-"; sleep 0.1; echo end; echo oops >&2; i=0; while [ $i -lt 30 ]; do echo "line $i"; i=$((i+1)); sleep 0.05; done; printf last',
    ];
    await writeFile(join(bundle, 'config.json'), JSON.stringify(spec));
    const logPath = join(dir, 'ctr.log');
    await mkdir(join(dir, 'exits'));
    await run('/usr/bin/conmon', [
      '--api-version', '1', '-c', id, '-u', id, '-r', RUNC!, '-b', bundle, '-p', join(dir, 'pid'),
      '-n', id, '--exit-dir', join(dir, 'exits'), '-l', `k8s-file:${logPath}`,
      '--socket-dir-path', join(dir, 'sock'), '--conmon-pidfile', join(dir, 'conmon.pid'), '--full-attach',
    ]);
    await until(() => existsSync(join(dir, 'pid')), 5000, 'container created');
    const exitFile = join(dir, 'exits', id);
    const stopped = until(() => existsSync(exitFile), 20000, 'container exit');
    const got: LogEntry[] = [];
    const reading = (async () => {
      for await (const e of readLogs({ logPath, maxFile: 3 }, { stdout: true, stderr: true, follow: true, stopped })) got.push(e);
    })();
    await run(RUNC!, ['start', id]);
    await until(() => got.length >= 10, 10000, '10 lines');
    const rotated = await rotateIfNeeded(logPath, { maxSize: 1, maxFile: 3 }, () => appendFile(join(bundle, 'ctl'), '2 0 0\n'));
    assert.equal(rotated, true);
    await reading;
    // stdout and stderr are separate pipes: their relative order is not fixed
    const byStream = (es: LogEntry[]) => [
      ...es.filter((e) => e.stream === 'stderr').map((e) => `stderr:${e.data.toString()}`),
      ...es.filter((e) => e.stream === 'stdout').map((e) => `stdout:${e.data.toString()}`),
    ];
    const lines = byStream(got);
    const expected = ['stderr:oops\n', 'stdout:start\n', 'stdout:part-end\n'];
    for (let i = 0; i < 30; i++) expected.push(`stdout:line ${i}\n`);
    expected.push('stdout:last');
    assert.deepEqual(lines, expected);
    assert.ok(existsSync(`${logPath}.1`), 'rotated file');
    assert.match(got[0]!.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d\d:\d\d$/);
    // a plain read after the exit sees the same lines across both files
    const again: LogEntry[] = [];
    for await (const e of readLogs({ logPath, maxFile: 3 }, { stdout: true, stderr: true })) again.push(e);
    assert.deepEqual(byStream(again), expected);
    assert.equal((await readFile(exitFile, 'utf8')).trim(), '0');
  });
});
