/**
 * The Engine API on the wire (raw HTTP on the unix socket): headers, versioned paths, error
 * statuses and bodies, robustness against malformed requests, and daemon restarts (containers
 * outlive berthd; a second daemon on the same data root refuses to start).
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startDaemon, daemonArgs, type TestDaemon } from '../helpers/daemon.js';
import { api } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { docker, ok, uniqueName } from '../helpers/docker.js';
import { BERTHD_BIN, IS_ROOT, REPO_ROOT } from '../helpers/paths.js';

const skip = IS_ROOT ? false : 'needs root';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function create(socket: string, name: string, body: Record<string, unknown>): Promise<string> {
  const r = await api(socket, { method: 'POST', path: `/containers/create?name=${name}`, body });
  assert.equal(r.status, 201, r.text);
  return r.json<{ Id: string }>().Id;
}
async function start(socket: string, id: string): Promise<void> {
  const r = await api(socket, { method: 'POST', path: `/containers/${id}/start` });
  assert.equal(r.status, 204, r.text);
}
interface State {
  Running: boolean;
  Status: string;
  Pid: number;
  ExitCode: number;
}
async function state(socket: string, id: string): Promise<State> {
  const r = await api(socket, { path: `/containers/${id}/json` });
  assert.equal(r.status, 200, r.text);
  return r.json<{ State: State }>().State;
}
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
/** Alive and not a zombie (an orphan's zombie waits for pid 1 to reap it). */
function running(pid: number): boolean {
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}
/** A child of `parent` running `crun exec` with a FIFO under `execDir` as its process file. */
function primedRuntime(parent: number, execDir: string): { pid: number; session: string } | undefined {
  for (const p of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== parent) continue;
      const args = readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0');
      const file = args[args.indexOf('--process') + 1] ?? '';
      if (file.startsWith(`${execDir}/`) && statSync(file).isFIFO()) return { pid: Number(p), session: file.slice(execDir.length + 1).split('/')[0]! };
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}
function message(r: { json<T>(): T }): string {
  const m = r.json<{ message?: unknown }>().message;
  assert.equal(typeof m, 'string', 'error body has a string "message"');
  return m as string;
}

/** Writes raw bytes on a fresh connection, reads for a moment, then tears the connection down. */
function rawExchange(socket: string, data: string): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(socket);
    let got = '';
    c.on('data', (b: Buffer) => (got += b.toString()));
    c.on('error', () => {});
    c.write(data);
    setTimeout(() => {
      c.destroy();
      resolve(got);
    }, 300);
  });
}

