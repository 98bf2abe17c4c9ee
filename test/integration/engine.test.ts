/**
 * Engine behaviour through the API on a real berthd: log rotation (daemon.json log-opts and
 * per-container --log-opt) with `logs` reading across rotated files, attach (log replay,
 * several clients, stdin with StdinOnce), wait conditions, start failures, list filters and
 * exec inspection.
 */
import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { uniqueName } from '../helpers/docker.js';
import { demuxFrames, hijack } from '../helpers/hijack.js';
import { api, demux } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { IS_ROOT } from '../helpers/paths.js';

const skip = IS_ROOT ? false : 'needs root';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('engine through the API', { skip }, () => {
  let d: TestDaemon;
  let cfgDir: string;
  let sock: string;

  const create = async (body: Record<string, unknown>, name = uniqueName('eng')): Promise<string> => {
    const r = await api(sock, { method: 'POST', path: `/containers/create?name=${name}`, body: { Image: 'busybox', ...body } });
    assert.equal(r.status, 201, r.text);
    return r.json<{ Id: string }>().Id;
  };
  const start = async (id: string): Promise<void> => {
    const r = await api(sock, { method: 'POST', path: `/containers/${id}/start` });
    assert.equal(r.status, 204, r.text);
  };
  const inspect = async (id: string) => (await api(sock, { path: `/containers/${id}/json` })).json<{
    State: { Status: string; ExitCode: number; Error: string; Running: boolean };
  }>();
  const waitExit = async (id: string): Promise<number> => {
    const r = await api(sock, { method: 'POST', path: `/containers/${id}/wait`, timeoutMs: 60_000 });
    assert.equal(r.status, 200, r.text);
    return r.json<{ StatusCode: number }>().StatusCode;
  };
  const logs = async (id: string, q = 'stdout=1&stderr=1') => demux((await api(sock, { path: `/containers/${id}/logs?${q}` })).body);

  before(async () => {
    cfgDir = await mkdtemp(join(tmpdir(), 'berth-engine-cfg-'));
    const cfg = join(cfgDir, 'daemon.json');
    await writeFile(cfg, JSON.stringify({ 'log-opts': { 'max-size': '1k', 'max-file': '3' }, 'detach-keys': 'ctrl-x,x' }));
    d = await startDaemon({ args: ['--config-file', cfg] });
    sock = d.socket;
    await loadBusybox(sock);
  });
  after(async () => {
    await d?.stop();
    await rm(cfgDir, { recursive: true, force: true });
  });

  it('rotates logs by daemon.json log-opts and reads across the rotated files', async () => {
    // four bursts of 50 lines, 1.5 s apart: with max-size 1k and max-file 3, the first burst is dropped
    const script = 'for b in 0 1 2 3; do i=0; while [ $i -lt 50 ]; do echo line-$((b*50+i)); i=$((i+1)); done; sleep 1.5; done';
    const id = await create({ Cmd: ['sh', '-c', script] });
    await start(id);
    assert.equal(await waitExit(id), 0);
    const files = (await readdir(join(d.dataRoot, 'containers', id))).filter((f) => f.startsWith('ctr.log'));
    assert.ok(files.includes('ctr.log.1'), `rotated files: ${files.join(' ')}`);
    assert.ok(!files.includes('ctr.log.3'), `max-file 3 keeps at most two rotated files: ${files.join(' ')}`);
    const lines = (await logs(id)).stdout.trim().split('\n');
    const nums = lines.map((l) => Number(l.replace('line-', '')));
    assert.equal(nums.at(-1), 199, 'the newest line is there');
    assert.ok(!nums.includes(0), 'the oldest burst was rotated away');
    nums.forEach((n, i) => i > 0 && assert.equal(n, nums[i - 1]! + 1, `lines are contiguous and ordered at ${i}`));
    assert.ok(nums.length >= 100, `at least the last two bursts are readable (${nums.length})`);
    const tail = (await logs(id, 'stdout=1&tail=3')).stdout;
    assert.equal(tail, 'line-197\nline-198\nline-199\n');
  });

  it('a per-container --log-opt overrides the daemon default; a bad one is a 400', async () => {
    const id = await create({
      Cmd: ['sh', '-c', 'i=0; while [ $i -lt 100 ]; do echo line-$i; i=$((i+1)); done; sleep 1.5'],
      HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': '10m' } } },
    });
    await start(id);
    await waitExit(id);
    const files = (await readdir(join(d.dataRoot, 'containers', id))).filter((f) => f.startsWith('ctr.log'));
    assert.deepEqual(files, ['ctr.log']);
    assert.equal((await logs(id)).stdout.split('\n').filter(Boolean).length, 100);
    const bad = await api(sock, {
      method: 'POST', path: '/containers/create',
      body: { Image: 'busybox', Cmd: ['true'], HostConfig: { LogConfig: { Type: 'json-file', Config: { 'max-size': 'lots' } } } },
    });
    assert.equal(bad.status, 400, bad.text);
  });

  it('attach: log replay, two clients at once, stdin with StdinOnce', async () => {
    const id = await create({
      Cmd: ['sh', '-c', 'echo before; read x; echo got-$x; echo err-line >&2'],
      OpenStdin: true, StdinOnce: true, AttachStdin: true,
    });
    await start(id);
    for (let i = 0; i < 50 && !(await logs(id)).stdout.includes('before'); i++) await sleep(50);
    const q = 'logs=1&stream=1&stdout=1&stderr=1';
    const a = await hijack(sock, `/v1.47/containers/${id}/attach?${q}&stdin=1`);
    const b = await hijack(sock, `/v1.47/containers/${id}/attach?${q}`);
    assert.match(a.head, /^HTTP\/1.1 101 UPGRADED/);
    assert.match(a.head, /Content-Type: application\/vnd.docker.multiplexed-stream/);
    a.socket.end('hello\n'); // stdin, then half-close: StdinOnce closes the container's stdin
    const [outA, outB] = await Promise.all([a.done, b.done]);
    for (const out of [demuxFrames(outA), demuxFrames(outB)]) {
      assert.equal(out.stdout, 'before\ngot-hello\n');
      assert.equal(out.stderr, 'err-line\n');
    }
    assert.equal(await waitExit(id), 0);
  });

  it('TTY attach: the daemon detaches on its configured keys (or the request\'s), the container keeps running', async () => {
    const id = await create({ Cmd: ['sh'], Tty: true, OpenStdin: true, AttachStdin: true });
    await start(id);
    const a = await hijack(sock, `/v1.47/containers/${id}/attach?stream=1&stdin=1&stdout=1&stderr=1`);
    assert.match(a.head, /Content-Type: application\/vnd.docker.raw-stream/);
    a.socket.write('echo tty-$((6*7))\n');
    for (let i = 0; i < 50 && !a.received().toString().includes('tty-42'); i++) await sleep(50);
    assert.match(a.received().toString(), /tty-42/);
    a.socket.write(Buffer.from([24, 120])); // ctrl-x x, from daemon.json
    await a.done; // the daemon ended the stream
    assert.equal((await inspect(id)).State.Running, true);
    const b = await hijack(sock, `/v1.47/containers/${id}/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-a`);
    b.socket.write('echo back\n');
    for (let i = 0; i < 50 && !b.received().toString().includes('back'); i++) await sleep(50);
    b.socket.write(Buffer.from([1]));
    await b.done;
    assert.equal((await inspect(id)).State.Running, true, 'stdin stays open after a detach');
    const bad = await api(sock, { method: 'POST', path: `/containers/${id}/attach?stream=1&stdin=1&detachKeys=ctrl-1` });
    assert.equal(bad.status, 400);
    const c = await hijack(sock, `/v1.47/containers/${id}/attach?stream=1&stdin=1&stdout=1`);
    c.socket.write('exit 6\n');
    await c.done;
    assert.equal(await waitExit(id), 6);
  });

  it('wait: next-exit and removed registered before start; not-running answers at once', async () => {
    const id = await create({ Cmd: ['sh', '-c', 'exit 3'] });
    const nextExit = api(sock, { method: 'POST', path: `/containers/${id}/wait?condition=next-exit`, timeoutMs: 30_000 });
    const removed = api(sock, { method: 'POST', path: `/containers/${id}/wait?condition=removed`, timeoutMs: 30_000 });
    await sleep(100);
    await start(id);
    assert.deepEqual((await nextExit).json(), { StatusCode: 3, Error: null });
    const notRunning = await api(sock, { method: 'POST', path: `/containers/${id}/wait?condition=not-running` });
    assert.equal(notRunning.json<{ StatusCode: number }>().StatusCode, 3);
    assert.equal((await api(sock, { method: 'DELETE', path: `/containers/${id}` })).status, 204);
    assert.equal((await removed).json<{ StatusCode: number }>().StatusCode, 3);
    const gone = await api(sock, { method: 'POST', path: `/containers/${id}/wait` });
    assert.equal(gone.status, 404); // the container is gone
    // moby checks the condition before it looks the container up
    const bad = await api(sock, { method: 'POST', path: `/containers/${id}/wait?condition=someday` });
    assert.deepEqual([bad.status, bad.json<{ message: string }>().message], [400, 'invalid condition: "someday"']);
  });

  it('wait by id right after AutoRemove took the container gets its exit code (dockerode waits after the start)', async () => {
    const name = uniqueName('autorm');
    const id = await create({ Cmd: ['sh', '-c', 'exit 7'], HostConfig: { AutoRemove: true } }, name);
    await start(id);
    for (let i = 0; i < 100 && (await api(sock, { path: `/containers/${id}/json` })).status !== 404; i++) await sleep(20);
    assert.equal((await api(sock, { path: `/containers/${id}/json` })).status, 404, 'removed');
    assert.deepEqual((await api(sock, { method: 'POST', path: `/containers/${id}/wait` })).json(), { StatusCode: 7, Error: null });
    assert.equal((await api(sock, { method: 'POST', path: `/containers/${id}/wait?condition=removed` })).json<{ StatusCode: number }>().StatusCode, 7);
    // a next exit will never come, and only the id is remembered
    assert.equal((await api(sock, { method: 'POST', path: `/containers/${id}/wait?condition=next-exit` })).status, 404);
    assert.equal((await api(sock, { method: 'POST', path: `/containers/${name}/wait` })).status, 404);
  });

  it('a start failure records 127 and leaves the container created; with AutoRemove it is removed', async () => {
    const id = await create({ Cmd: ['no-such-command'] });
    const r = await api(sock, { method: 'POST', path: `/containers/${id}/start` });
    assert.equal(r.status, 400, r.text);
    assert.match(r.json<{ message: string }>().message, /executable file not found/);
    const st = (await inspect(id)).State;
    assert.equal(st.Status, 'created');
    assert.equal(st.ExitCode, 127);
    assert.match(st.Error, /executable file not found/);
    const auto = await create({ Cmd: ['no-such-command'], HostConfig: { AutoRemove: true } });
    await api(sock, { method: 'POST', path: `/containers/${auto}/start` });
    for (let i = 0; i < 50 && (await api(sock, { path: `/containers/${auto}/json` })).status !== 404; i++) await sleep(50);
    assert.equal((await api(sock, { path: `/containers/${auto}/json` })).status, 404);
  });

  it('lists with ancestor, exited, id and limit filters', async () => {
    const label = uniqueName('flt');
    const ids: string[] = [];
    for (const code of [0, 5]) {
      const id = await create({ Cmd: ['sh', '-c', `exit ${code}`], Labels: { [label]: '1' } });
      await start(id);
      await waitExit(id);
      ids.push(id);
    }
    const list = async (filters: Record<string, string[]>, extra = '') => (await api(sock, {
      path: `/containers/json?all=1${extra}&filters=${encodeURIComponent(JSON.stringify({ label: [label], ...filters }))}`,
    })).json<Array<{ Id: string; Image: string; State: string; Status: string }>>();
    assert.equal((await list({})).length, 2);
    assert.deepEqual((await list({ exited: ['5'] })).map((c) => c.Id), [ids[1]]);
    assert.deepEqual((await list({ id: [ids[0]!.slice(0, 10)] })).map((c) => c.Id), [ids[0]]);
    assert.equal((await list({ ancestor: ['busybox'] })).length, 2);
    assert.equal((await list({ ancestor: ['busybox:nope'] })).length, 0);
    const latest = await list({}, '&limit=1');
    assert.deepEqual(latest.map((c) => c.Id), [ids[1]], 'newest first');
    assert.match(latest[0]!.Status, /^Exited \(5\) /);
    const bad = await api(sock, { path: `/containers/json?filters=${encodeURIComponent('{"bogus":["x"]}')}` });
    assert.equal(bad.status, 400);
  });

  it('exec inspect reports Running, Pid and ExitCode', async () => {
    const id = await create({ Cmd: ['sleep', '30'] });
    await start(id);
    const c = await api(sock, { method: 'POST', path: `/containers/${id}/exec`, body: { Cmd: ['sh', '-c', 'sleep 0.3; exit 4'] } });
    assert.equal(c.status, 201, c.text);
    const execId = c.json<{ Id: string }>().Id;
    const before = (await api(sock, { path: `/exec/${execId}/json` })).json<{ Running: boolean; ExitCode: number | null }>();
    assert.deepEqual([before.Running, before.ExitCode], [false, null]);
    const created = (await api(sock, { path: `/containers/${id}/json` })).json<{ ExecIDs: string[] | null }>();
    assert.deepEqual(created.ExecIDs, [execId], 'a created exec is in ExecIDs');
    const s = await api(sock, { method: 'POST', path: `/exec/${execId}/start`, body: { Detach: true } });
    assert.equal(s.status, 200, s.text);
    let info = (await api(sock, { path: `/exec/${execId}/json` })).json<{ Running: boolean; ExitCode: number | null; Pid: number; ContainerID: string }>();
    assert.equal(info.Running, true);
    assert.ok(info.Pid > 0);
    for (let i = 0; i < 60 && info.Running; i++) {
      await sleep(50);
      info = (await api(sock, { path: `/exec/${execId}/json` })).json();
    }
    assert.equal(info.ExitCode, 4);
    assert.equal(info.ContainerID, id);
    const again = await api(sock, { method: 'POST', path: `/exec/${execId}/start`, body: { Detach: true } });
    assert.equal(again.status, 409);
    // Docker drops an exec from its container's ExecIDs when it exits (/exec/{id}/json still answers)
    const inspected = (await api(sock, { path: `/containers/${id}/json` })).json<{ ExecIDs: string[] | null }>();
    assert.equal(inspected.ExecIDs, null);
  });
});
