import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import { parseDockerfile } from './dockerfile.js';
import { DockerfileError, ParseError } from './errors.js';
import { findStage, planBuild, type PlanOptions, type BuildPlan } from './stages.js';

const plan = (text: string, options: PlanOptions = {}): BuildPlan => planBuild(parseDockerfile(text), options);
const MULTI = [
  'ARG GO=1.22',
  'FROM golang:${GO} AS build',
  'RUN go build -o /app .',
  'FROM alpine:3.20 AS certs',
  'RUN apk add ca-certificates',
  'FROM build AS test',
  'RUN go test ./...',
  'FROM scratch',
  'COPY --from=certs /etc/ssl/certs /etc/ssl/certs',
  'COPY --from=build /app /app',
  'ENTRYPOINT ["/app"]',
].join('\n');

test('stages: global ARGs, indices, names and their instructions', () => {
  const df = parseDockerfile(MULTI);
  assert.deepEqual(df.metaArgs.map((a) => a.args), [[{ key: 'GO', value: '1.22' }]]);
  assert.deepEqual(df.stages.map((s) => [s.index, s.name, s.from.image, s.instructions.map((i) => i.kind)]), [
    [0, 'build', 'golang:${GO}', ['RUN']],
    [1, 'certs', 'alpine:3.20', ['RUN']],
    [2, 'test', 'build', ['RUN']],
    [3, undefined, 'scratch', ['COPY', 'COPY', 'ENTRYPOINT']],
  ]);
  assert.equal(findStage(df.stages, 'CERTS')?.index, 1);
  assert.equal(findStage(df.stages, 'nope'), undefined);
});

test('stage split errors', () => {
  const expect = (text: string, line: number, detail: string): void => {
    assert.throws(() => parseDockerfile(text), (e: unknown) => {
      assert.ok(e instanceof ParseError, String(e));
      assert.deepEqual([e.line, e.detail], [line, detail]);
      return true;
    }, text);
  };
  expect('RUN echo hi\nFROM a', 1, 'no build stage in current context');
  expect('ARG A\nARG B', 0, 'dockerfile contains no stages to build');
  expect('FROM a AS x\nFROM b AS X', 2, 'x stage name already used');
});

test('the default target is the last stage; unused stages are skipped', () => {
  const p = plan(MULTI);
  assert.equal(p.target, 3);
  assert.deepEqual(p.order, [0, 1, 3]);
  assert.deepEqual(p.skipped, [2]);
  assert.deepEqual(p.waves, [[0, 1], [3]]);
  assert.deepEqual(p.images, ['golang:1.22', 'alpine:3.20']);
  assert.deepEqual(p.stages[0]!.base, { kind: 'image', ref: 'golang:1.22' });
  assert.deepEqual(p.stages[2]!.base, { kind: 'stage', stage: 0 });
  assert.deepEqual(p.stages[3]!.base, { kind: 'scratch' });
  assert.deepEqual(p.stages[3]!.dependsOn, [1, 0]);
  assert.deepEqual(p.stages[3]!.dependencies, [
    { kind: 'stage', stage: 1, via: 'copy', line: 9 },
    { kind: 'stage', stage: 0, via: 'copy', line: 10 },
  ]);
});

test('--target picks a stage, case-insensitively; build args reach FROM', () => {
  const p = plan(MULTI, { target: 'Test', buildArgs: new Map([['GO', '1.23']]) });
  assert.equal(p.target, 2);
  assert.deepEqual(p.order, [0, 2]);
  assert.deepEqual(p.skipped, [1, 3]);
  assert.deepEqual(p.images, ['golang:1.23']);
  assert.deepEqual(p.globalArgs.get('GO'), '1.23');
  assert.throws(() => plan(MULTI, { target: 'tset' }), (e: unknown) => {
    assert.ok(e instanceof EngineError);
    assert.equal(e.kind, 'invalid-argument');
    assert.equal(e.message, 'target stage "tset" could not be found (did you mean test?)');
    return true;
  });
  assert.throws(() => plan(MULTI, { target: 'zzzzzz' }), { message: 'target stage "zzzzzz" could not be found' });
});

