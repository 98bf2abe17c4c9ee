/** Unit tests (no root) for conmon's exec mode: argv, pipe protocol, failures, resize checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { isKind, nullLogger } from '../core/index.js';
import { execConmonArgs } from './conmon-args.js';
import type { RuntimeContext } from './context.js';
import { checkTerminalSize } from './ctl.js';
import { startExecSession } from './exec-session.js';
import { FakeHost } from './fake-host.js';
import { bundlePaths, execSessionPaths } from './paths.js';
import { resizeContainer } from './resize.js';
import { RuntimeCli } from './runc.js';
import { PipeLines, parseSyncMessage } from './sync-pipe.js';
import type { ExecSpec } from './types.js';

function context(host: FakeHost, bundles = new Map<string, string>()): RuntimeContext {
  return {
    host,
    log: nullLogger,
    cli: new RuntimeCli(host, '/usr/sbin/runc', '/run/x/runc', nullLogger),
    execRoot: '/run/x',
    conmonPath: '/usr/bin/conmon',
    initPath: undefined,
    cgroupParent: '/berth',
    seccomp: undefined,
    conmonLogLevel: 'error',
    bundles,
    others: new Map(),
  };
}

const session = execSessionPaths(bundlePaths('/run/x/containers/ctr'), 'ctr', 'sess');
const detached: ExecSpec = { args: ['true'], env: [], cwd: '/', user: '', tty: false, openStdin: true, detach: true };

async function text(s: NodeJS.ReadableStream): Promise<string> {
  let out = '';
  for await (const c of s) out += (c as Buffer).toString();
  return out;
}

test('execConmonArgs: exec mode with attach, session dir for sockets/FIFOs/exit, no logging', () => {
  const a = execConmonArgs({
    containerId: 'ctr',
    sessionId: 'sess',
    runtimePath: '/usr/sbin/runc',
    runtimeArgs: ['--root=/run/x/runc'],
    session,
    tty: true,
    openStdin: true,
    logLevel: 'error',
  });
  const after = (flag: string): string | undefined => a[a.indexOf(flag) + 1];
  assert.equal(after('-c'), 'ctr');
  assert.equal(after('-u'), 'sess');
  assert.equal(after('-b'), '/run/x/containers/ctr/exec/sess');
  assert.equal(after('--exit-dir'), '/run/x/containers/ctr/exec/sess');
  assert.equal(after('-p'), '/run/x/containers/ctr/exec/sess/pid');
  assert.equal(after('-l'), 'none');
  assert.equal(after('--exec-process-spec'), '/run/x/containers/ctr/exec/sess/process.json');
  assert.equal(after('--runtime-arg'), '--root=/run/x/runc');
  for (const f of ['-e', '--exec-attach', '--full-attach', '-t', '-i']) assert.ok(a.includes(f), f);
  assert.equal(session.exit, '/run/x/containers/ctr/exec/sess/ctr');
  const plain = execConmonArgs({ containerId: 'ctr', sessionId: 'sess', runtimePath: '/r', runtimeArgs: [], session, tty: false, openStdin: false, logLevel: 'error' });
  assert.ok(!plain.includes('-t') && !plain.includes('-i'));
});

test('PipeLines: lines split across chunks, a last line without newline, then undefined', async () => {
  const s = new PassThrough();
  const lines = new PipeLines(s);
  s.write('{"data": 1');
  s.write('2}\n{"data"');
  s.end(': 0}');
  assert.equal(await lines.next(), '{"data": 12}');
  assert.equal(await lines.next(), '{"data": 0}');
  assert.equal(await lines.next(), undefined);
  assert.deepEqual(parseSyncMessage('{"data": -1, "message": "boom"}'), { data: -1, message: 'boom' });
  assert.equal(parseSyncMessage('nope'), undefined);
  assert.equal(parseSyncMessage(undefined), undefined);
});

test('session: start pipe gets one byte before and one after the attach message; pid, then exit code', async () => {
  const host = new FakeHost();
  host.onMonitorPipes = () => ({ _OCI_ATTACHPIPE: ['{"data": 0}'], _OCI_SYNCPIPE: ['{"data": 777}', '{"data": 42}'] });
  const ctx = { ...context(host), conmonLogLevel: 'debug' as const };
  const p = await startExecSession(ctx, { containerId: 'ctr', sessionId: 'sess', session, spec: detached, failureCode: () => 126 });
  assert.equal(p.pid, 777);
  assert.equal(p.stdin, null);
  assert.equal(p.resize, undefined);
  assert.equal(await p.exited, 42);
  assert.deepEqual(host.pipeWrites.get('_OCI_STARTPIPE'), [Buffer.of(0), Buffer.of(0)]);
  const call = host.calls.find((c) => c.kind === 'spawnMonitorPipes');
  assert.equal(call?.cwd, session.dir);
  assert.ok(!call?.args.includes('-i'), 'a detached exec has no stdin');
  // debug lines of conmon's runtime child would land in the process's stderr
  assert.equal(call?.args[(call?.args.indexOf('--log-level') ?? 0) + 1], 'info');
});

test('session: the runtime refusing the process gives its message on stderr and the mapped code', async () => {
  const host = new FakeHost();
  const msg = 'time="x" level=error msg="runc exec failed: exec: \\"nope\\": executable file not found in $PATH"';
  host.onMonitorPipes = () => ({ _OCI_ATTACHPIPE: ['{"data": 0}'], _OCI_SYNCPIPE: [JSON.stringify({ data: -1, message: msg })] });
  const p = await startExecSession(context(host), { containerId: 'ctr', sessionId: 'sess', session, spec: detached, failureCode: (m) => (m.includes('not found') ? 127 : 126) });
  assert.equal(p.pid, 0);
  assert.equal(await text(p.stderr), 'runc exec failed: exec: "nope": executable file not found in $PATH\n');
  assert.equal(await p.exited, 127);
});

test('session: conmon without an attach message is an internal error', async () => {
  const host = new FakeHost();
  host.onMonitorPipes = () => ({});
  await assert.rejects(
    startExecSession(context(host), { containerId: 'ctr', sessionId: 'sess', session, spec: detached, failureCode: () => 126 }),
    (e: unknown) => isKind(e, 'internal') && /no attach socket/.test((e as Error).message),
  );
});

test('session: a lost sync pipe falls back to the exit file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-exec-'));
  try {
    const s = execSessionPaths(bundlePaths(dir), 'ctr', 'sess');
    await mkdir(s.dir, { recursive: true });
    await writeFile(s.exit, '9');
    const host = new FakeHost();
    host.onMonitorPipes = () => ({ _OCI_ATTACHPIPE: ['{"data": 0}'], _OCI_SYNCPIPE: ['{"data": 5}'] });
    const p = await startExecSession(context(host), { containerId: 'ctr', sessionId: 'sess', session: s, spec: detached, failureCode: () => 126 });
    assert.equal(await p.exited, 9);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('session: a failed attach kills the waiting conmon (EOF on the start pipe would start the process)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-exec-'));
  try {
    const s = execSessionPaths(bundlePaths(dir), 'ctr', 'sess');
    await mkdir(s.dir, { recursive: true });
    await writeFile(s.conmonPid, '31337');
    const host = new FakeHost();
    host.cmdlines.set(31337, '/usr/bin/conmon --api-version 1 -c ctr -u sess');
    const spec: ExecSpec = { ...detached, detach: false };
    await assert.rejects(
      startExecSession(context(host), { containerId: 'ctr', sessionId: 'sess', session: s, spec, failureCode: () => 126 }),
      (e: unknown) => isKind(e, 'internal') && /attach/.test((e as Error).message),
    );
    assert.deepEqual(host.killed, [{ pid: 31337, signal: 'SIGKILL' }]);
    assert.deepEqual(host.pipeWrites.get('_OCI_STARTPIPE'), [Buffer.of(0)]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('terminal sizes: 0..65535 integers only', () => {
  checkTerminalSize(0, 65535);
  for (const [h, w] of [[-1, 80], [24, 65536], [24.5, 80], [Number.NaN, 80]] as const) {
    assert.throws(() => checkTerminalSize(h, w), (e: unknown) => isKind(e, 'invalid-argument'));
  }
});

test('resizeContainer: no TTY, exited, no monitor → conflict', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-resize-'));
  try {
    const paths = bundlePaths(dir);
    const ctx = context(new FakeHost(), new Map([['ctr', dir]]));
    await mkdir(paths.exitDir, { recursive: true });
    await writeFile(paths.config, JSON.stringify({ process: { terminal: false } }));
    await assert.rejects(resizeContainer(ctx, 'ctr', 24, 80), (e: unknown) => isKind(e, 'conflict') && /no TTY/.test((e as Error).message));
    await writeFile(paths.config, JSON.stringify({ process: { terminal: true } }));
    await assert.rejects(resizeContainer(ctx, 'ctr', 24, 80), (e: unknown) => isKind(e, 'conflict') && (e as Error).message === 'Container ctr is not running');
    await writeFile(join(paths.exitDir, 'ctr'), '0');
    await assert.rejects(resizeContainer(ctx, 'ctr', 24, 80), (e: unknown) => isKind(e, 'conflict') && (e as Error).message === 'Container ctr is not running');
    await assert.rejects(resizeContainer(ctx, 'gone', 24, 80), (e: unknown) => isKind(e, 'conflict'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
