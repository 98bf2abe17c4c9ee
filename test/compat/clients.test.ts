/**
 * The client libraries Docker users keep, pointed at berthd unchanged: dockerode (npm),
 * docker-py (Debian's python3-docker) and docker-compose v1 (Debian's docker-compose, built on
 * docker-py). Each drives a typical session: containers, exec, logs, attach, build, networks,
 * volumes, and a compose project with a built service, DNS between services, a published port
 * and a named volume.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { docker, ok, runProgram, uniqueName } from '../helpers/docker.js';
import { loadBusybox } from '../helpers/image.js';
import { IS_ROOT, REPO_ROOT } from '../helpers/paths.js';
import { freePort } from '../helpers/ports.js';

const PYTHON = '/usr/bin/python3';
const COMPOSE = '/usr/bin/docker-compose';
const skip = !IS_ROOT ? 'needs root' : false;

describe('client libraries against berthd', { skip }, () => {
  let d: TestDaemon;
  let work: string;

  before(async () => {
    d = await startDaemon();
    await loadBusybox(d.socket);
    work = await mkdtemp(join(tmpdir(), 'berth-clients-'));
  });
  after(async () => {
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('dockerode: create, start, exec with its demuxer, run, logs, attach with stdin, stats, events, errors', async () => {
    const api = new Docker({ socketPath: d.socket });
    assert.equal((await api.ping()).toString(), 'OK');
    const name = uniqueName('dode');
    const c = await api.createContainer({ Image: 'busybox', Cmd: ['sleep', '60'], name });
    try {
      await c.start();
      assert.equal((await c.inspect()).State.Running, true);

      const ex = await c.exec({ Cmd: ['sh', '-c', 'echo out; echo err >&2; exit 5'], AttachStdout: true, AttachStderr: true });
      const stream = await ex.start({});
      const [out, err] = [new PassThrough(), new PassThrough()];
      const [o, e] = [collect(out), collect(err)];
      api.modem.demuxStream(stream, out, err);
      await new Promise((r) => stream.on('end', r));
      out.end();
      err.end();
      assert.deepEqual([await o, await e, (await ex.inspect()).ExitCode], ['out\n', 'err\n', 5]);

      const ran = new PassThrough();
      const ranText = collect(ran);
      // dockerode asks for /wait only after the start, when an AutoRemove container may be gone
      // already: berthd still answers that wait with the exit code (engine.test.ts pins it down)
      const [res] = (await api.run('busybox', ['echo', 'ran'], ran, { HostConfig: { AutoRemove: true } })) as [{ StatusCode: number }];
      ran.end();
      // one output stream: dockerode asks for a TTY, whose line discipline writes \r\n
      assert.deepEqual([res.StatusCode, await ranText], [0, 'ran\r\n']);

      const lc = await api.createContainer({ Image: 'busybox', Cmd: ['sh', '-c', 'echo l1; echo l2 >&2'] });
      await lc.start();
      await lc.wait();
      // multiplexed: stream type, three zero bytes, big-endian length, payload
      const logs = (await lc.logs({ stdout: true, stderr: true })) as unknown as Buffer;
      assert.deepEqual(logs, Buffer.concat([frame(1, 'l1\n'), frame(2, 'l2\n')]));
      await lc.remove();

      const a = await api.createContainer({ Image: 'busybox', Cmd: ['cat'], OpenStdin: true, StdinOnce: true, AttachStdin: true, AttachStdout: true });
      const as = await a.attach({ stream: true, stdin: true, stdout: true, stderr: true, hijack: true });
      const ao = new PassThrough();
      const aoText = collect(ao);
      api.modem.demuxStream(as, ao, ao);
      await a.start();
      as.end('piped\n');
      assert.equal((await a.wait()).StatusCode, 0);
      ao.end();
      assert.equal(await aoText, 'piped\n');
      await a.remove();

      assert.ok((await api.listContainers()).some((x) => x.Names.includes(`/${name}`)));
      const st = await c.stats({ stream: false });
      assert.equal(typeof st.memory_stats.usage, 'number');
      const now = Math.floor(Date.now() / 1000);
      const ev = await api.getEvents({ since: now - 60, until: now + 1, filters: { container: [name] } });
      const events = (await collect(ev)).split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { Action: string }).Action);
      assert.deepEqual(events.slice(0, 2), ['create', 'start']);
      await assert.rejects(api.getContainer(`no-such-${name}`).inspect(), (err: { statusCode?: number; json?: { message?: string } }) => {
        assert.equal(err.statusCode, 404);
        assert.equal(err.json?.message, `No such container: no-such-${name}`);
        return true;
      });
    } finally {
      await c.remove({ force: true });
    }
  });

  it('docker-py: run, exec with demux, top, stats, build, networks, volumes, NotFound, stop and wait', { skip: existsSync(PYTHON) ? false : `no ${PYTHON}` }, async () => {
    const name = uniqueName('dpy');
    const r = ok(await runProgram(PYTHON, [join(REPO_ROOT, 'test/fixtures/clients/docker_py_flow.py'), name], { env: { DOCKER_HOST: d.host }, timeoutMs: 120_000 }));
    const seen = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(seen, {
      ping: true,
      api: '1.47',
      run: 'hello\nerr\n',
      status: 'running',
      exec: [3, '42\n', 'oops\n'],
      top: ['UID', 'PID'],
      stats: ['cpu_stats', 'memory_stats', 'pids_stats'],
      build: [[`${name}-img:latest`], 'built\n'],
      networks: ['bridge', `${name}-net`],
      volume: 'v\n',
      notfound: `No such container: no-such-${name}`,
      wait: 137,
    });
  });

  it('docker-compose: up with a built service, DNS between services, a published port, a named volume; exec, run, logs, down -v', { skip: existsSync(COMPOSE) ? false : `no ${COMPOSE}` }, async () => {
    const project = uniqueName('cmp').replace(/[^a-z0-9]/g, '');
    const dir = join(work, project);
    await mkdir(join(dir, 'app'), { recursive: true });
    const port = await freePort();
    await writeFile(join(dir, 'docker-compose.yml'), [
      'version: "3.8"',
      'services:',
      '  web:',
      '    build: ./app',
      `    ports: ["127.0.0.1:${port}:8080"]`,
      '    volumes: ["data:/data"]',
      '    environment: { GREETING: hello }',
      '    depends_on: [db]',
      '  db:',
      '    image: busybox',
      '    command: ["sh", "-c", "echo db up; sleep 100000"]',
      'volumes:',
      '  data: {}',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'app', 'Dockerfile'), [
      'FROM busybox',
      'RUN mkdir -p /www && echo ok > /www/index.html',
      'CMD ["sh", "-c", "echo $GREETING > /data/g; ping -c1 -W2 db >/dev/null && echo resolved db; httpd -f -p 8080 -h /www"]',
      '',
    ].join('\n'));
    const compose = (args: string[]) => runProgram(COMPOSE, ['-p', project, ...args], { cwd: dir, env: { DOCKER_HOST: d.host }, timeoutMs: 120_000 });
    try {
      ok(await compose(['up', '-d']));
      const states = ok(await docker(d.host, ['ps', '--filter', `label=com.docker.compose.project=${project}`, '--format', '{{.Label "com.docker.compose.service"}} {{.State}}'])).stdout;
      assert.deepEqual(states.trim().split('\n').sort(), ['db running', 'web running']);
      assert.equal(await httpGet(port), 'ok\n');
      assert.equal(ok(await compose(['exec', '-T', 'web', 'cat', '/data/g'])).stdout, 'hello\n');
      assert.equal(ok(await compose(['run', '--rm', '-T', 'db', 'echo', 'one-off'])).stdout.trim().split('\n').at(-1), 'one-off');
      for (let i = 0; i < 50 && !ok(await compose(['logs', 'web'])).stdout.includes('resolved db'); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(ok(await compose(['logs', 'web'])).stdout, /resolved db/);
    } finally {
      ok(await compose(['down', '-v', '--rmi', 'local']));
    }
    const left = ok(await docker(d.host, ['ps', '-a', '-q', '--filter', `label=com.docker.compose.project=${project}`])).stdout;
    assert.equal(left, '');
    assert.doesNotMatch(ok(await docker(d.host, ['network', 'ls', '--format', '{{.Name}}'])).stdout, new RegExp(project));
    assert.doesNotMatch(ok(await docker(d.host, ['volume', 'ls', '-q'])).stdout, new RegExp(project));
  });
});

function collect(s: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve) => {
    let t = '';
    s.on('data', (c: Buffer) => (t += c.toString()));
    s.on('end', () => resolve(t));
  });
}

function frame(stream: number, text: string): Buffer {
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(Buffer.byteLength(text), 4);
  return Buffer.concat([head, Buffer.from(text)]);
}

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const attempt = (left: number): void => {
      get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      }).on('error', (err) => (left > 0 ? setTimeout(() => attempt(left - 1), 100) : reject(err)));
    };
    attempt(50);
  });
}
