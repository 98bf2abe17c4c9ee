import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import { globalArgs, platformArgs, unusedBuildArgs } from './build-args.js';
import { parseDockerfile } from './dockerfile.js';
import { DockerfileError } from './errors.js';
import {
  advanceScope, applyArg, beginStage, expandInstruction, expandWord, expandWords, exposedPorts, resolveRunMounts,
  runEnvironment, stageEnvironment, type StageScope,
} from './expand.js';
import type { Instruction } from './instruction-types.js';

const env = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));
const NONE = new Map<string, string>();

/** Parses a one-stage Dockerfile and returns its instructions after FROM. */
function stage(text: string): readonly Instruction[] {
  return parseDockerfile(text).stages[0]!.instructions;
}

/**
 * Walks a stage as the executor will: expand each instruction with the scope before it, then
 * advance the scope. Returns the expanded instructions.
 */
function walk(text: string, opts: { buildArgs?: Record<string, string>; imageEnv?: string[] } = {}): Instruction[] {
  const df = parseDockerfile(text);
  const buildArgs = env(opts.buildArgs ?? {});
  const globals = globalArgs(df.metaArgs, { buildArgs });
  const ctx = { buildArgs, globals, escape: df.escape };
  let scope: StageScope = beginStage({ imageEnv: opts.imageEnv ?? [] });
  const out: Instruction[] = [];
  for (const instr of df.stages[0]!.instructions) {
    out.push(expandInstruction(instr, scope.vars, ctx));
    scope = advanceScope(scope, [instr], ctx);
  }
  return out;
}
const field = (i: Instruction | undefined, k: string): unknown => (i as unknown as Record<string, unknown>)[k];

test('the Dockerfile reference example: ENV then WORKDIR, ADD, and an escaped $', () => {
  const [, workdir, add, copy] = walk('FROM busybox\nENV FOO=/bar\nWORKDIR ${FOO}\nADD . $FOO\nCOPY \\$FOO /quux');
  assert.equal(field(workdir, 'path'), '/bar');
  assert.equal(field(add, 'dest'), '/bar');
  assert.deepEqual(field(copy, 'sources'), ['$FOO']);
  assert.equal(field(copy, 'dest'), '/quux');
});

test('ENV uses the values from before the instruction, and removes quotes', () => {
  const [, second, third, quoted] = walk('FROM x\nENV abc=hello\nENV abc=bye def=$abc\nENV ghi=$abc\nENV q="a b" r=c\\ d s=\'$abc\'');
  assert.deepEqual(field(second, 'pairs'), [{ key: 'abc', value: 'bye' }, { key: 'def', value: 'hello' }]);
  assert.deepEqual(field(third, 'pairs'), [{ key: 'ghi', value: 'bye' }]);
  assert.deepEqual(field(quoted, 'pairs'), [{ key: 'q', value: 'a b' }, { key: 'r', value: 'c d' }, { key: 's', value: '$abc' }]);
});

test('ENV quoting cases from Docker\'s parser corpus, after expansion', () => {
  const values = (line: string): string[] => {
    const [e] = walk(`FROM x\n${line}`);
    return (field(e, 'pairs') as { value: string }[]).map((p) => p.value);
  };
  assert.deepEqual(values('ENV name=value\\ value2 name2=value2\\ value3'), ['value value2', 'value2 value3']);
  assert.deepEqual(values('ENV name="value\'quote space\'value2"'), ["value'quote space'value2"]);
  assert.deepEqual(values("ENV name='value\"double quote\"value2'"), ['value"double quote"value2']);
  assert.deepEqual(values('ENV name="a\\"b"'), ['a"b']);
  assert.deepEqual(values('ENV name="a\\\'b"'), ["a\\'b"]);
  assert.deepEqual(values("ENV name='a\\\"b'"), ['a\\"b']);
  assert.deepEqual(values('ENV name="\'\'"'), ["''"]);
  assert.deepEqual(values('ENV name3="value3a\\n\\"value3b\\"" name4="value4a\\\\nvalue4b"'), ['value3a\\n"value3b"', 'value4a\\nvalue4b']);
  assert.deepEqual(values('ENV SCUBA 1 DUBA 3'), ['1 DUBA 3']);
  assert.deepEqual(values('ENV SCUBA "1 DUBA 3"'), ['1 DUBA 3']);
  assert.throws(() => walk("FROM x\nENV name='a\\'b'"), /looking for matching single-quote/);
});

