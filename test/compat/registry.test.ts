/**
 * Images and registries end to end: berthd against Debian's real docker-registry on 127.0.0.1,
 * driven by the real docker CLI and by berth. Round trips keep digests; login/logout with
 * htpasswd; an unknown image fails like Docker; a tampered blob is refused and nothing is stored.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createRegistryClient, MEDIA_TYPES } from '../../src/registry/index.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { cliFor, runProgram, uniqueName, type Cli } from '../helpers/docker.js';
import { api } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { BERTH_BIN, DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';
import { shq, TmuxServer } from '../helpers/tmux.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

const hasTmux = (): boolean => (process.env['PATH'] ?? '/usr/bin:/bin').split(':').some((p) => existsSync(join(p, 'tmux')));
const skip = !IS_ROOT ? 'needs root' : !existsSync('/usr/bin/docker-registry') ? 'no docker-registry' : false;

describe('registries', { skip }, () => {
  let d: TestDaemon;
  let open: TestRegistry;
  let basic: TestRegistry;
  let work: string;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-registry-'));
    [d, open, basic] = await Promise.all([startDaemon(), startRegistry({ mode: 'open' }), startRegistry({ mode: 'basic' })]);
    await loadBusybox(d.socket);
  });
  after(async () => {
    await d?.stop();
    await open?.stop();
    await basic?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  const ok = (r: { code: number; stdout: string; stderr: string }, what: string) => {
    assert.equal(r.code, 0, `${what}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  };

  for (const kind of ['berth', 'docker'] as const) {
    const kskip = kind === 'docker' && !existsSync(DOCKER_BIN) ? 'no docker CLI' : false;
    describe(`${kind} CLI`, { skip: kskip }, () => {
      let cli: Cli;
      const env = (): Record<string, string> => ({ DOCKER_CONFIG: join(work, `${kind}-config`) });
      before(() => {
        cli = cliFor(kind, d.host);
      });

      it('push, remove, pull back: same digest; the pulled image runs', async () => {
        const ref = `${open.host}/${uniqueName(kind)}/bb:v1`;
        ok(await cli(['tag', 'busybox', ref]), 'tag');
        const pushed = ok(await cli(['push', ref], { env: env() }), 'push');
        const m = /v1: digest: (sha256:[a-f0-9]{64}) size: \d+/.exec(pushed.stdout);
        assert.ok(m, `push prints the digest:\n${pushed.stdout}`);
        ok(await cli(['rmi', ref]), 'rmi');
        const pulled = ok(await cli(['pull', ref], { env: env() }), 'pull');
        assert.match(pulled.stdout, new RegExp(`Digest: ${m[1]}`));
        assert.match(pulled.stdout, /Status: Downloaded newer image for /);
        const digests = ok(await cli(['image', 'inspect', '-f', '{{json .RepoDigests}}', ref]), 'inspect');
        assert.ok(digests.stdout.includes(m[1]!), digests.stdout);
        const again = ok(await cli(['pull', ref], { env: env() }), 'pull again');
        assert.match(again.stdout, /Status: Image is up to date for /);
        assert.equal(ok(await cli(['run', '--rm', ref, 'echo', 'from-registry']), 'run').stdout, 'from-registry\n');
      });

      it('system df counts images and active ones', async () => {
        const r = ok(await cli(['system', 'df']), 'system df');
        const lines = r.stdout.trim().split('\n');
        assert.match(lines[0]!, /^TYPE\s+TOTAL\s+ACTIVE\s+SIZE\s+RECLAIMABLE$/);
        assert.match(lines[1]!, /^Images\s+\d+\s+\d+\s+[\d.]+[kMG]?B\s+/);
        assert.match(lines[2]!, /^Containers\s+\d+\s+\d+/);
      });

      it('run pulls a missing image; an unknown one fails like Docker', async () => {
        const ref = `${open.host}/${uniqueName(kind)}/implicit:v1`;
        ok(await cli(['tag', 'busybox', ref]), 'tag');
        ok(await cli(['push', ref], { env: env() }), 'push');
        ok(await cli(['rmi', ref]), 'rmi');
        const r = ok(await cli(['run', '--rm', ref, 'echo', 'implicit'], { env: env() }), 'run');
        assert.match(r.stderr, /Unable to find image .* locally/);
        assert.match(r.stdout, /implicit/);
        const missing = await cli(['pull', `${open.host}/nope/none:v9`], { env: env() });
        assert.equal(missing.code, 1);
        assert.match(missing.stderr, /manifest for .*nope\/none:v9 not found: manifest unknown/);
        const runMissing = await cli(['run', '--rm', `${open.host}/nope/none:v9`, 'true'], { env: env() });
        assert.equal(runMissing.code, 125);
      });

      it('login to an htpasswd registry, push, logout; wrong password refused', async () => {
        const ref = `${basic.host}/${uniqueName(kind)}/private:v1`;
        ok(await cli(['tag', 'busybox', ref]), 'tag');
        const denied = await cli(['push', ref], { env: env() });
        assert.notEqual(denied.code, 0, 'push without login fails');
        const bad = await cli(['login', '-u', basic.username, '--password-stdin', basic.host], { env: env(), input: 'wrong\n' });
        assert.notEqual(bad.code, 0);
        const login = ok(await cli(['login', '-u', basic.username, '--password-stdin', basic.host], { env: env(), input: `${basic.password}\n` }), 'login');
        assert.match(login.stdout, /Login Succeeded/);
        ok(await cli(['push', ref], { env: env() }), 'push after login');
        ok(await cli(['rmi', ref]), 'rmi');
        ok(await cli(['pull', ref], { env: env() }), 'pull after login');
        const out = ok(await cli(['logout', basic.host], { env: env() }), 'logout');
        assert.match(out.stdout, new RegExp(`Removing login credentials for ${basic.host.replace(/\./g, '\\.')}`));
      });
    });
  }

  it('a tampered blob in the registry fails the pull with a digest error and stores nothing', async () => {
    const cli = cliFor('berth', d.host);
    // an image whose only layer exists nowhere else: 300 KB of random bytes (gzip cannot shrink it)
    const dir = join(work, 'rand');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'random.bin'), randomBytes(300_000));
    const tarFile = join(work, 'rand.tar');
    ok(await runProgram('tar', ['-C', dir, '-cf', tarFile, '.']), 'tar');
    const ref = `${open.host}/${uniqueName('tamper')}/rand:v1`;
    ok(await cli(['import', tarFile, ref]), 'import');
    ok(await cli(['push', ref]), 'push');
    ok(await cli(['rmi', ref]), 'rmi');
    const blobs = join(open.storageDir, 'docker/registry/v2/blobs/sha256');
    let tampered = 0;
    for (const pre of await readdir(blobs)) {
      for (const hex of await readdir(join(blobs, pre))) {
        const data = join(blobs, pre, hex, 'data');
        const size = (await stat(data)).size;
        if (size > 280_000 && size < 400_000) {
          await writeFile(data, Buffer.alloc(size, 7));
          tampered++;
        }
      }
    }
    assert.equal(tampered, 1, 'exactly the random layer was tampered with');
    const layersBefore = await readdir(join(d.dataRoot, 'layers'));
    const r = await cli(['pull', ref]);
    assert.notEqual(r.code, 0, `pull must fail:\n${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr + r.stdout, /sha256:[a-f0-9]{64}/, 'the error names the digest');
    assert.equal(ok(await cli(['images', '-q', ref]), 'images').stdout, '');
    assert.deepEqual(await readdir(join(d.dataRoot, 'layers')), layersBefore, 'no layer stored');
  });

  it('a registry behind a Bearer token server: login, push, pull', async () => {
    const token = await startRegistry({ mode: 'token' });
    try {
      const cli = cliFor('berth', d.host);
      const env = { DOCKER_CONFIG: join(work, 'token-config') };
      const ref = `${token.host}/${uniqueName('tok')}/bb:v1`;
      ok(await cli(['tag', 'busybox', ref]), 'tag');
      assert.notEqual((await cli(['push', ref], { env })).code, 0, 'anonymous push is refused');
      ok(await cli(['login', '-u', token.username, '--password-stdin', token.host], { env, input: `${token.password}\n` }), 'login');
      ok(await cli(['push', ref], { env }), 'push');
      ok(await cli(['rmi', ref]), 'rmi');
      ok(await cli(['pull', ref], { env }), 'pull');
      assert.ok(token.tokensIssued() > 0, 'tokens came from the token server');
    } finally {
      await token.stop();
    }
  });

  it('a registry that goes away mid-pull: clear error, nothing stored, the next pull succeeds', async () => {
    const cli = cliFor('berth', d.host);
    // a 12 MB layer of random bytes, pushed straight to the registry
    const dir = join(work, 'midpull');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'big.bin'), randomBytes(12 * 1024 * 1024));
    const tarFile = join(work, 'midpull.tar');
    ok(await runProgram('tar', ['-C', dir, '-cf', tarFile, '.']), 'tar');
    const path = `${uniqueName('midpull')}/big:v1`;
    ok(await cli(['import', tarFile, `${open.host}/${path}`]), 'import');
    ok(await cli(['push', `${open.host}/${path}`]), 'push');
    ok(await cli(['rmi', `${open.host}/${path}`]), 'rmi');
    // pulled through a throttling proxy (2 MB/s) that is taken down after a second
    const proxy = await throttlingProxy(open.host, 2 * 1024 * 1024);
    try {
      const ref = `127.0.0.1:${proxy.port}/${path}`;
      const layersBefore = await readdir(join(d.dataRoot, 'layers'));
      const pulling = cli(['pull', ref]);
      await new Promise((r) => setTimeout(r, 1000));
      await proxy.down();
      const failed = await pulling;
      assert.notEqual(failed.code, 0, `the pull must fail:\n${failed.stdout}\n${failed.stderr}`);
      assert.match(failed.stderr, /connection refused|connection reset|unexpected EOF|socket hang up|ECONNRESET|ECONNREFUSED/i);
      assert.equal(ok(await cli(['images', '-q', ref]), 'images').stdout, '');
      assert.deepEqual(await readdir(join(d.dataRoot, 'layers')), layersBefore, 'no layer stored');
      assert.deepEqual(await readdir(join(d.dataRoot, 'tmp')).catch(() => []), [], 'no temp files left');
      await proxy.up(0);
      ok(await cli(['pull', ref]), 'the next pull');
      assert.notEqual(ok(await cli(['images', '-q', ref]), 'images').stdout, '');
    } finally {
      await proxy.down();
    }
  });

  it('a two-platform index: the host platform by default, another with --platform', async () => {
    // one small layer, two configs (amd64, arm64), two OCI manifests and an index, pushed with berth's client
    const dir = join(work, 'multi');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'hello.txt'), 'multi-platform\n');
    const layerFile = join(work, 'multi.tar');
    ok(await runProgram('tar', ['-C', dir, '-cf', layerFile, '.']), 'tar');
    const layer = await readFile(layerFile);
    const sha = (b: Buffer): string => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    const client = createRegistryClient(undefined, { insecure: [open.host] });
    const repo = { domain: open.host, path: `${uniqueName('multi')}/app` };
    const put = async (bytes: Buffer): Promise<{ digest: string; size: number }> => {
      const desc = { digest: sha(bytes), size: bytes.length };
      await client.pushBlob(repo, desc, () => Readable.from([bytes]));
      return desc;
    };
    const layerDesc = await put(layer);
    const manifests = [];
    for (const architecture of ['amd64', 'arm64']) {
      const config = Buffer.from(JSON.stringify({
        architecture, os: 'linux', config: { Cmd: ['sh'] }, rootfs: { type: 'layers', diff_ids: [sha(layer)] },
      }));
      const configDesc = await put(config);
      const manifest = Buffer.from(JSON.stringify({
        schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest,
        config: { mediaType: MEDIA_TYPES.ociConfig, ...configDesc },
        layers: [{ mediaType: MEDIA_TYPES.ociLayer, ...layerDesc }],
      }));
      await client.putManifest(repo, sha(manifest), MEDIA_TYPES.ociManifest, manifest);
      manifests.push({ mediaType: MEDIA_TYPES.ociManifest, digest: sha(manifest), size: manifest.length, platform: { architecture, os: 'linux' } });
    }
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests }));
    await client.putManifest(repo, 'v1', MEDIA_TYPES.ociIndex, index);
    const ref = `${open.host}/${repo.path}:v1`;
    for (const kind of ['berth', 'docker'] as const) {
      if (kind === 'docker' && !existsSync(DOCKER_BIN)) continue;
      const c = cliFor(kind, d.host);
      ok(await c(['pull', ref]), `${kind} pull`);
      assert.equal(ok(await c(['image', 'inspect', '-f', '{{.Architecture}}', ref]), 'inspect').stdout.trim(), 'amd64');
      ok(await c(['rmi', ref]), 'rmi');
      ok(await c(['pull', '--platform', 'linux/arm64', ref]), `${kind} pull --platform`);
      assert.equal(ok(await c(['image', 'inspect', '-f', '{{.Architecture}}', ref]), 'inspect').stdout.trim(), 'arm64');
      ok(await c(['rmi', ref]), 'rmi');
    }
    const none = await cliFor('berth', d.host)(['pull', '--platform', 'linux/s390x', ref]);
    assert.notEqual(none.code, 0);
    assert.match(none.stderr, /no matching manifest for linux\/s390x/);
  });

  it('berth pull on a terminal redraws one line per layer, ending as "Pull complete"; without a terminal it prints plain lines', async (t) => {
    if (!hasTmux()) return t.skip('needs tmux');
    // an image of three layers (busybox's and two of the build's)
    const ctx = join(work, 'layers3');
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nRUN head -c 300000 /dev/urandom > /one\nRUN head -c 300000 /dev/urandom > /two\n');
    const berthCli = cliFor('berth', d.host);
    const ref = `${open.host}/${uniqueName('tty')}/three:v1`;
    ok(await berthCli(['build', '-q', '-t', ref, ctx]), 'build');
    const layers = JSON.parse(ok(await berthCli(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', ref]), 'inspect').stdout) as string[];
    assert.equal(layers.length, 3);
    const config = join(work, 'tty-config');
    ok(await berthCli(['push', ref], { env: { DOCKER_CONFIG: config } }), 'push');
    ok(await berthCli(['rmi', ref]), 'rmi');
    const tmux = new TmuxServer();
    try {
      const s = await tmux.session(`${BERTH_BIN} -H ${shq(d.host)} pull ${shq(ref)}`, { cols: 120, rows: 30, env: { DOCKER_CONFIG: config } });
      assert.equal(await s.waitExit(60_000), 0, await s.screen());
      const screen = await s.screen();
      const layerLines = screen.split('\n').filter((l) => /^[0-9a-f]{12}: /.test(l));
      // each layer keeps a single line, redrawn in place to its final state (the lower two are
      // still held by the build's intermediate images: "Already exists", as Docker prints it)
      assert.equal(layerLines.length, 3, screen);
      for (const l of layerLines) assert.match(l, /^[0-9a-f]{12}: (Pull complete|Already exists)\s*$/, screen);
      assert.ok(layerLines.some((l) => /Pull complete/.test(l)), screen);
      assert.match(screen, /Digest: sha256:[0-9a-f]{64}/);
      assert.match(screen, new RegExp(`Status: Downloaded newer image for ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
      assert.doesNotMatch(screen, /\x1b|\[\d+[AK]/, 'no escape sequences left on the screen');
    } finally {
      await tmux.close();
    }
    // without a terminal: one plain line per event, several per layer
    ok(await berthCli(['rmi', ref]), 'rmi again');
    const plain = ok(await berthCli(['pull', ref], { env: { DOCKER_CONFIG: config } }), 'plain pull');
    const lines = plain.stdout.split('\n').filter((l) => /^[0-9a-f]{12}: /.test(l));
    assert.ok(lines.some((l) => / Pull complete$/.test(l)), plain.stdout);
    assert.ok(lines.length > 3, `several lines per pulled layer:\n${plain.stdout}`);
    assert.doesNotMatch(plain.stdout, /\x1b/);
  });

  it('/distribution/{name}/json describes a pushed image from the registry', async () => {
    const cli = cliFor('berth', d.host);
    const ref = `${open.host}/${uniqueName('dist')}/bb:v1`;
    ok(await cli(['tag', 'busybox', ref]), 'tag');
    const pushed = ok(await cli(['push', ref]), 'push');
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(pushed.stdout)?.[1];
    assert.ok(digest, pushed.stdout);
    const r = await api(d.socket, { path: `/v1.47/distribution/${encodeURIComponent(ref)}/json`, headers: { 'X-Registry-Auth': 'e30=' } });
    assert.equal(r.status, 200, r.text);
    const body = r.json<{ Descriptor: { digest: string; mediaType: string; size: number }; Platforms: Array<{ architecture: string; os: string }> }>();
    assert.equal(body.Descriptor.digest, digest);
    assert.ok(body.Descriptor.size > 0);
    assert.deepEqual(body.Platforms, [{ architecture: 'amd64', os: 'linux' }]);
    const missing = await api(d.socket, { path: `/v1.47/distribution/${encodeURIComponent(`${open.host}/nope/none:v1`)}/json` });
    assert.equal(missing.status, 404);
  });

  it('save several images and load them back', async () => {
    const cli = cliFor('berth', d.host);
    const a = `${uniqueName('sv')}:a`;
    ok(await cli(['tag', 'busybox', a]), 'tag');
    const archive = join(work, 'saved.tar');
    ok(await cli(['save', '-o', archive, a, 'busybox']), 'save');
    const id = ok(await cli(['image', 'inspect', '-f', '{{.Id}}', a]), 'inspect').stdout.trim();
    ok(await cli(['rmi', a]), 'rmi');
    const loaded = ok(await cli(['load', '-i', archive]), 'load');
    assert.match(loaded.stdout, new RegExp(`Loaded image: ${a}`));
    assert.equal(ok(await cli(['image', 'inspect', '-f', '{{.Id}}', a]), 'inspect').stdout.trim(), id);
  });
});

/**
 * A TCP proxy on 127.0.0.1 in front of `target` (host:port) that sends at most `bytesPerSecond`
 * towards the client. `down()` closes it and cuts every connection; `up(rate)` listens again on the
 * same port (rate 0 = unthrottled).
 */
async function throttlingProxy(target: string, bytesPerSecond: number): Promise<{ port: number; down(): Promise<void>; up(rate: number): Promise<void> }> {
  const [host, portStr] = target.split(':') as [string, string];
  const sockets = new Set<Socket>();
  let rate = bytesPerSecond;
  let server: Server | undefined;
  const listen = (port: number): Promise<number> => new Promise((resolve) => {
    server = createServer((client) => {
      const upstream = connect(Number(portStr), host);
      sockets.add(client);
      sockets.add(upstream);
      client.on('error', () => upstream.destroy());
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        client.write(chunk);
        if (rate > 0) {
          upstream.pause();
          setTimeout(() => upstream.resume(), (chunk.length / rate) * 1000);
        }
      });
    });
    server.listen(port, '127.0.0.1', () => resolve((server!.address() as AddressInfo).port));
  });
  const port = await listen(0);
  return {
    port,
    async down() {
      for (const s of sockets) s.destroy();
      sockets.clear();
      await new Promise<void>((r) => (server?.listening ? server.close(() => r()) : r()));
    },
    async up(newRate: number) {
      rate = newRate;
      await listen(port);
    },
  };
}