describe('Engine API', { skip }, () => {
  let d: TestDaemon;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d.socket);
  });
  after(async () => {
    await d?.stop();
  });

  it('runs under bin/berthd\'s Node flags (the heap room that keeps pulls out of full GCs)', async () => {
    const argv = readFileSync(`/proc/${d.pid}/cmdline`, 'utf8').split('\0');
    const shebang = readFileSync(BERTHD_BIN, 'utf8').split('\n')[0]!;
    const flag = /--initial-old-space-size=\d+/.exec(shebang)?.[0];
    assert.ok(flag, `bin/berthd's #! line names the heap flag: ${shebang}`);
    assert.ok(argv.includes(flag), `berthd runs as: ${argv.join(' ')}`);
  });

  it('answers /_ping with Docker headers', async () => {
    const r = await api(d.socket, { path: '/_ping' });
    assert.equal(r.status, 200);
    assert.equal(r.text, 'OK');
    assert.match(String(r.headers['api-version']), /^1\.\d+$/);
    assert.match(String(r.headers['server']), /\(linux\)$/);
    assert.equal(r.headers['ostype'], 'linux');
    assert.equal(r.headers['docker-experimental'], 'false');
    assert.match(String(r.headers['cache-control']), /no-cache/);
    assert.equal(r.headers['pragma'], 'no-cache');
    const head = await api(d.socket, { method: 'HEAD', path: '/_ping' });
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    assert.match(String(head.headers['api-version']), /^1\.\d+$/);
  });

  it('serves versioned and unversioned paths', async () => {
    const v = await api(d.socket, { path: '/v1.41/version' });
    assert.equal(v.status, 200, v.text);
    const body = v.json<{ ApiVersion: string; MinAPIVersion: string; Os: string }>();
    assert.match(body.ApiVersion, /^1\.\d+$/);
    assert.equal(body.Os, 'linux');
    assert.ok(Number(body.MinAPIVersion.split('.')[1]) <= 41, `MinAPIVersion ${body.MinAPIVersion}`);
    for (const p of ['/version', '/v1.47/version', '/v1.41/containers/json', '/containers/json?all=1', '/v1.45/images/json']) {
      const r = await api(d.socket, { path: p });
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      assert.match(String(r.headers['content-type']), /application\/json/);
    }
    const old = await api(d.socket, { path: '/v1.12/version' });
    assert.equal(old.status, 400);
    assert.match(message(old), /too old/);
    const future = await api(d.socket, { path: '/v9.99/version' });
    assert.equal(future.status, 400);
    assert.match(message(future), /too new/);
  });

  it('answers 2000 connections opened at once (its accept queue is as deep as net.core.somaxconn)', async () => {
    // docker stats --no-stream opens one connection per container at the same moment; with
    // Node's default queue of 511 the rest were refused (EAGAIN) and their rows went missing
    const results = await Promise.all(Array.from({ length: 2000 }, () => new Promise<string>((resolve) => {
      const c = connect(d.socket);
      let head = '';
      c.on('connect', () => c.write('GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      c.on('data', (b: Buffer) => (head += b.toString('latin1')));
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      c.on('close', () => resolve(head.split('\r\n')[0] ?? ''));
    })));
    const counts = new Map<string, number>();
    for (const r of results) counts.set(r, (counts.get(r) ?? 0) + 1);
    assert.deepEqual([...counts], [['HTTP/1.1 200 OK', 2000]]);
  });

  it('answers 404 with a JSON message for an unknown endpoint', async () => {
    for (const p of ['/nope', '/v1.41/containers/x/nope', '/v1.41/frobnicate']) {
      const r = await api(d.socket, { path: p });
      assert.equal(r.status, 404, p);
      assert.match(String(r.headers['content-type']), /application\/json/);
      assert.ok(message(r).length > 0);
    }
  });

  it('rejects malformed requests with the right status and keeps serving', async () => {
    const post = (path: string, body: unknown, headers: Record<string, string> = { 'Content-Type': 'application/json' }) =>
      api(d.socket, { method: 'POST', path, body, headers });

    const badJson = await post('/containers/create', '{"Image": "busybox",');
    assert.equal(badJson.status, 400, badJson.text);
    message(badJson);

    const wrongType = await post('/containers/create', JSON.stringify({ Image: 123 }));
    assert.equal(wrongType.status, 400, wrongType.text);
    assert.match(message(wrongType), /Image/);

    const wrongNested = await post('/containers/create', JSON.stringify({ Image: 'busybox', HostConfig: { Memory: 'lots' } }));
    assert.equal(wrongNested.status, 400, wrongNested.text);
    assert.match(message(wrongNested), /Memory/);

    const notObject = await post('/containers/create', '[1,2,3]');
    assert.equal(notObject.status, 400, notObject.text);

    const badRef = await post('/containers/create', JSON.stringify({ Image: 'UPPER/Case:tag' }));
    assert.equal(badRef.status, 400, badRef.text);
    assert.match(message(badRef), /invalid reference format/);

    const noContainer = await api(d.socket, { path: '/containers/no-such-ctr-x/json' });
    assert.equal(noContainer.status, 404);
    assert.equal(message(noContainer), 'No such container: no-such-ctr-x');
    for (const [method, path] of [
      ['POST', '/containers/no-such-ctr-x/start'],
      ['POST', '/containers/no-such-ctr-x/stop'],
      ['POST', '/containers/no-such-ctr-x/kill'],
      ['DELETE', '/containers/no-such-ctr-x'],
      ['GET', '/containers/no-such-ctr-x/logs?stdout=1'],
    ] as const) {
      const r = await api(d.socket, { method, path });
      assert.equal(r.status, 404, `${method} ${path}: ${r.text}`);
      assert.match(message(r), /No such container: no-such-ctr-x/);
    }
    const noImage = await api(d.socket, { path: '/images/no-such-img-x/json' });
    assert.equal(noImage.status, 404);
    assert.match(message(noImage), /No such image: no-such-img-x/);
    const createMissing = await post('/containers/create', JSON.stringify({ Image: 'no-such-img-x:latest' }));
    assert.equal(createMissing.status, 404, createMissing.text);
    assert.match(message(createMissing), /No such image: no-such-img-x:latest/);

    const name = uniqueName('conflict');
    const id = await create(d.socket, name, { Image: 'busybox', Cmd: ['sleep', '300'] });
    const dup = await post(`/containers/create?name=${name}`, JSON.stringify({ Image: 'busybox' }));
    assert.equal(dup.status, 409, dup.text);
    assert.match(message(dup), new RegExp(`The container name "/${name}" is already in use`));
    const badName = await post('/containers/create?name=bad%20name!', JSON.stringify({ Image: 'busybox' }));
    assert.equal(badName.status, 400, badName.text);

    await start(d.socket, id);
    const rmRunning = await api(d.socket, { method: 'DELETE', path: `/containers/${id}` });
    assert.equal(rmRunning.status, 409, rmRunning.text);
    assert.match(message(rmRunning), /running/);
    const startAgain = await api(d.socket, { method: 'POST', path: `/containers/${id}/start` });
    assert.equal(startAgain.status, 304, startAgain.text);
    const badSignal = await api(d.socket, { method: 'POST', path: `/containers/${id}/kill?signal=NOPE` });
    assert.equal(badSignal.status, 400, badSignal.text);
    const rm = await api(d.socket, { method: 'DELETE', path: `/containers/${id}?force=1` });
    assert.equal(rm.status, 204, rm.text);

    // a torn connection and garbage on the socket do not hurt the daemon
    await rawExchange(d.socket, 'GARBAGE\r\n\r\n');
    await rawExchange(d.socket, 'POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"Ima');
    await rawExchange(d.socket, 'GET /containers/json HTTP/1.1\r\nHost: x\r\nContent-Length: nope\r\n\r\n');
    const ping = await api(d.socket, { path: '/_ping' });
    assert.equal(ping.status, 200);
    assert.equal(ping.text, 'OK');
  });
});

