import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from './errors.js';
import { parseDockerfileAst } from './parser.js';
import { parseInstructions, parseOnbuildTrigger, type Instruction } from './instructions.js';
import { commandArgv, resolveRunCommand } from './run-command.js';

const parse = (text: string): Instruction[] => parseInstructions(parseDockerfileAst(text));
/** The single instruction after a FROM line. */
function one<K extends Instruction['kind']>(line: string, kind: K): Extract<Instruction, { kind: K }> {
  const all = parse(`FROM scratch\n${line}`);
  const i = all[all.length - 1]!;
  assert.equal(i.kind, kind);
  return i as Extract<Instruction, { kind: K }>;
}
/** Asserts that `line` (after FROM) fails with exactly `detail` on line 2. */
function fails(line: string, detail: string | RegExp): void {
  assert.throws(() => parse(`FROM scratch\n${line}`), (e: unknown) => {
    assert.ok(e instanceof ParseError, String(e));
    assert.equal(e.kind, 'invalid-argument');
    assert.equal(e.line, 2);
    if (typeof detail === 'string') {
      assert.equal(e.detail, detail);
      assert.equal(e.message, `dockerfile parse error on line 2: ${detail}`);
    } else {
      assert.match(e.detail, detail);
    }
    return true;
  }, line);
}

test('FROM: image, AS name (lower-cased), --platform', () => {
  const [a, b, c] = parse('FROM alpine\nFROM --platform=$BUILDPLATFORM golang:1.22 AS Build\nfrom x as y');
  assert.deepEqual(a, { kind: 'FROM', original: 'FROM alpine', startLine: 1, endLine: 1, image: 'alpine', stageName: undefined, platform: undefined });
  assert.equal(b!.kind === 'FROM' && b.stageName, 'build');
  assert.equal(b!.kind === 'FROM' && b.platform, '$BUILDPLATFORM');
  assert.equal(c!.kind === 'FROM' && c.stageName, 'y');
});

