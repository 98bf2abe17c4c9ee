/**
 * The image side of container data (issue 6): diff, commit, export and `ps -s`, driven by the
 * real docker CLI and by the berth CLI against one berthd. Assertions follow Docker's output.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, clientCommand, runProgram, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { api } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';


/** Member names and file contents of a tar. */
async function readTar(bytes: Buffer): Promise<Map<string, { type: string; body: string }>> {
  const extract = tar.extract();
  Readable.from([bytes]).pipe(extract as unknown as NodeJS.WritableStream);
  const out = new Map<string, { type: string; body: string }>();
  for await (const e of extract) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name, { type: e.header.type ?? 'file', body: Buffer.concat(chunks).toString() });
  }
  return out;
}

/**
 * `rmi` once the image is free: berthd answers the wait for a `--rm` container's removal while
 * its rootfs is still being cleaned up, which keeps the image busy for a moment.
 */
async function rmiEventually(cli: Cli, image: string): Promise<void> {
  for (let i = 0; ; i++) {
    const r = await cli(['rmi', image]);
    if (r.code === 0 || i >= 50 || !/being used|is using/.test(r.stderr)) return void ok(r, `rmi ${image}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** The script a container runs: adds, changes and deletes files. */
const CHANGES = 'echo hi > /hello; rm /bin/ls; echo x >> /etc/passwd; mkdir -p /tmp/a/b';
/** What Docker's overlay2 driver reports for CHANGES. */
const DIFF = ['C /bin', 'D /bin/ls', 'C /etc/passwd', 'A /hello', 'C /tmp', 'A /tmp/a', 'A /tmp/a/b'];

describe('commit, diff, export and ps -s against berthd', { skip: IS_ROOT ? false : 'needs root' }, () => {
  let d: TestDaemon;
  let work: string;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d.socket);
    work = await mkdtemp(join(tmpdir(), 'berth-compat-commit-'));
  });
  after(async () => {
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('the API: POST /commit merges a body config, answers 201 {Id}; /changes answers null for none; 404s', async () => {
    const name = uniqueName('api');
    const created = await api(d.socket, { method: 'POST', path: `/containers/create?name=${name}`, body: { Image: 'busybox', Env: ['A=1'], Cmd: ['true'] } });
    assert.equal(created.status, 201, created.text);
    const changes = await api(d.socket, { path: `/containers/${name}/changes` });
    assert.deepEqual([changes.status, changes.text.trim()], [200, 'null']);
    const body = { Env: ['B=2'], Cmd: ['echo', 'x'], Labels: { made: 'by-api' } };
    const r = await api(d.socket, { method: 'POST', path: `/v1.47/commit?container=${name}&repo=api-img&tag=t1&comment=c&author=a&changes=${encodeURIComponent('EXPOSE 80')}`, body });
    assert.equal(r.status, 201, r.text);
    const id = r.json<{ Id: string }>().Id;
    assert.match(id, /^sha256:[0-9a-f]{64}$/);
    const img = (await api(d.socket, { path: '/images/api-img:t1/json' })).json<{ Id: string; Config: { Env: string[]; Cmd: string[]; Labels: Record<string, string>; ExposedPorts: Record<string, object> } }>();
    assert.equal(img.Id, id);
    assert.deepEqual(img.Config.Cmd, ['echo', 'x']);
    assert.equal(img.Config.Env[0], 'B=2');
    assert.ok(img.Config.Env.includes('A=1') && img.Config.Env.some((e) => e.startsWith('PATH=')), img.Config.Env.join(' '));
    assert.deepEqual(img.Config.Labels, { made: 'by-api' });
    assert.deepEqual(Object.keys(img.Config.ExposedPorts), ['80/tcp']);
    for (const path of ['/commit?container=nosuch', '/containers/nosuch/changes', '/containers/nosuch/export']) {
      const res = await api(d.socket, { method: path.startsWith('/commit') ? 'POST' : 'GET', path });
      assert.equal(res.status, 404, path);
      assert.equal(res.json<{ message: string }>().message, 'No such container: nosuch');
    }
    assert.equal((await api(d.socket, { method: 'POST', path: `/commit?container=${name}&repo=Bad` })).status, 400);
    assert.equal((await api(d.socket, { method: 'DELETE', path: `/containers/${name}` })).status, 204);
    assert.equal((await api(d.socket, { method: 'DELETE', path: '/images/api-img:t1' })).status, 200);
  });

  for (const kind of ['docker', 'berth'] as const) {
    const skip = kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;
    describe(`${kind} CLI`, { skip }, () => {
      let cli: Cli;
      let changed: string;
      before(async () => {
        cli = cliFor(kind, d.host);
        changed = uniqueName('changed');
        ok(await cli(['run', '--name', changed, 'busybox', 'sh', '-c', CHANGES]), 'run');
      });
      after(async () => {
        await cli(['rm', '-f', changed]);
      });

      it('diff (and container diff) shows A/C/D lines as Docker does', async () => {
        assert.deepEqual(ok(await cli(['diff', changed])).stdout.trimEnd().split('\n'), DIFF);
        assert.deepEqual(ok(await cli(['container', 'diff', changed])).stdout.trimEnd().split('\n'), DIFF);
        const fresh = uniqueName('fresh');
        ok(await cli(['create', '--name', fresh, 'busybox']));
        assert.equal(ok(await cli(['diff', fresh])).stdout, '');
        ok(await cli(['rm', fresh]));
      });

      it('commit -c -m -a: the new image runs the new CMD and sees the changes; inspect and history', async () => {
        const image = `${uniqueName('img')}:v1`;
        const r = ok(await cli(['commit', '-c', 'CMD ["cat","/hello"]', '-m', 'msg', '-a', 'me', changed, image]));
        assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
        assert.equal(ok(await cli(['run', '--rm', image])).stdout, 'hi\n');
        const f = '{{.Id}}|{{.Comment}}|{{.Author}}|{{json .Config.Cmd}}|{{len .RootFS.Layers}}';
        const [id, comment, author, cmd, layers] = ok(await cli(['image', 'inspect', '-f', f, image])).stdout.trim().split('|');
        assert.deepEqual([id, comment, author, cmd], [r.stdout.trim(), 'msg', 'me', '["cat","/hello"]']);
        const base = Number(ok(await cli(['image', 'inspect', '-f', '{{len .RootFS.Layers}}', 'busybox'])).stdout.trim());
        assert.equal(Number(layers), base + 1);
        const history = ok(await cli(['history', '--no-trunc', '--format', '{{.CreatedBy}}|{{.Comment}}', image])).stdout.split('\n');
        assert.equal(history[0], `sh -c ${CHANGES}|msg`);
        await rmiEventually(cli, image);
      });

      it('a file deleted in the container is absent from the committed image (whiteout)', async () => {
        const id = ok(await cli(['commit', changed])).stdout.trim();
        const r = ok(await cli(['run', '--rm', id, 'sh', '-c', 'test -e /bin/ls; echo $?; tail -n 1 /etc/passwd; ls /tmp/a']));
        assert.equal(r.stdout, '1\nx\nb\n');
        await rmiEventually(cli, id);
      });

      it('commit of a running container, paused meanwhile or not; the image is tagged; export of a running one', async () => {
        const live = uniqueName('live');
        const repo = uniqueName('live-img');
        ok(await cli(['run', '-d', '--name', live, 'busybox', 'sh', '-c', 'echo live > /live; sleep 60']));
        try {
          for (let i = 0; i < 100 && (await cli(['exec', live, 'cat', '/live'])).stdout !== 'live\n'; i++) await new Promise((res) => setTimeout(res, 50));
          const paused = ok(await cli(['commit', live])).stdout.trim();
          assert.equal(ok(await cli(['inspect', '-f', '{{.State.Status}}', live])).stdout, 'running\n');
          ok(await cli(['container', 'commit', '--pause=false', '-c', 'ENV COMMITTED=yes', live, repo]));
          assert.equal(ok(await cli(['run', '--rm', repo, 'sh', '-c', 'cat /live; echo $COMMITTED'])).stdout, 'live\nyes\n');
          assert.equal(ok(await cli(['run', '--rm', paused, 'cat', '/live'])).stdout, 'live\n');
          assert.match(ok(await cli(['images', '--format', '{{.Repository}}:{{.Tag}}', repo])).stdout, new RegExp(`^${repo}:latest\n$`));
          await rmiEventually(cli, paused);
          const exported = join(work, `${kind}-live.tar`);
          ok(await cli(['export', '-o', exported, live]));
          assert.equal((await readTar(await readFile(exported))).get('live')?.body, 'live\n');
        } finally {
          await cli(['rm', '-f', live]);
          await rmiEventually(cli, repo);
        }
      });

      it('a committed image saves and loads again', async () => {
        const image = `${uniqueName('saved')}:v1`;
        const archive = join(work, `${kind}-saved.tar`);
        ok(await cli(['commit', changed, image]));
        ok(await cli(['save', '-o', archive, image]));
        await rmiEventually(cli, image);
        assert.match(ok(await cli(['load', '-i', archive])).stdout, new RegExp(`Loaded image: ${image}`));
        assert.equal(ok(await cli(['run', '--rm', image, 'sh', '-c', 'cat /hello; test -e /bin/ls || echo gone'])).stdout, 'hi\ngone\n');
        await rmiEventually(cli, image);
      });

      it('export -o and to stdout: a tar of the whole filesystem', async () => {
        const file = join(work, `${kind}-o.tar`);
        ok(await cli(['export', '-o', file, changed]));
        assert.equal((await stat(file)).mode & 0o777, 0o600);
        const members = await readTar(await readFile(file));
        assert.equal(members.get('hello')?.body, 'hi\n');
        assert.ok(members.has('bin/sh') && members.has('etc/') && members.has('tmp/a/b/'), [...members.keys()].slice(0, 20).join(' '));
        assert.ok(!members.has('bin/ls'));
        assert.match(members.get('etc/passwd')?.body ?? '', /x\n$/);
        const piped = join(work, `${kind}-stdout.tar`);
        ok(await runProgram('sh', ['-c', `${clientCommand(kind, d.host)} container export ${changed} > ${piped}`]));
        assert.deepEqual([...(await readTar(await readFile(piped))).keys()], [...members.keys()]);
      });

      it('export refuses to write to a terminal', async () => {
        const r = await runProgram('script', ['-qec', `${clientCommand(kind, d.host)} export ${changed}`, '/dev/null']);
        assert.equal(r.code, 1);
        assert.match(r.stdout, /cowardly refusing to save to a terminal. Use the -o flag or redirect/);
      });

      it('ps -s and inspect --size show the sizes', async () => {
        const small = uniqueName('small');
        ok(await cli(['run', '--name', small, 'busybox', 'sh', '-c', 'echo hi > /hello']));
        try {
          const table = ok(await cli(['ps', '-a', '-s', '--filter', `name=^${small}$`])).stdout.split('\n');
          assert.match(table[0]!, /\s+NAMES\s+SIZE$/);
          assert.match(table[1]!, /\s3B \(virtual 1\.98MB\)$/);
          assert.equal(ok(await cli(['ps', '-a', '--size', '--format', '{{.Size}}', '--filter', `name=^${small}$`])).stdout, '3B (virtual 1.98MB)\n');
          assert.equal(ok(await cli(['inspect', '--size', '-f', '{{.SizeRw}}', small])).stdout, '3\n');
        } finally {
          await cli(['rm', small]);
        }
      });

      it('errors: unknown container (exit 1), bad change, digest reference', async () => {
        for (const args of [['diff', 'nosuch'], ['export', '-o', join(work, 'x.tar'), 'nosuch'], ['commit', 'nosuch']]) {
          const r = await cli(args);
          assert.equal(r.code, 1, args.join(' '));
          assert.equal(r.stderr, 'Error response from daemon: No such container: nosuch\n');
        }
        const bad = await cli(['commit', '-c', 'FROM busybox', changed]);
        assert.equal(bad.code, 1);
        assert.equal(bad.stderr, 'Error response from daemon: from is not a valid change command\n');
        const digest = await cli(['commit', changed, `x@sha256:${'a'.repeat(64)}`]);
        assert.equal(digest.code, 1);
        assert.equal(digest.stderr, 'refusing to create a tag with a digest reference\n');
        const noDir = await cli(['export', '-o', '/nonexistent-dir/x.tar', changed]);
        assert.equal(noDir.code, 1);
        assert.equal(noDir.stderr, 'failed to export container: invalid output path: stat /nonexistent-dir: no such file or directory\n');
        const toDir = await cli(['export', '-o', work, changed]);
        assert.equal(toDir.code, 1);
        assert.equal(toDir.stderr, 'failed to export container: cannot write to a directory\n');
      });
    });
  }
});