test('an ARG is visible only from its line, with the --build-arg value or its default', () => {
  const [before, , after] = walk('FROM busybox\nUSER ${username:-some_user}\nARG username\nUSER $username', { buildArgs: { username: 'what_user' } });
  assert.equal(field(before, 'user'), 'some_user');
  assert.equal(field(after, 'user'), 'what_user');
  const [, , dflt] = walk('FROM busybox\nUSER x\nARG user=someuser\nUSER $user');
  assert.equal(field(dflt, 'user'), 'someuser');
});

test('ENV overrides an ARG of the same name; ${ARG:-default} passes it through', () => {
  const scope = stageEnvironment(stage('FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=v1.0.0'), { imageEnv: [] }, {
    buildArgs: env({ CONT_IMG_VER: 'v2.0.1' }), globals: NONE,
  });
  assert.equal(scope.vars.get('CONT_IMG_VER'), 'v1.0.0');
  const passthrough = stage('FROM ubuntu\nARG CONT_IMG_VER\nENV CONT_IMG_VER=${CONT_IMG_VER:-v1.0.0}');
  const withArg = stageEnvironment(passthrough, { imageEnv: [] }, { buildArgs: env({ CONT_IMG_VER: 'v2.0.1' }), globals: NONE });
  assert.equal(withArg.vars.get('CONT_IMG_VER'), 'v2.0.1');
  assert.deepEqual(withArg.imageEnv, ['CONT_IMG_VER=v2.0.1']);
  const without = stageEnvironment(passthrough, { imageEnv: [] }, { buildArgs: NONE, globals: NONE });
  assert.equal(without.vars.get('CONT_IMG_VER'), 'v1.0.0');
});

test('global ARGs: evaluated in order for FROM, invisible in a stage until redeclared', () => {
  const df = parseDockerfile('ARG VERSION=latest\nARG IMAGE=busybox:$VERSION\nFROM $IMAGE\nRUN echo $VERSION\nARG VERSION\nARG OTHER\n');
  const globals = globalArgs(df.metaArgs, { buildArgs: NONE });
  assert.deepEqual([...globals], [['VERSION', 'latest'], ['IMAGE', 'busybox:latest']]);
  const from = expandInstruction(df.stages[0]!.from, globals);
  assert.equal(from.image, 'busybox:latest');
  const [run] = df.stages[0]!.instructions;
  const start = beginStage({ imageEnv: ['PATH=/usr/bin'] });
  assert.equal(start.vars.has('VERSION'), false);
  const end = stageEnvironment(df.stages[0]!.instructions, { imageEnv: ['PATH=/usr/bin'] }, { buildArgs: NONE, globals });
  assert.equal(end.vars.get('VERSION'), 'latest');
  assert.deepEqual([...end.args], [['VERSION', 'latest'], ['OTHER', undefined]]);
  assert.equal(end.vars.has('OTHER'), false);
  assert.deepEqual(end.imageEnv, ['PATH=/usr/bin'], 'ARGs never reach the image Env');
  assert.ok(run);
  const overridden = globalArgs(df.metaArgs, { buildArgs: env({ VERSION: '1.36' }) });
  assert.equal(overridden.get('IMAGE'), 'busybox:1.36');
  assert.equal(globalArgs(df.metaArgs, { buildArgs: env({ IMAGE: 'alpine' }) }).get('IMAGE'), 'alpine');
});

test('a global ARG without default and without --build-arg stays unset', () => {
  const df = parseDockerfile('ARG BASE\nFROM ${BASE:-alpine}\n');
  const globals = globalArgs(df.metaArgs, { buildArgs: NONE });
  assert.equal(globals.has('BASE'), false);
  assert.equal(expandInstruction(df.stages[0]!.from, globals).image, 'alpine');
});

