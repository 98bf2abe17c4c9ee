import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../core/index.js';
import { parseSignal } from './signals.js';
import { conmonArgs } from './conmon-args.js';
import { bundlePaths } from './paths.js';
import { parseSyncLine } from './sync-pipe.js';
import { runtimeErrorKind, runtimeMessage } from './runc-error.js';
import { filterPsOutput } from './top.js';
import { overlayMountCommand, unmountRootfs } from './overlay.js';
import type { Host } from './host.js';
import { chunkPackets, decodePacket } from './attach.js';
import { execExitCode, mergeEnv } from './exec.js';
import { cgroupMode, CGROUP2_SUPER_MAGIC, TMPFS_MAGIC } from './detect.js';
import { ctlMessage, CTL_REOPEN_LOGS } from './ctl.js';
import { parseExitFile } from './exit.js';

test('parseSignal: names, SIG prefix, numbers, realtime; invalid → invalid-argument', () => {
  assert.equal(parseSignal('TERM'), 15);
  assert.equal(parseSignal('SIGTERM'), 15);
  assert.equal(parseSignal('sigkill'), 9);
  assert.equal(parseSignal('15'), 15);
  assert.equal(parseSignal(2), 2);
  assert.equal(parseSignal('RTMIN+1'), 35);
  for (const bad of ['NOPE', '0', '65', 'SIG', '', -1]) {
    assert.throws(() => parseSignal(bad), (e: unknown) => isKind(e, 'invalid-argument') && (e as Error).message === `Invalid signal: ${bad}`);
  }
});

test('conmonArgs: required flags, runtime args, -i/--leave-stdin-open, -t', () => {
  const base = {
    id: 'abc',
    name: 'abc',
    runtimePath: '/usr/sbin/runc',
    runtimeArgs: ['--root=/run/x/runc'],
    paths: bundlePaths('/run/x/containers/abc'),
    logPath: '/d/ctr.log',
    tty: false,
    openStdin: false,
    stdinOnce: false,
    logLevel: 'error' as const,
  };
  const a = conmonArgs(base);
  const after = (flag: string): string | undefined => a[a.indexOf(flag) + 1];
  assert.equal(after('-c'), 'abc');
  assert.equal(after('-b'), '/run/x/containers/abc');
  assert.equal(after('-l'), 'k8s-file:/d/ctr.log');
  assert.equal(after('--exit-dir'), '/run/x/containers/abc/exits');
  assert.equal(after('--runtime-arg'), '--root=/run/x/runc');
  assert.equal(after('--log-size-max'), '-1');
  assert.equal(after('-P'), '/run/x/containers/abc/conmon.pid');
  assert.ok(a.includes('--full-attach'));
  assert.ok(!a.includes('-i') && !a.includes('-t') && !a.includes('--syslog'));
  assert.ok(conmonArgs({ ...base, openStdin: true }).includes('--leave-stdin-open'));
  const once = conmonArgs({ ...base, openStdin: true, stdinOnce: true, tty: true });
  assert.ok(once.includes('-i') && once.includes('-t') && !once.includes('--leave-stdin-open'));
});

test('parseSyncLine: pid, error with message, EOF, garbage', () => {
  assert.deepEqual(parseSyncLine('{"data": 1234}'), { ok: true, pid: 1234 });
  assert.deepEqual(parseSyncLine('{"data": -1, "message": "boom\\n"}'), { ok: false, message: 'boom\n' });
  assert.equal(parseSyncLine(undefined).ok, false);
  assert.equal(parseSyncLine('nope').ok, false);
});

test('runtimeMessage: logrus text, JSON and plain', () => {
  const text = 'time="2024-01-01T00:00:00Z" level=error msg="runc create failed: unable to start container process: exec: \\"nope\\": executable file not found in $PATH"\n';
  assert.equal(runtimeMessage(text), 'runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH');
  assert.equal(runtimeMessage('{"level":"error","msg":"container not running","time":"x"}'), 'container not running');
  assert.equal(runtimeMessage('plain failure\n'), 'plain failure');
  assert.equal(runtimeErrorKind('exec: "nope": executable file not found in $PATH'), 'invalid-argument');
  assert.equal(runtimeErrorKind('container "x" does not exist'), 'not-found');
  assert.equal(runtimeErrorKind('cannot kill container: container not running'), 'conflict');
});

test("runtimeMessage: crun's exec failures in runc's (and Docker's) words", () => {
  assert.equal(
    runtimeMessage('executable file `nope` not found in $PATH: No such file or directory\n'),
    'exec: "nope": executable file not found in $PATH',
  );
  assert.equal(
    runtimeMessage('executable file `/nope` not found in $PATH: No such file or directory'),
    'exec: "/nope": stat /nope: no such file or directory',
  );
  assert.equal(runtimeMessage('open executable: Permission denied', '/etc/passwd'), 'exec: "/etc/passwd": permission denied');
  assert.equal(runtimeMessage('open executable: Operation not permitted'), 'exec: permission denied');
  assert.equal(
    runtimeMessage('chdir `/etc/passwd`: Not a directory'),
    'chdir to cwd ("/etc/passwd") set in config.json failed: not a directory',
  );
  assert.equal(runtimeMessage('{"msg":"open executable: Permission denied","level":"error"}', 'x'), 'exec: "x": permission denied');
  assert.equal(runtimeMessage('something else: No such file or directory'), 'something else: No such file or directory');
  assert.equal(runtimeMessage(''), '');
});