test('COPY --from: stage name, index, or image', () => {
  const p = plan('FROM alpine AS a\nFROM busybox\nCOPY --from=0 /x /x\nCOPY --from=A /y /y\nCOPY --from=nginx:1.27 /etc/nginx /etc/nginx\nCOPY --from=later /z /z\nFROM alpine AS later');
  assert.deepEqual(p.stages[1]!.dependencies.map((d) => (d.kind === 'stage' ? d.stage : d.ref)), [0, 0, 'nginx:1.27', 2]);
  assert.deepEqual(p.stages[1]!.dependsOn, [0, 2]);
  assert.equal(p.target, 2);
  assert.deepEqual(p.order, [2], 'the last stage needs nothing');
  const mid = plan('FROM alpine AS a\nFROM busybox AS b\nCOPY --from=c /z /z\nFROM alpine AS c', { target: 'b' });
  assert.deepEqual(mid.order, [2, 1], 'a later stage can be copied from');
  assert.deepEqual(mid.images, ['alpine', 'busybox']);
});

test('COPY --from errors', () => {
  const fails = (text: string, detail: string, line: number): void => {
    assert.throws(() => plan(text), (e: unknown) => {
      assert.ok(e instanceof DockerfileError, String(e));
      assert.deepEqual([e.detail, e.line], [detail, line]);
      return true;
    }, text);
  };
  fails('FROM a\nCOPY --from=3 /x /x', 'invalid stage index 3', 2);
  fails('FROM a\nCOPY --from=-1 /x /x', 'invalid stage index -1', 2);
  fails('ARG S=a\nFROM a\nCOPY --from=$S /x /x', 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround', 3);
  fails('FROM a AS one\nCOPY --from=two /x /x\nFROM b AS two\nCOPY --from=one /y /y', 'circular dependency detected on stage: one', 1);
  fails('FROM a\nCOPY --from=0 /x /x', 'circular dependency detected on stage: stage-0', 1);
});

test('FROM an earlier stage (case-insensitive); a later name is an image', () => {
  const p = plan('FROM alpine AS Base\nFROM base\nFROM later\nFROM alpine AS later');
  assert.deepEqual(p.stages[1]!.base, { kind: 'stage', stage: 0 });
  assert.deepEqual(p.stages[2]!.base, { kind: 'image', ref: 'later' });
});

test('FROM names and platforms are expanded with global ARGs only', () => {
  const p = plan('ARG BASE=builder\nARG PLAT\nFROM --platform=$BUILDPLATFORM alpine AS builder\nFROM --platform=${PLAT:-linux/arm64} ${BASE}\nARG BASE=ignored', {
    platform: { build: { os: 'linux', architecture: 'amd64' } },
  });
  assert.equal(p.stages[0]!.platform, 'linux/amd64');
  assert.equal(p.stages[1]!.platform, 'linux/arm64');
  assert.deepEqual(p.stages[1]!.base, { kind: 'stage', stage: 0 });
  assert.deepEqual(p.order, [0, 1]);
  assert.throws(() => plan('ARG X\nFROM $X'), (e: unknown) => e instanceof DockerfileError && e.detail === 'base name ($X) should not be blank' && e.line === 2);
});

test('RUN --mount=from= adds a dependency on a stage (by name only) or an image', () => {
  const p = plan([
    'FROM golang AS deps',
    'FROM golang AS app',
    'RUN --mount=type=bind,from=deps,source=/go/pkg,target=/go/pkg --mount=type=cache,target=/root/.cache \\',
    '    --mount=from=tools:1,target=/tools go build',
  ].join('\n'));
  assert.deepEqual(p.stages[1]!.dependencies, [
    { kind: 'stage', stage: 0, via: 'mount', line: 3 },
    { kind: 'image', ref: 'tools:1', via: 'mount', line: 3 },
  ]);
  assert.deepEqual(p.waves, [[0], [1]]);
  assert.deepEqual(p.images, ['golang', 'tools:1']);
});

test('independent stages form one wave; a diamond has three', () => {
  const p = plan('FROM a AS x\nFROM b AS y\nFROM x AS z\nCOPY --from=y / /\nFROM c AS w\nCOPY --from=z / /\nCOPY --from=x / /');
  assert.deepEqual(p.order, [0, 1, 2, 3]);
  assert.deepEqual(p.waves, [[0, 1], [2], [3]]);
  const single = plan('FROM alpine\nRUN true');
  assert.deepEqual([single.order, single.waves, single.skipped, single.images], [[0], [[0]], [], ['alpine']]);
});

test('a stage named like scratch shadows the empty base', () => {
  const p = plan('FROM alpine AS scratch\nFROM scratch');
  assert.deepEqual(p.stages[1]!.base, { kind: 'stage', stage: 0 });
  assert.deepEqual(plan('FROM scratch\nCOPY a b').stages[0]!.base, { kind: 'scratch' });
});