test('automatic platform ARGs: global for FROM, and in a stage once declared', () => {
  const predefined = platformArgs({ os: 'linux', architecture: 'amd64' }, { os: 'linux', architecture: 'arm', variant: 'v7' });
  assert.deepEqual(Object.fromEntries(predefined), {
    BUILDPLATFORM: 'linux/amd64', BUILDOS: 'linux', BUILDARCH: 'amd64', BUILDVARIANT: '',
    TARGETPLATFORM: 'linux/arm/v7', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v7',
  });
  const df = parseDockerfile('FROM --platform=$BUILDPLATFORM golang AS build\nRUN echo $TARGETARCH\nARG TARGETARCH\nARG TARGETOS=plan9\nWORKDIR /out/$TARGETOS-$TARGETARCH');
  const globals = globalArgs(df.metaArgs, { buildArgs: NONE, predefined });
  assert.equal(expandInstruction(df.stages[0]!.from, globals).platform, 'linux/amd64');
  const instrs = df.stages[0]!.instructions;
  const ctx = { buildArgs: NONE, globals };
  assert.equal(stageEnvironment(instrs, { imageEnv: [] }, { ...ctx, upTo: 1 }).vars.has('TARGETARCH'), false);
  const scope = stageEnvironment(instrs, { imageEnv: [] }, { ...ctx, upTo: 3 });
  assert.equal(expandInstruction(instrs[3]!, scope.vars).kind === 'WORKDIR' && (expandInstruction(instrs[3]!, scope.vars) as { path: string }).path, '/out/plan9-arm');
  assert.equal(globalArgs([], { buildArgs: env({ TARGETARCH: 's390x' }), predefined }).get('TARGETARCH'), 's390x');
});

test('a stage built FROM another stage inherits its ENV and ARG values', () => {
  const df = parseDockerfile('FROM alpine AS a\nARG LOCAL_ARG="local arg"\nENV LOCAL_ENV=true\nFROM a AS c\nRUN echo $LOCAL_ARG');
  const ctx = { buildArgs: NONE, globals: NONE };
  const a = stageEnvironment(df.stages[0]!.instructions, { imageEnv: ['PATH=/bin'] }, ctx);
  const c = stageEnvironment(df.stages[1]!.instructions, { parent: a }, ctx);
  assert.equal(c.vars.get('LOCAL_ARG'), 'local arg');
  assert.equal(c.vars.get('LOCAL_ENV'), 'true');
  assert.deepEqual(c.imageEnv, ['PATH=/bin', 'LOCAL_ENV=true']);
});

test('ARG defaults see earlier names of the same line; ENV replaces Env entries in place', () => {
  const s = stageEnvironment(stage('FROM x\nARG A=1 B=$A-2\nENV PATH=/opt:$PATH X=1\nENV X=2'), { imageEnv: ['PATH=/bin', 'HOME=/root'] }, { buildArgs: NONE, globals: NONE });
  assert.equal(s.vars.get('B'), '1-2');
  assert.deepEqual(s.imageEnv, ['PATH=/opt:/bin', 'HOME=/root', 'X=2']);
});

test('applyArg: --build-arg wins, the default is not expanded then', () => {
  const arg = stage('FROM x\nARG A="${UNSET:?must be set}"')[0]!;
  assert.ok(arg.kind === 'ARG');
  const s = applyArg(beginStage({ imageEnv: [] }), arg, { buildArgs: env({ A: 'given' }), globals: NONE });
  assert.equal(s.vars.get('A'), 'given');
  assert.throws(() => applyArg(beginStage({ imageEnv: [] }), arg, { buildArgs: NONE, globals: NONE }), (e: unknown) => {
    assert.ok(e instanceof DockerfileError);
    assert.equal(e.line, 2);
    assert.equal(e.instruction, 'ARG');
    assert.match(e.message, /UNSET: must be set/);
    return true;
  });
});