test("filterPsOutput: Docker's algorithm", () => {
  const out = 'UID PID PPID C STIME TTY TIME CMD\nroot 1 0 0 10:00 ? 00:00:01 /sbin/init\nroot 42 1 0 10:00 ? 00:00:00 sleep 100 extra\n';
  const r = filterPsOutput(out, [42]);
  assert.deepEqual(r.Titles, ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
  assert.deepEqual(r.Processes, [['root', '42', '1', '0', '10:00', '?', '00:00:00', 'sleep 100 extra']]);
  assert.throws(() => filterPsOutput('USER CMD\nroot x\n', [1]), (e: unknown) => isKind(e, 'invalid-argument'));
});

test('overlayMountCommand: absolute when short, symlinked relative names when long', () => {
  const short = overlayMountCommand({ lowerDirs: ['/a', '/b'], upperDir: '/u', workDir: '/w' }, '/t', '/l');
  assert.deepEqual(short.args, ['-t', 'overlay', 'overlay', '-o', 'lowerdir=/a:/b,upperdir=/u,workdir=/w', '/t']);
  assert.equal(short.cwd, undefined);
  const lowers = Array.from({ length: 60 }, (_, i) => `/var/lib/berth/layers/${String(i).padStart(64, '0')}/diff`);
  const long = overlayMountCommand({ lowerDirs: lowers, upperDir: '/u', workDir: '/w' }, '/t', '/l');
  assert.equal(long.cwd, '/l');
  assert.equal(long.links.length, 60);
  assert.deepEqual(long.links[0], ['/l/0', lowers[0]]);
  assert.ok((long.args[4] ?? '').startsWith('lowerdir=0:1:2:'));
});

test('attach packets: decode pipe byte, chunk writes', () => {
  assert.deepEqual(decodePacket(Buffer.from([2, 104, 105])), { stream: 1, data: Buffer.from('hi') });
  assert.equal(decodePacket(Buffer.from([3, 120]))?.stream, 2);
  assert.equal(decodePacket(Buffer.from([9, 1])), undefined);
  assert.deepEqual(chunkPackets(Buffer.alloc(70000)).map((b) => b.length), [32767, 32767, 4466]);
});

test('exec helpers: env merge and exit codes', () => {
  assert.deepEqual(mergeEnv(['A=1', 'B=2'], ['B=3', 'C=4']), ['A=1', 'B=3', 'C=4']);
  assert.equal(execExitCode(3, null, undefined), 3);
  assert.equal(execExitCode(null, 'SIGKILL', undefined), 137);
  assert.equal(execExitCode(255, null, 'exec: "x": executable file not found in $PATH'), 127);
  assert.equal(execExitCode(255, null, 'permission denied'), 126);
});

test('cgroup mode, ctl messages, exit file', () => {
  assert.equal(cgroupMode(TMPFS_MAGIC, CGROUP2_SUPER_MAGIC), 'hybrid');
  assert.equal(cgroupMode(CGROUP2_SUPER_MAGIC, undefined), 'v2');
  assert.equal(cgroupMode(TMPFS_MAGIC, undefined), 'v1');
  assert.equal(ctlMessage(CTL_REOPEN_LOGS), '2 0 0\n');
  assert.equal(ctlMessage(1, 24, 80), '1 24 80\n');
  assert.equal(parseExitFile('137'), 137);
  assert.equal(parseExitFile(''), undefined);
});

test('unmountRootfs: busybox applet when given; "not mounted" in util-linux and busybox words is silent; busy goes lazy', async () => {
  const calls: string[] = [];
  const answer = (stderr: string) => ({
    run: async (file: string, args: string[]) => {
      calls.push([file, ...args].join(' '));
      return args.includes('-l') ? { code: 0, signal: null, stdout: '', stderr: '' } : { code: 1, signal: null, stdout: '', stderr };
    },
  }) as unknown as Host;
  await unmountRootfs(answer('umount: /t: not mounted.'), '/t');
  await unmountRootfs(answer("umount: can't unmount /t: Invalid argument"), '/t', '/bin/busybox');
  assert.deepEqual(calls, ['umount /t', '/bin/busybox umount /t']);
  calls.length = 0;
  await unmountRootfs(answer("umount: can't unmount /t: Device or resource busy"), '/t', '/bin/busybox');
  assert.deepEqual(calls, ['/bin/busybox umount /t', '/bin/busybox umount -l /t']);
});
