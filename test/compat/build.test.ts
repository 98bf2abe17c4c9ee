/**
 * The builder (issue 7): the Dockerfiles under test/fixtures/build built with `berth build` and
 * with the real docker CLI's classic builder (DOCKER_BUILDKIT=0) against one berthd, checked
 * through `inspect` and by running the images. Images come from loadBusybox only (no network).
 */
import { strict as assert } from 'node:assert';
import { cp, mkdtemp, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, docker, type Cli, type CliResult } from '../helpers/docker.js';
import { loadBusybox } from '../helpers/image.js';
import { IS_ROOT, REPO_ROOT } from '../helpers/paths.js';

const FIXTURES = join(REPO_ROOT, 'test', 'fixtures', 'build');


describe('build (berth CLI and docker CLI, classic builder)', { skip: !IS_ROOT && 'needs root' }, () => {
  let d: TestDaemon;
  let berth: Cli;
  let work: string;

  /** A private copy of a fixture (tests may change files). */
  async function context(name: string): Promise<string> {
    const dir = join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);
    await cp(join(FIXTURES, name), dir, { recursive: true, preserveTimestamps: true });
    return dir;
  }

  async function config(image: string): Promise<Record<string, unknown>> {
    const r = ok(await berth(['image', 'inspect', '--format', '{{json .Config}}', image]), 'inspect');
    return JSON.parse(r.stdout) as Record<string, unknown>;
  }

  async function runIn(image: string, script: string): Promise<string> {
    return ok(await berth(['run', '--rm', '--entrypoint', '/bin/sh', image, '-c', script]), `run ${image}`).stdout;
  }

  before(async () => {
    d = await startDaemon();
    berth = cliFor('berth', d.host);
    work = await mkdtemp(join(tmpdir(), 'berth-build-test-'));
    await loadBusybox(d.socket);
  });

  after(async () => {
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('builds every metadata instruction, COPY, RUN and build args into the image config and files', async () => {
    const ctx = await context('basic');
    const r = ok(await berth(['build', '-t', 'basic:1', '--build-arg', 'WHO=tester', '--label', 'extra=yes', ctx]), 'build');
    assert.match(r.stdout, /^Step 1\/\d+ : ARG BASE=busybox$/m);
    assert.match(r.stdout, /Step \d+\/\d+ : FROM \$\{BASE\}\n ---> [0-9a-f]{12}\n/);
    assert.match(r.stdout, / ---> Running in [0-9a-f]{12}\n/);
    assert.match(r.stdout, /Removing intermediate container [0-9a-f]{12}\n/);
    assert.match(r.stdout, /Successfully built [0-9a-f]{12}\nSuccessfully tagged basic:1\n$/);
    const c = await config('basic:1');
    assert.deepEqual(c['Entrypoint'], ['/bin/sh', '-c']);
    assert.deepEqual(c['Cmd'], ['cat greeting.txt']);
    assert.equal(c['WorkingDir'], '/srv/app');
    assert.equal(c['User'], '1000:1000');
    assert.equal(c['StopSignal'], 'SIGUSR1');
    assert.deepEqual(c['Shell'], ['/bin/sh', '-e', '-c']);
    assert.deepEqual(c['ExposedPorts'], { '53/udp': {}, '8080/tcp': {} });
    assert.deepEqual(c['Volumes'], { '/data': {} });
    assert.deepEqual(c['Labels'], { 'org.example.name': 'basic', 'org.example.greeting': 'hello', extra: 'yes' });
    assert.ok((c['Env'] as string[]).includes('APP_HOME=/srv/app'));
    assert.ok((c['Env'] as string[]).includes('MODE=release build'));
    assert.ok(!(c['Env'] as string[]).some((e) => e.startsWith('GREETING=')), 'ARG values stay out of the image Env');
    const h = c['Healthcheck'] as Record<string, unknown>;
    assert.deepEqual(h['Test'], ['CMD-SHELL', 'cat /srv/app/hello.txt']);
    assert.equal(h['Interval'], 30e9);
    assert.equal(h['Retries'], 2);
    const out = ok(await berth(['run', '--rm', 'basic:1']), 'run').stdout;
    assert.equal(out, 'hello tester\n');
    const files = await runIn('basic:1', [
      'cat /srv/app/hello.txt /srv/app/dir/a.txt /srv/app/dir/sub/b.txt /srv/app/shell.txt',
      'stat -c "%u:%g %a" /owned.txt', 'test -d /srv/app/made && echo made', 'test -e /srv/app/ignored.txt || echo ignored-absent',
    ].join('; '));
    assert.equal(files, 'hello from the context\na\nb\nshell=/bin/sh\n1234:2345 640\nmade\nignored-absent\n');
    const hist = ok(await berth(['history', '--no-trunc', '--format', '{{.CreatedBy}}', 'basic:1']), 'history').stdout;
    assert.match(hist, /\/bin\/sh -c #\(nop\) {2}ENV APP_HOME=\/srv\/app MODE=release build/);
    assert.match(hist, /\|2 GREETING=hello WHO=tester \/bin\/sh -c echo/);
  });

  it('runs heredocs: a RUN script, a shebang script and an inline COPY', async () => {
    const ctx = await context('heredoc');
    ok(await berth(['build', '-t', 'heredoc:1', ctx]), 'build');
    const out = ok(await berth(['run', '--rm', 'heredoc:1']), 'run').stdout;
    assert.equal(out, 'first line\nsecond line\nfrom a shebang script\nwelcome to heredoc\n');
  });

  it('ADD extracts local tars (plain and gzip) and copies other files', async () => {
    const ctx = await context('addtar');
    ok(await berth(['build', '-t', 'addtar:1', ctx]), 'build');
    const out = await runIn('addtar:1', 'cat /opt/bundle/pkg/file.txt /opt/gz/pkg/file.txt /opt/plain/plain.txt');
    assert.equal(out, 'inside the tar\ninside the tar\nplain\n');
  });

  it('builds only the stages the target needs; COPY --from takes files from earlier stages', async () => {
    const ctx = await context('multistage');
    const r = ok(await berth(['build', '-t', 'multi:1', ctx]), 'build');
    assert.doesNotMatch(r.stdout, /must not run/);
    assert.equal(ok(await berth(['run', '--rm', 'multi:1']), 'run').stdout, 'built in stage one\nbuilt in stage one\n');
    const t = ok(await berth(['build', '--target', 'builder', '-t', 'multi:builder', ctx]), 'build --target');
    assert.doesNotMatch(t.stdout, /FROM busybox AS broken|must not run/);
    assert.equal(await runIn('multi:builder', 'cat /out/artifact.txt; test -e /artifact.txt || echo no-final'), 'built in stage one\nno-final\n');
  });

  it('independent stages build concurrently; the stream still reads stage by stage, steps in order', async () => {
    const ctx = await context('parallel');
    const timed = async (args: string[]): Promise<[CliResult, number]> => {
      const t0 = Date.now();
      const r = ok(await berth(['build', '--no-cache', ...args, ctx]), `build ${args.join(' ')}`);
      return [r, Date.now() - t0];
    };
    const [, serial] = await timed(['-f', join(ctx, 'Dockerfile.serial'), '-t', 'serial:1']);
    const [r, ms] = await timed(['-t', 'parallel:1']);
    process.stderr.write(`# two 1 s stages: ${ms} ms independent, ${serial} ms chained\n`);
    // measured on 2 cores: 1.4-1.8 s independent, 2.7-2.9 s chained (the sleeps alone are 2 s
    // serially). Comparing with the chained build measured alongside, not with a fixed bound,
    // keeps the check robust on a loaded machine: overlap saves about a second.
    assert.ok(ms < serial - 500, `independent stages took ${ms} ms, chained ${serial} ms: not concurrent`);
    const numbers = [...r.stdout.matchAll(/^Step (\d+)\/8 : /gm)].map((m) => Number(m[1]));
    assert.deepEqual(numbers, [1, 2, 3, 4, 5, 6, 7, 8], r.stdout);
    const stages = r.stdout.split(/^Step \d+\/8 : FROM /m).slice(1);
    assert.match(stages[0] ?? '', /^busybox AS one\n[\s\S]*RUN sleep 1 && echo "from stage one"[\s\S]*Removing intermediate container/);
    assert.doesNotMatch(stages[0] ?? '', /stage two/);
    assert.match(stages[1] ?? '', /^busybox AS two\n/);
    assert.equal(ok(await berth(['run', '--rm', 'parallel:1']), 'run').stdout, 'from stage one\nfrom stage two\n');
    // a stage failing while another runs: the other stops after its step, the failure is reported
    const failing = 'FROM busybox AS slow\nRUN sleep 1\nRUN echo "must not run"\nFROM busybox AS bad\nRUN exit 3\n'
      + 'FROM busybox\nCOPY --from=slow /bin/sh /a\nCOPY --from=bad /bin/sh /b\n';
    const f = await berth(['build', '--no-cache', '-'], { input: failing });
    assert.equal(f.code, 3, f.stdout + f.stderr);
    assert.match(f.stderr, /The command '\/bin\/sh -c exit 3' returned a non-zero code: 3/);
    assert.doesNotMatch(f.stdout, /must not run|Step 6\/8|Successfully/);
    assert.match(f.stdout, /Step 2\/8 : RUN sleep 1\n[\s\S]*Step 4\/8 : FROM busybox AS bad\n/);
  });

  it('--cache-from: an image saved and loaded into another daemon satisfies the cache step by step (issue 7)', async () => {
    const ctx = await context('cache');
    await writeFile(join(ctx, 'a.txt'), 'cache-from a\n'); // content of its own: the other cache test expects a cold first build
    const first = ok(await berth(['build', '-t', 'cachesrc:1', ctx]), 'build');
    const id = /Successfully built (\w+)/.exec(first.stdout)?.[1];
    const archive = join(work, 'cachesrc.tar');
    ok(await berth(['save', '-o', archive, 'cachesrc:1']), 'save');
    const d2 = await startDaemon();
    try {
      const berth2 = cliFor('berth', d2.host);
      await loadBusybox(d2.socket);
      ok(await berth2(['load', '-i', archive]), 'load');
      // nothing was ever built on d2, its cache index is empty: every "Using cache" comes from --cache-from
      const d3ctx = await context('cache');
      await writeFile(join(d3ctx, 'a.txt'), 'cache-from a\n');
      await writeFile(join(d3ctx, 'b.txt'), 'b-changed\n');
      const part = ok(await berth2(['build', '--cache-from', 'cachesrc:1', '-t', 'part:1', d3ctx]), 'partly cached build');
      assert.deepEqual(part.stdout.split(/^Step /m).slice(1).map((s) => /Using cache/.test(s)), [false, true, true, false, false, false], part.stdout);
      assert.equal(ok(await berth2(['run', '--rm', 'part:1']), 'run').stdout, 'cache-from a\nb-changed\n');
      const env = { DOCKER_BUILDKIT: '0' };
      const full = ok(await docker(d2.host, ['build', '--cache-from', 'cachesrc:1', '-t', 'full:1', ctx], { env }), 'docker build --cache-from');
      assert.equal(full.stdout.match(/Using cache/g)?.length, 5, full.stdout);
      assert.doesNotMatch(full.stdout, /Running in/);
      assert.equal(/Successfully built (\w+)/.exec(full.stdout)?.[1], id, 'the cache-from image itself is the result');
    } finally {
      await d2.stop();
    }
  });

  it('a second build is all cache; touching one file rebuilds from its COPY on', async () => {
    const ctx = await context('cache');
    const t0 = Date.now();
    const first = ok(await berth(['build', '-t', 'cache:1', ctx]), 'first build');
    const cold = Date.now() - t0;
    assert.doesNotMatch(first.stdout, /Using cache/);
    const t1 = Date.now();
    const second = ok(await berth(['build', '-t', 'cache:1', ctx]), 'second build');
    const warm = Date.now() - t1;
    assert.equal(second.stdout.match(/Using cache/g)?.length, 5, second.stdout);
    assert.doesNotMatch(second.stdout, /Running in/);
    const id1 = /Successfully built (\w+)/.exec(first.stdout)?.[1];
    assert.equal(/Successfully built (\w+)/.exec(second.stdout)?.[1], id1);
    await writeFile(join(ctx, 'b.txt'), 'b2\n');
    const third = ok(await berth(['build', '-t', 'cache:1', ctx]), 'third build');
    const steps = third.stdout.split(/^Step /m).slice(1);
    assert.deepEqual(steps.map((s) => /Using cache/.test(s)), [false, true, true, false, false, false]);
    assert.equal(ok(await berth(['run', '--rm', 'cache:1']), 'run').stdout, 'a1\nb2\n');
    // only metadata changed (mtime): still cached
    await utimes(join(ctx, 'a.txt'), new Date(), new Date(Date.now() + 5000));
    const fourth = ok(await berth(['build', '-t', 'cache:1', ctx]), 'fourth build');
    assert.equal(fourth.stdout.match(/Using cache/g)?.length, 5);
    const nc = ok(await berth(['build', '--no-cache', '-t', 'cache:1', ctx]), 'no-cache build');
    assert.doesNotMatch(nc.stdout, /Using cache/);
    process.stderr.write(`# build timings: cold ${cold} ms, fully cached ${warm} ms\n`);
  });

  it('a failing RUN reports its exit code and leaves no tagged image', async () => {
    const ctx = await context('fail');
    const r = await berth(['build', '-t', 'fail:1', ctx]);
    assert.equal(r.code, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /failing now/);
    assert.match(r.stderr, /The command '\/bin\/sh -c echo "failing now" && exit 3' returned a non-zero code: 3/);
    const i = await berth(['image', 'inspect', 'fail:1']);
    assert.notEqual(i.code, 0);
  });

  it('a missing Dockerfile and a bad instruction are refused with Docker\'s errors', async () => {
    const ctx = await context('fail');
    const r = await berth(['build', '-f', join(ctx, 'Nope'), ctx]);
    assert.notEqual(r.code, 0);
    await writeFile(join(ctx, 'Dockerfile'), 'FROM busybox\nFROBNICATE now\n');
    const bad = await berth(['build', ctx]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /dockerfile parse error on line 2: unknown instruction: FROBNICATE/i);
  });

  it('RUN --mount=type=secret reads the secret and never leaves it in the image; cache mounts persist', async () => {
    const ctx = await context('secret');
    const secretFile = join(work, 'token.txt');
    await writeFile(secretFile, 'token=s3cr3t-value\n');
    ok(await berth(['build', '--secret', `id=token,src=${secretFile}`, '-t', 'secret:1', ctx]), 'build');
    assert.equal(ok(await berth(['run', '--rm', 'secret:1']), 'run').stdout.trim(), '19');
    const look = await runIn('secret:1', 'cat /token-seen; ls -A /run/secrets 2>/dev/null | wc -l; grep -rl s3cr3t / --exclude-dir=proc --exclude-dir=sys 2>/dev/null | wc -l');
    assert.equal(look, '1\n0\n0\n');
    const save = await docker(d.host, ['save', 'secret:1']);
    assert.ok(!save.stdout.includes('token=s3cr3t-value'), 'the secret is in no layer');
    ok(await berth(['build', '--no-cache', '--secret', `id=token,src=${secretFile}`, '-t', 'secret:2', ctx]), 'rebuild');
    assert.equal(await runIn('secret:2', 'cat /cache-runs'), '2\n');
  });

  it('RUN --mount=type=bind,from= a stage or an image: read-only by default, rw writes thrown away, the source in the cache key', async () => {
    const ctx = await context('mountfrom');
    ok(await berth(['build', '-t', 'mountfrom:1', ctx]), 'build');
    assert.equal(ok(await berth(['run', '--rm', 'mountfrom:1']), 'run').stdout, 'one\n');
    assert.equal(await runIn('mountfrom:1', 'cat /rw /rw-discarded /bins'), 'rw-ok\ndiscarded\n1\n');
    // a different stage content makes the RUN that mounts it run again
    const two = ok(await berth(['build', '--build-arg', 'VALUE=two', '-t', 'mountfrom:2', ctx]), 'build two');
    assert.equal(ok(await berth(['run', '--rm', 'mountfrom:2']), 'run two').stdout, 'two\n');
    assert.match(two.stdout, /Running in/);
    // and the same one comes from the cache, mounts included
    const again = ok(await berth(['build', '--build-arg', 'VALUE=two', '-t', 'mountfrom:3', ctx]), 'build again');
    assert.doesNotMatch(again.stdout, /Running in/);
    assert.equal(ok(await berth(['image', 'inspect', '-f', '{{.Id}}', 'mountfrom:3'])).stdout, ok(await berth(['image', 'inspect', '-f', '{{.Id}}', 'mountfrom:2'])).stdout);
  });

  it('the docker CLI (DOCKER_BUILDKIT=0) builds the classifier tutorial image, which then runs', async () => {
    const ctx = await context('classifier');
    const env = { DOCKER_BUILDKIT: '0' };
    const r = await docker(d.host, ['build', '-t', 'classifier:latest', ctx], { env, timeoutMs: 120_000 });
    ok(r, 'docker build');
    assert.match(r.stdout, /Step 1\/6 : FROM busybox/);
    assert.match(r.stdout, /Successfully tagged classifier:latest/);
    const run = ok(await docker(d.host, ['run', '--rm', 'classifier', '3', '42', '1000']), 'docker run');
    assert.equal(run.stdout, '3: small\n42: medium\n1000: large\ntotal: small=1 medium=1 large=1\n');
    const piped = ok(await docker(d.host, ['run', '--rm', '-i', '-e', 'HIGH=20', 'classifier'], { input: '5\n15\n25\n' }), 'docker run -i');
    assert.equal(piped.stdout, '5: small\n15: medium\n25: large\ntotal: small=1 medium=1 large=1\n');
    const again = ok(await docker(d.host, ['build', '-q', '-t', 'classifier:latest', ctx], { env }), 'docker build -q');
    assert.match(again.stdout.trim(), /^sha256:[0-9a-f]{64}$/);
    const iid = join(work, 'iid');
    ok(await docker(d.host, ['image', 'build', '--iidfile', iid, ctx], { env }), 'docker image build');
    assert.equal((await readFile(iid, 'utf8')).trim(), again.stdout.trim());
    const viaBuilder = ok(await docker(d.host, ['builder', 'build', '-q', ctx], { env }), 'docker builder build');
    assert.equal(viaBuilder.stdout.trim(), again.stdout.trim());
    const fail = await docker(d.host, ['build', await context('fail')], { env });
    assert.equal(fail.code, 3);
    assert.match(fail.stderr, /returned a non-zero code: 3/);
  });

  it('berth image build, builder build and a Dockerfile from stdin', async () => {
    const ctx = await context('classifier');
    ok(await berth(['image', 'build', '-q', '-t', 'classifier:img', ctx]), 'image build');
    ok(await berth(['builder', 'build', '-q', '-t', 'classifier:builder', ctx]), 'builder build');
    const r = ok(await berth(['build', '-t', 'stdin:1', '-'], { input: 'FROM busybox\nRUN echo from-stdin > /x\nCMD ["cat", "/x"]\n' }), 'build -');
    assert.match(r.stdout, /Successfully tagged stdin:1/);
    assert.equal(ok(await berth(['run', '--rm', 'stdin:1']), 'run').stdout, 'from-stdin\n');
  });
});

describe('build on a daemon without a default bridge (--bridge none)', { skip: !IS_ROOT && 'needs root' }, () => {
  let d: TestDaemon;
  let work: string;
  before(async () => {
    d = await startDaemon({ args: ['--bridge', 'none'] });
    await loadBusybox(d.socket);
    work = await mkdtemp(join(tmpdir(), 'berth-build-nobridge-'));
  });
  after(async () => {
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('RUN steps get no network, as containers do there (dockerd: the same), instead of "network bridge not found"', async () => {
    await writeFile(join(work, 'Dockerfile'), 'FROM busybox\nRUN ls /sys/class/net > /ifaces\n');
    for (const kind of ['docker', 'berth'] as const) {
      const tag = `nobridge-${kind}`;
      ok(await cliFor(kind, d.host)(['build', '-q', '-t', tag, work], { env: { DOCKER_BUILDKIT: '0' } }), `${kind} build`);
      const ifaces = ok(await cliFor(kind, d.host)(['run', '--rm', tag, 'cat', '/ifaces'])).stdout;
      assert.equal(ifaces, 'lo\n');
      const run = ok(await cliFor(kind, d.host)(['run', '--rm', 'busybox', 'ls', '/sys/class/net'])).stdout;
      assert.equal(run, ifaces);
    }
  });
});

describe('build cache prune and system prune (both CLIs)', { skip: !IS_ROOT && 'needs root' }, () => {
  let d: TestDaemon;
  let work: string;
  let mounts: string;
  before(async () => {
    d = await startDaemon();
    await loadBusybox(d.socket);
    work = await mkdtemp(join(tmpdir(), 'berth-build-prune-'));
    mounts = join(d.dataRoot, 'build-cache', 'mounts');
    // 300 KiB into a cache mount: the build cache `builder prune` removes
    await writeFile(join(work, 'Dockerfile'), 'FROM busybox\nRUN --mount=type=cache,target=/cache dd if=/dev/zero of=/cache/blob bs=1k count=300 2>/dev/null\n');
  });
  after(async () => {
    await d?.stop();
    if (work) await rm(work, { recursive: true, force: true });
  });

  for (const kind of ['docker', 'berth'] as const) {
    it(`${kind}: builder prune removes the cache mounts; system prune runs every prune and adds up`, async () => {
      const cli = cliFor(kind, d.host);
      const build = () => cliFor('berth', d.host)(['build', '-q', '--no-cache', '-t', `prune-${kind}`, work]);
      ok(await build());
      assert.equal((await readdir(mounts)).length, 1);
      const pruned = ok(await cli(['builder', 'prune', '-f'])).stdout;
      assert.match(pruned, /^Deleted build cache objects:\n[0-9a-z]{25}\n\nTotal reclaimed space: 307\.2kB\n$/);
      assert.deepEqual(await readdir(mounts), []);
      assert.equal(ok(await cli(['builder', 'prune', '-f'])).stdout, 'Total reclaimed space: 0B\n');

      ok(await build());
      const stopped = ok(await cli(['create', 'busybox', 'true'])).stdout.trim();
      const all = ok(await cli(['system', 'prune', '-f'])).stdout;
      assert.match(all, new RegExp(`^Deleted Containers:\\n${stopped}\\n\\n`));
      assert.match(all, /\nDeleted build cache objects:\n[0-9a-z]{25}\n\nTotal reclaimed space: \d+(\.\d+)?kB\n$/);
      assert.deepEqual(await readdir(mounts), []);
    });
  }

  it('a cache mount that a running step uses is left alone', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-build-busy-'));
    try {
      await writeFile(join(dir, 'Dockerfile'), 'FROM busybox\nRUN --mount=type=cache,target=/busy touch /busy/f && sleep 2 && test -f /busy/f\n');
      const building = cliFor('berth', d.host)(['build', '-q', dir]);
      for (let i = 0; i < 100 && !(await readdir(mounts).catch(() => [])).length; i++) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(ok(await cliFor('berth', d.host)(['builder', 'prune', '-f'])).stdout, 'Total reclaimed space: 0B\n');
      ok(await building, 'the step still found its file');
      assert.equal((await readdir(mounts)).length, 1, 'kept until pruned when unused');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