test('which instructions are expanded', () => {
  const out = walk([
    'FROM x',
    'ENV D=/data U=app P=8080 S=SIGTERM V="/v1 /v2" N=name',
    'LABEL $N="$U app" "x.$N"=$D',
    'COPY --chown=$U:$U --chmod=0755 --from=$N src/$N $D/',
    'ADD --chown=$U --checksum=$S http://x/$N $D',
    'VOLUME $D ["$V"]',
    'USER $U',
    'WORKDIR $D/$N',
    'STOPSIGNAL $S',
    'RUN echo $D',
    'CMD echo $D',
    'ENTRYPOINT ["echo", "$D"]',
    'SHELL ["/bin/$U"]',
    'HEALTHCHECK CMD curl localhost:$P',
    'ONBUILD RUN echo $D',
    'MAINTAINER $U',
  ].join('\n'));
  const [, label, copy, add, volume, user, workdir, stop, run, cmd, entry, shell, health, onbuild, maint] = out;
  assert.deepEqual(field(label, 'pairs'), [{ key: 'name', value: 'app app' }, { key: 'x.name', value: '/data' }]);
  assert.deepEqual([field(copy, 'chown'), field(copy, 'chmod'), field(copy, 'from'), field(copy, 'sources'), field(copy, 'dest')], ['app:app', '0755', '$N', ['src/name'], '/data/']);
  assert.deepEqual([field(add, 'chown'), field(add, 'checksum'), field(add, 'sources'), field(add, 'dest')], ['app', 'SIGTERM', ['http://x/name'], '/data']);
  assert.deepEqual(field(volume, 'paths'), ['/data', '[/v1 /v2]']);
  assert.equal(field(user, 'user'), 'app');
  assert.equal(field(workdir, 'path'), '/data/name');
  assert.equal(field(stop, 'signal'), 'SIGTERM');
  assert.deepEqual(field(run, 'command'), { form: 'shell', command: 'echo $D' });
  assert.deepEqual(field(cmd, 'command'), { form: 'shell', command: 'echo $D' });
  assert.deepEqual(field(entry, 'command'), { form: 'exec', args: ['echo', '$D'] });
  assert.deepEqual(field(shell, 'shell'), ['/bin/$U']);
  assert.deepEqual((field(health, 'health') as { test: string[] }).test, ['CMD-SHELL', 'curl localhost:$P']);
  assert.equal(field(onbuild, 'expression'), 'RUN echo $D');
  assert.equal(field(maint, 'maintainer'), '$U');
});

test('EXPOSE splits an unquoted variable into several ports', () => {
  const df = parseDockerfile('FROM x\nEXPOSE $PORTS "$ONE" 9000-9002/udp 53/UDP');
  const expose = df.stages[0]!.instructions[0]!;
  assert.ok(expose.kind === 'EXPOSE');
  const vars = env({ PORTS: '80  443', ONE: '8080' });
  // Docker sorts the raw words at parse time.
  assert.deepEqual(expandInstruction(expose, vars).ports, ['8080', '80', '443', '53/UDP', '9000-9002/udp']);
  assert.deepEqual(exposedPorts(expose, vars), ['8080/tcp', '80/tcp', '443/tcp', '53/udp', '9000/udp', '9001/udp', '9002/udp']);
  const bad = parseDockerfile('FROM x\nEXPOSE 80/icmp').stages[0]!.instructions[0]!;
  assert.ok(bad.kind === 'EXPOSE');
  assert.throws(() => exposedPorts(bad, NONE), { message: 'invalid port: "80/icmp": invalid proto: icmp' });
  const range = parseDockerfile('FROM x\nEXPOSE 90-80').stages[0]!.instructions[0]!;
  assert.ok(range.kind === 'EXPOSE');
  assert.throws(() => exposedPorts(range, NONE), { message: 'invalid containerPort: 90-80' });
  const legacy = parseDockerfile('FROM x\nEXPOSE 127.0.0.1:8080:80 [::1]:53:53/udp').stages[0]!.instructions[0]!;
  assert.ok(legacy.kind === 'EXPOSE');
  assert.deepEqual(exposedPorts(legacy, NONE), ['80/tcp', '53/udp']);
});