describe('daemon restart', { skip }, () => {
  let d: TestDaemon | undefined;
  after(async () => {
    await d?.stop();
  });

  it('re-adopts running containers and records exits it missed', async () => {
    const first = await startDaemon();
    d = first;
    await loadBusybox(first.socket);
    const keep = await create(first.socket, uniqueName('keep'), { Image: 'busybox', Cmd: ['sleep', '300'] });
    await start(first.socket, keep);
    const short = await create(first.socket, uniqueName('short'), { Image: 'busybox', Cmd: ['sh', '-c', 'sleep 2; exit 3'] });
    await start(first.socket, short);
    const keepPid = (await state(first.socket, keep)).Pid;
    const shortPid = (await state(first.socket, short)).Pid;
    assert.ok(keepPid > 0 && shortPid > 0);

    assert.equal(await first.terminate(), 0, 'berthd exits 0 on SIGTERM');
    assert.ok(alive(keepPid), 'the container outlives the daemon');
    for (let i = 0; i < 100 && alive(shortPid); i++) await sleep(100);
    assert.ok(!alive(shortPid), 'the short container has exited');

    const second = await startDaemon({ dir: first.dir });
    d = second;
    const k = await state(second.socket, keep);
    assert.equal(k.Running, true);
    assert.equal(k.Pid, keepPid);
    const s = await state(second.socket, short);
    assert.equal(s.Running, false);
    assert.equal(s.Status, 'exited');
    assert.equal(s.ExitCode, 3);
    const w = await api(second.socket, { method: 'POST', path: `/containers/${keep}/kill` });
    assert.equal(w.status, 204, w.text);
    const waited = await api(second.socket, { method: 'POST', path: `/containers/${keep}/wait` });
    assert.equal(waited.json<{ StatusCode: number }>().StatusCode, 137);
  });

  it('a daemon killed with SIGKILL takes its primed exec runtime along, and the next one sweeps its session dir', async () => {
    await d?.stop();
    const first = await startDaemon();
    d = first;
    await loadBusybox(first.socket);
    const id = await create(first.socket, uniqueName('primed'), { Image: 'busybox', Cmd: ['sleep', '300'] });
    await start(first.socket, id);
    // two execs in a row into one container prime a runtime for the next (src/runtime/exec-launcher.ts)
    for (let i = 0; i < 2; i++) ok(await docker(first.host, ['exec', id, 'true']));
    const execDir = join(first.execRoot, 'containers', id, 'exec');
    let primed: { pid: number; session: string } | undefined;
    for (let i = 0; i < 200 && !primed; i++) {
      primed = primedRuntime(first.pid, execDir);
      if (!primed) await sleep(10);
    }
    assert.ok(primed, 'a runtime was primed');
    process.kill(first.pid, 'SIGKILL');
    await first.terminate();
    for (let i = 0; i < 100 && running(primed.pid); i++) await sleep(10);
    assert.ok(!running(primed.pid), 'the primed runtime died with the daemon');
    assert.ok(existsSync(join(execDir, primed.session)), 'its session dir was left behind');

    const second = await startDaemon({ dir: first.dir });
    d = second;
    for (let i = 0; i < 100 && existsSync(join(execDir, primed.session)); i++) await sleep(20);
    assert.ok(!existsSync(join(execDir, primed.session)), 'the next daemon removed it');
    const r = ok(await docker(second.host, ['exec', id, 'echo', 'still here']));
    assert.equal(r.stdout, 'still here\n');
  });

  it('a second daemon on the same data root exits with a clear message', async () => {
    d ??= await startDaemon();
    const running = d;
    const child = spawn(BERTHD_BIN, daemonArgs(running.dir), { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const code = await new Promise<number | null>((resolve) => {
      const t = setTimeout(() => {
        child.kill('SIGKILL');
        resolve(null);
      }, 10_000);
      child.on('exit', (c) => {
        clearTimeout(t);
        resolve(c);
      });
    });
    assert.notEqual(code, null, 'the second daemon should exit by itself');
    assert.notEqual(code, 0);
    assert.match(output, /already|in use|lock|running/i);
    const ping = await api(running.socket, { path: '/_ping' });
    assert.equal(ping.text, 'OK', 'the first daemon still serves');
  });
});