test('FROM errors', () => {
  fails('FROM', 'FROM requires either one or three arguments');
  fails('FROM a b', 'FROM requires either one or three arguments');
  fails('FROM a AS b c', 'FROM requires either one or three arguments');
  fails('FROM a NOT b', 'FROM requires either one or three arguments');
  fails('FROM a AS 1st', 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols');
  fails('FROM a AS b@c', /invalid name for build stage/);
  fails('FROM --plaform=x a', 'unknown flag: --plaform (did you mean platform?)');
  fails('FROM --platform a', 'missing a value on flag: --platform');
});

test('unknown instructions, with Docker\'s suggestion', () => {
  fails('FOO bar', 'unknown instruction: FOO (did you mean FROM?)');
  fails('foo bar', 'unknown instruction: foo (did you mean from?)');
  fails('FOOBAR bar', 'unknown instruction: FOOBAR');
  fails('RUNN echo', 'unknown instruction: RUNN (did you mean RUN?)');
  fails('copyy a b', 'unknown instruction: copyy (did you mean copy?)');
});

test('RUN: shell and exec forms, mounts, network, security', () => {
  const shell = one('RUN --mount=type=cache,target=/root/.cache \\\n  --mount=type=bind,from=build,source=/out,target=/in \\\n  make all', 'RUN');
  assert.deepEqual(shell.command, { form: 'shell', command: 'make all' });
  assert.deepEqual(shell.mounts, ['type=cache,target=/root/.cache', 'type=bind,from=build,source=/out,target=/in']);
  assert.equal(shell.network, 'default');
  assert.equal(shell.security, 'sandbox');
  assert.deepEqual(one('RUN ["echo", "a b"]', 'RUN').command, { form: 'exec', args: ['echo', 'a b'] });
  assert.equal(one('RUN --network=none true', 'RUN').network, 'none');
  assert.equal(one('RUN --network=host true', 'RUN').network, 'host');
  assert.equal(one('RUN --security=insecure true', 'RUN').security, 'insecure');
  assert.deepEqual(one('RUN', 'RUN').command, { form: 'shell', command: '' });
  fails('RUN --network=bridge true', 'invalid network mode "bridge"');
  fails('RUN --security=x true', 'security "x" is not valid');
  fails('RUN --mount=type=bind,from=$STAGE true', "'from' doesn't support variable expansion, define alias stage instead");
  fails('RUN --mount=type=bind,src=a\\"b true', 'failed to parse csv mounts: bare " in non-quoted-field');
  fails('RUN --netwrk=none true', 'unknown flag: --netwrk (did you mean network?)');
  fails('RUN --network=none --network=host true', 'duplicate flag specified: --network');
});

test('RUN heredocs and what runs', () => {
  const runs = parse([
    'FROM alpine',
    'RUN <<EOF',
    'apk add curl',
    'EOF',
    'RUN <<EOF',
    '#!/usr/bin/env python3',
    'print(1)',
    'EOF',
    'RUN cat <<A > /a && cat <<B > /b',
    'one',
    'A',
    'two',
    'B',
    'RUN <<-EOF',
    '\techo hi',
    '\tEOF',
  ].join('\n')).filter((i): i is RunInstruction => i.kind === 'RUN');
  assert.equal(runs.length, 4);
  const [lone, shebang, complex, chomped] = runs as [RunInstruction, RunInstruction, RunInstruction, RunInstruction];
  assert.deepEqual(resolveRunCommand(lone), { command: { form: 'shell', command: 'apk add curl\n' }, files: [] });
  assert.deepEqual(resolveRunCommand(shebang), {
    command: { form: 'shell', command: '/dev/pipes/EOF' },
    files: [{ path: '/dev/pipes/EOF', data: '#!/usr/bin/env python3\nprint(1)\n', mode: 0o755 }],
  });
  assert.deepEqual(resolveRunCommand(shebang, { os: 'windows' }).files, []);
  assert.deepEqual(resolveRunCommand(complex).command, { form: 'shell', command: 'cat <<A > /a && cat <<B > /b\none\nA\ntwo\nB' });
  assert.deepEqual(resolveRunCommand(chomped).command, { form: 'shell', command: 'echo hi\n' });
  const plain = one('RUN echo hi', 'RUN');
  assert.deepEqual(resolveRunCommand(plain), { command: plain.command, files: [] });
});
type RunInstruction = Extract<Instruction, { kind: 'RUN' }>;

test('CMD and ENTRYPOINT, and their argv', () => {
  const cmd = one('CMD ["nginx", "-g", "daemon off;"]', 'CMD');
  assert.deepEqual(commandArgv(cmd.command), ['nginx', '-g', 'daemon off;']);
  const shell = one('CMD echo $HOME', 'CMD');
  assert.deepEqual(commandArgv(shell.command), ['/bin/sh', '-c', 'echo $HOME']);
  assert.deepEqual(commandArgv(shell.command, ['pwsh', '-Command']), ['pwsh', '-Command', 'echo $HOME']);
  assert.deepEqual(one('ENTRYPOINT []', 'ENTRYPOINT').command, { form: 'exec', args: [] });
  assert.deepEqual(commandArgv(one('CMD', 'CMD').command), ['/bin/sh', '-c']);
  fails('CMD --x=1 ls', 'unknown flag: --x');
});

test('ENV and LABEL: both forms, several pairs, raw values', () => {
  assert.deepEqual(one('ENV PATH /usr/local/bin:$PATH', 'ENV').pairs, [{ key: 'PATH', value: '/usr/local/bin:$PATH' }]);
  assert.deepEqual(one('ENV A=1 B="two words" C=three\\ words', 'ENV').pairs, [
    { key: 'A', value: '1' }, { key: 'B', value: '"two words"' }, { key: 'C', value: 'three\\ words' },
  ]);
  assert.deepEqual(one('LABEL "com.example.vendor"="ACME" version=1.0 description="a b"', 'LABEL').pairs, [
    { key: '"com.example.vendor"', value: '"ACME"' }, { key: 'version', value: '1.0' }, { key: 'description', value: '"a b"' },
  ]);
  fails('ENV', 'ENV requires at least one argument');
  fails('LABEL', 'LABEL requires at least one argument');
  fails('ENV =x', 'ENV names can not be blank');
  fails('LABEL =x', 'LABEL names can not be blank');
  fails('ENV --x a=b', 'unknown flag: --x');
});

test('ARG: names, defaults, several per line', () => {
  assert.deepEqual(one('ARG A B=2 C="x y" D=', 'ARG').args, [
    { key: 'A', value: undefined }, { key: 'B', value: '2' }, { key: 'C', value: '"x y"' }, { key: 'D', value: '' },
  ]);
  fails('ARG', 'ARG requires at least one argument');
  fails('ARG =x', 'ARG names can not be blank');
});

test('EXPOSE, VOLUME, USER, WORKDIR, STOPSIGNAL, MAINTAINER, SHELL', () => {
  assert.deepEqual(one('EXPOSE 9000 5000/udp 6000-6010', 'EXPOSE').ports, ['5000/udp', '6000-6010', '9000']);
  assert.deepEqual(one('VOLUME ["/test", "/test2"]', 'VOLUME').paths, ['/test', '/test2']);
  assert.deepEqual(one('VOLUME /a /b', 'VOLUME').paths, ['/a', '/b']);
  assert.equal(one('USER docker:root', 'USER').user, 'docker:root');
  assert.equal(one('WORKDIR $HOME/app', 'WORKDIR').path, '$HOME/app');
  assert.equal(one('STOPSIGNAL SIGKILL', 'STOPSIGNAL').signal, 'SIGKILL');
  assert.equal(one('MAINTAINER Jane Doe <jane@example.com>', 'MAINTAINER').maintainer, 'Jane Doe <jane@example.com>');
  assert.deepEqual(one('SHELL ["powershell", "-command"]', 'SHELL').shell, ['powershell', '-command']);
  fails('EXPOSE', 'EXPOSE requires at least one argument');
  fails('VOLUME', 'VOLUME requires at least one argument');
  fails('VOLUME [""]', 'VOLUME specified can not be an empty string');
  fails('USER', 'USER requires exactly one argument');
  fails('WORKDIR', 'WORKDIR requires exactly one argument');
  fails('STOPSIGNAL', 'STOPSIGNAL requires exactly one argument');
  fails('MAINTAINER', 'MAINTAINER requires exactly one argument');
  fails('MAINTAINER --boo joe@example.com', 'unknown flag: --boo');
  fails('SHELL', 'SHELL requires at least one argument');
  fails('SHELL []', 'SHELL requires at least one argument');
  fails('SHELL powershell -command', 'SHELL requires the arguments to be in JSON form');
});

test('COPY: sources, dest, flags, heredoc sources', () => {
  const c = one('COPY --from=build --chown=app:app --chmod=0755 --link --exclude=*.md --exclude=tmp a b/ /dst/', 'COPY');
  assert.deepEqual(
    { sources: c.sources, dest: c.dest, from: c.from, chown: c.chown, chmod: c.chmod, link: c.link, exclude: c.exclude, parents: c.parents },
    { sources: ['a', 'b/'], dest: '/dst/', from: 'build', chown: 'app:app', chmod: '0755', link: true, exclude: ['*.md', 'tmp'], parents: false },
  );
  const plain = one('COPY ["a b", "/c d/"]', 'COPY');
  assert.deepEqual([plain.sources, plain.dest, plain.from, plain.link], [['a b'], '/c d/', undefined, false]);
  assert.equal(one('COPY --link=false a b', 'COPY').link, false);
  assert.equal(one('COPY --parents a/b/c /x', 'COPY').parents, true);
  assert.equal(one('COPY --from= a b', 'COPY').from, undefined);
  const h = parse('FROM x\nCOPY <<EOF <<-"RAW" app.conf /etc/\nname=$NAME\nEOF\n\tliteral $X\n\tRAW')[1];
  assert.ok(h?.kind === 'COPY');
  assert.deepEqual(h.sources, ['app.conf']);
  assert.deepEqual(h.inline, [
    { path: 'EOF', data: 'name=$NAME\n', expand: true },
    { path: 'RAW', data: 'literal $X\n', expand: false },
  ]);
  assert.equal(h.endLine, 6);
  fails('COPY a', 'COPY requires at least two arguments, but only one was provided. Destination could not be determined');
  fails('COPY\t', 'COPY requires at least two arguments, but only one was provided. Destination could not be determined');
  fails('ADD a', 'ADD requires at least two arguments, but only one was provided. Destination could not be determined');
  assert.throws(() => parse('FROM x\nCOPY a <<EOF\nz\nEOF'), /COPY cannot accept a heredoc as a destination/);
  fails('COPY --link=maybe a b', 'expecting boolean value for flag --link, not: maybe');
  fails('COPY --link= a b', 'missing a value on flag: --link');
  fails('COPY --form=x a b', 'unknown flag: --form (did you mean from?)');
  fails('COPY --keep-git-dir a b', 'unknown flag: --keep-git-dir');
});

test('ADD: URL and git flags', () => {
  const a = one('ADD --keep-git-dir=true --checksum=sha256:abc --unpack=false https://example.com/x.tar.gz /x', 'ADD');
  assert.deepEqual([a.keepGitDir, a.checksum, a.unpack, a.sources], [true, 'sha256:abc', false, ['https://example.com/x.tar.gz']]);
  const b = one('ADD x /y', 'ADD');
  assert.deepEqual([b.keepGitDir, b.checksum, b.unpack, b.chown], [undefined, undefined, undefined, undefined]);
  fails('ADD --from=x a b', 'unknown flag: --from');
});

test('ONBUILD: the stored expression and the parsed trigger', () => {
  const o = one('ONBUILD RUN echo "hi"', 'ONBUILD');
  assert.equal(o.expression, 'RUN echo "hi"');
  assert.equal(o.trigger?.kind, 'RUN');
  const c = one('onbuild   COPY --from=x . /app', 'ONBUILD');
  assert.equal(c.expression, 'COPY --from=x . /app');
  assert.ok(c.trigger?.kind === 'COPY' && c.trigger.from === 'x');
  const h = parse('FROM x\nONBUILD RUN <<EOF\necho hi\nEOF')[1];
  assert.ok(h?.kind === 'ONBUILD');
  assert.equal(h.expression, 'RUN <<EOF\necho hi\nEOF');
  assert.ok(h.trigger?.kind === 'RUN' && h.trigger.heredocs.length === 1);
  assert.equal(one('ONBUILD BOGUS x', 'ONBUILD').trigger, null); // Docker only fails when the trigger runs
  fails('ONBUILD', 'ONBUILD requires at least one argument');
  fails('ONBUILD ONBUILD RUN touch foobar', 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  fails('ONBUILD FROM scratch', 'FROM isn\'t allowed as an ONBUILD trigger');
  fails('ONBUILD MAINTAINER me', 'MAINTAINER isn\'t allowed as an ONBUILD trigger');
  assert.equal(parseOnbuildTrigger('ADD . /app/src').kind, 'ADD');
  assert.throws(() => parseOnbuildTrigger('RUN a\nRUN b'), /onbuild trigger should be a single expression/);
  assert.throws(() => parseOnbuildTrigger('NOPE x'), /unknown instruction: NOPE/);
});

test('HEALTHCHECK: NONE, CMD in both forms, durations in nanoseconds', () => {
  assert.deepEqual(one('HEALTHCHECK NONE', 'HEALTHCHECK').health, { type: 'none' });
  assert.deepEqual(one('HEALTHCHECK --interval=5s --timeout=3s --retries=3 --start-period=1m30s --start-interval=500ms \\\n  CMD /app/check.sh --quiet', 'HEALTHCHECK').health, {
    type: 'cmd', test: ['CMD-SHELL', '/app/check.sh --quiet'],
    interval: 5e9, timeout: 3e9, startPeriod: 90e9, startInterval: 5e8, retries: 3,
  });
  assert.deepEqual(one('HEALTHCHECK cmd ["curl", "-f", "http://localhost/"]', 'HEALTHCHECK').health, {
    type: 'cmd', test: ['CMD', 'curl', '-f', 'http://localhost/'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0,
  });
  const zero = one('HEALTHCHECK --start-period=0s --interval=0 --timeout=0s --retries=0 CMD ["foo"]', 'HEALTHCHECK').health;
  assert.ok(zero.type === 'cmd' && zero.interval === 0 && zero.retries === 0);
  fails('HEALTHCHECK', 'HEALTHCHECK requires at least one argument');
  fails('HEALTHCHECK NONE x', 'HEALTHCHECK NONE takes no arguments');
  fails('HEALTHCHECK CMD', 'Missing command after HEALTHCHECK CMD');
  fails('HEALTHCHECK CONNECT TCP 7000', 'Unknown type "CONNECT" in HEALTHCHECK (try CMD)');
  fails('HEALTHCHECK --interval=1us CMD x', 'Interval "interval" cannot be less than 1ms');
  fails('HEALTHCHECK --timeout=5 CMD x', 'time: missing unit in duration "5"');
  fails('HEALTHCHECK --timeout=5x CMD x', 'time: unknown unit "x" in duration "5x"');
  fails('HEALTHCHECK --retries=-1 CMD x', '--retries cannot be negative (-1)');
  fails('HEALTHCHECK --retries=abc CMD x', 'strconv.ParseInt: parsing "abc": invalid syntax');
  fails('HEALTHCHECK --intervall=5s CMD x', 'unknown flag: --intervall (did you mean interval?)');
});

test('every instruction keeps its trimmed original text and lines', () => {
  const [, run] = parse('FROM a\n  RUN echo a \\\n   b   ');
  assert.deepEqual([run!.original, run!.startLine, run!.endLine], ['RUN echo a    b', 2, 3]);
});