test('heredoc sources of COPY expand unless the delimiter is quoted; quotes stay', () => {
  const copies = walk('FROM x\nENV NAME=me\nCOPY <<EOF <<\'RAW\' /dst/\nhello "$NAME" \\$NAME\nEOF\nraw $NAME\nRAW');
  assert.deepEqual(field(copies[1], 'inline'), [
    { path: 'EOF', data: 'hello "me" $NAME\n', expand: true },
    { path: 'RAW', data: 'raw $NAME\n', expand: false },
  ]);
});

test('RUN --mount values are expanded with the stage variables', () => {
  const run = stage('FROM x\nRUN --mount=type=cache,target=$HOME/.cache,uid=${UID} --mount=type=secret,id=tok true')[0]!;
  assert.ok(run.kind === 'RUN');
  const mounts = resolveRunMounts(run, env({ HOME: '/root', UID: '1000' }));
  assert.deepEqual(mounts.map((m) => [m.type, m.target, m.uid, m.id]), [['cache', '/root/.cache', 1000, undefined], ['secret', undefined, undefined, 'tok']]);
  assert.throws(() => resolveRunMounts(run, env({ HOME: '/root', UID: 'x' })), (e: unknown) => e instanceof DockerfileError && e.detail === 'invalid value x for uid' && e.line === 2);
});

test('the backtick escape token applies to expansion', () => {
  const [w] = walk('# escape=`\nFROM x\nWORKDIR C:\\Users\\`$HOME');
  assert.equal(field(w, 'path'), 'C:\\Users\\$HOME');
});

test('expansion errors locate the instruction', () => {
  const df = parseDockerfile('FROM x\n\nWORKDIR ${X:?is required}', { fileName: 'ci/Dockerfile' });
  assert.throws(() => expandInstruction(df.stages[0]!.instructions[0]!, NONE, { fileName: df.fileName }), (e: unknown) => {
    assert.ok(e instanceof DockerfileError);
    assert.equal(e.kind, 'invalid-argument');
    assert.deepEqual([e.fileName, e.line, e.instruction], ['ci/Dockerfile', 3, 'WORKDIR']);
    assert.equal(e.message, 'failed to process "${X:?is required}": X: is required');
    return true;
  });
});

test('RUN environment: variables plus undeclared proxy build args', () => {
  const scope = stageEnvironment(stage('FROM x\nARG A=1\nENV B=2\nARG HTTPS_PROXY'), { imageEnv: ['PATH=/bin'] }, {
    buildArgs: env({ HTTP_PROXY: 'http://p:3128', HTTPS_PROXY: 'http://s:3128', OTHER: 'x' }), globals: NONE,
  });
  assert.deepEqual(runEnvironment(scope, env({ HTTP_PROXY: 'http://p:3128', HTTPS_PROXY: 'http://s:3128', OTHER: 'x' })), [
    'PATH=/bin', 'A=1', 'B=2', 'HTTPS_PROXY=http://s:3128', 'HTTP_PROXY=http://p:3128',
  ]);
});

test('build args nobody declares are reported, predefined ones are not', () => {
  const df = parseDockerfile('ARG A\nFROM x\nARG B=1');
  const all = [...df.metaArgs, ...df.stages.flatMap((s) => s.instructions)];
  assert.deepEqual(unusedBuildArgs(all, env({ A: '1', B: '2', C: '3', HTTP_PROXY: 'p', TARGETARCH: 'arm64' })), ['C']);
});

test('expandWord and expandWords throw EngineError', () => {
  assert.equal(expandWord('${A:-x}$B', env({ B: 'y' })), 'xy');
  assert.deepEqual(expandWords('$A b', env({ A: '1 2' })), ['1', '2', 'b']);
  assert.throws(() => expandWord('${', NONE), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument');
});
