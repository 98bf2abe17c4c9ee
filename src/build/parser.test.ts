import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import { ParseError } from './errors.js';
import { parseDockerfileAst, parseHeredocWord, chompHeredocContent, type DockerfileNode } from './parser.js';
import { extractFlags, parseWords, type NodeArgs } from './line-parsers.js';

const nodes = (text: string): readonly DockerfileNode[] => parseDockerfileAst(text).nodes;

/** A compact dump in the spirit of Docker's parser tests: (cmd ["flags"] "args"…). */
function dump(n: { command: string; flags: readonly string[]; args: NodeArgs }): string {
  const q = (s: string): string => JSON.stringify(s);
  const args = (a: NodeArgs): string[] => {
    switch (a.form) {
      case 'none': return [];
      case 'json': case 'words': return a.values.map(q);
      case 'text': return [q(a.text)];
      case 'pairs': return a.pairs.flatMap((p) => [q(p.key), q(p.value), q(a.legacy ? '' : '=')]);
      case 'healthcheck': return [q(a.type), ...args(a.command)];
      case 'instruction': return [dump(a.line)];
    }
  };
  const parts = [n.command.toLowerCase()];
  if (n.flags.length > 0) parts.push(`[${n.flags.map(q).join(' ')}]`);
  return `(${[...parts, ...args(n.args)].join(' ')})`;
}
const dumpAll = (text: string): string[] => nodes(text).map(dump);

const isParseError = (line: number, detail: string | RegExp) => (e: unknown): boolean => {
  assert.ok(e instanceof ParseError, String(e));
  assert.ok(e instanceof EngineError);
  assert.equal(e.kind, 'invalid-argument');
  assert.equal(e.line, line);
  if (typeof detail === 'string') assert.equal(e.detail, detail);
  else assert.match(e.detail, detail);
  return true;
};

test('instructions with 1-based lines and the joined original text', () => {
  const ns = nodes('# comment\n\nFROM alpine:3.20 AS build\n\nRUN apk add \\\n    curl \\\n    git\nCMD ["sh"]\n');
  assert.deepEqual(ns.map((n) => [n.keyword, n.startLine, n.endLine]), [['from', 3, 3], ['run', 5, 7], ['cmd', 8, 8]]);
  assert.equal(ns[1]!.original, 'RUN apk add     curl     git');
  assert.deepEqual(ns[0]!.comments, ['comment']); // a blank line does not reset comments, a bare '#' does
  assert.deepEqual(nodes('# a\n#\n# b\nFROM x')[0]!.comments, ['b']);
  assert.equal(ns[0]!.command, 'FROM');
});

test('continuations skip comment lines and empty lines, as Docker allows', () => {
  const text = [
    'FROM ubuntu:14.04',
    'RUN echo hello\\',
    '  world\\',
    '  goodnight  \\',
    '  moon\\',
    '  light\\',
    'ning',
    'RUN echo hi \\',
    ' \\',
    ' world \\',
    '\\',
    ' good\\',
    '\\',
    'night',
    'RUN echo hello \\',
    '# this is a comment',
    '',
    '# this is a comment with a blank line surrounding it',
    '',
    'this is some more useful stuff',
    'RUN indented \\',
    '    # an indented comment',
    '    comment',
  ].join('\n');
  assert.deepEqual(dumpAll(text), [
    '(from "ubuntu:14.04")',
    '(run "echo hello  world  goodnight    moon  lightning")',
    '(run "echo hi   world  goodnight")',
    '(run "echo hello this is some more useful stuff")',
    '(run "indented     comment")',
  ]);
  const ast = parseDockerfileAst(text);
  assert.equal(ast.warnings.length, 1);
  assert.match(ast.warnings[0]!.message, /^Empty continuation line found in: RUN echo hello this is/);
  assert.equal(ast.nodes[3]!.startLine, 15);
  assert.equal(ast.nodes[3]!.endLine, 20);
});

test('a continuation at the end of the file and trailing spaces after the escape', () => {
  assert.deepEqual(dumpAll('FROM alpine:3.5\n\nRUN something \\'), ['(from "alpine:3.5")', '(run "something")']);
  assert.deepEqual(dumpAll('FROM a\nRUN echo hello  \\  \nworld'), ['(from "a")', '(run "echo hello  world")']);
  assert.deepEqual(dumpAll('FROM a\nRUN echo a\\\\\nRUN b'), ['(from "a")', '(run "echo a\\\\\\\\")', '(run "b")']);
});

test('# escape=` makes the backtick the continuation and escape token', () => {
  const ast = parseDockerfileAst('# escape=`\n\nFROM image\nLABEL maintainer foo@bar.com\nENV GOPATH `\n\\go\nRUN dir c:\\ `\n  && echo hi');
  assert.equal(ast.directives.escape, '`');
  assert.deepEqual(ast.nodes.map(dump), [
    '(from "image")',
    '(label "maintainer" "foo@bar.com" "")',
    '(env "GOPATH" "\\\\go" "")',
    '(run "dir c:\\\\   && echo hi")',
  ]);
});

test('directives: only at the very top, once each, syntax and check recorded', () => {
  const ast = parseDockerfileAst('# syntax = docker/dockerfile:1\n# check=skip=all\n#escape=`\nFROM `\n    image\n');
  assert.deepEqual(ast.directives, { escape: '`', syntax: 'docker/dockerfile:1', check: 'skip=all' });
  assert.deepEqual(ast.nodes.map(dump), ['(from "image")']);
  // After a comment, an empty line or an instruction, it is only a comment.
  for (const text of ['# hello\n# escape=`\nFROM a \\\n b', '\n# escape=`\nFROM a \\\n b', 'FROM a \\\n b\n# escape=`\n']) {
    const a = parseDockerfileAst(text);
    assert.equal(a.directives.escape, '\\', text);
    assert.equal(dump(a.nodes[0]!), '(from "a" "b")');
  }
  // An unknown directive ends them too.
  assert.equal(parseDockerfileAst('# foo=bar\n# escape=`\nFROM a').directives.escape, '\\');
  assert.throws(() => parseDockerfileAst('# escape=`\n# escape=\\\nFROM a'), isParseError(2, 'only one escape parser directive can be used'));
  assert.throws(() => parseDockerfileAst('# escape=x\nFROM a'), isParseError(1, "invalid escape token 'x' does not match ` or \\"));
});

test('a byte-order mark and CRLF line endings are accepted', () => {
  const ast = parseDockerfileAst('\uFEFF# escape=`\r\nFROM a\r\nRUN echo `\r\n  b\r\n');
  assert.equal(ast.directives.escape, '`');
  assert.deepEqual(ast.nodes.map(dump), ['(from "a")', '(run "echo   b")']);
});

test('exec (JSON) form vs shell form, JSON escapes', () => {
  assert.deepEqual(dumpAll([
    'CMD []',
    'CMD [""]',
    'CMD ["a","b"]',
    'CMD\t[\t"a",\t"b"\t]\t',
    'CMD ["abc 123", "♥", "\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u0000"]',
    'CMD [ "\\/usr\\\\\\"/bin/znc", "-f", "-r" ]',
    'ENTRYPOINT [ "/usr/bin/redis-server" ]',
    'RUN ["echo", "\'1234\'"]',
    'RUN echo "1234"',
    'CMD [ "a", "b" ] # not JSON',
    "CMD ['single', 'quotes']",
    'CMD ["unterminated"',
  ].join('\n')), [
    '(cmd)',
    '(cmd "")',
    '(cmd "a" "b")',
    '(cmd "a" "b")',
    '(cmd "abc 123" "♥" "\\" \\\\ / \\b \\f \\n \\r \\t \\u0000")',
    '(cmd "/usr\\\\\\"/bin/znc" "-f" "-r")',
    '(entrypoint "/usr/bin/redis-server")',
    '(run "echo" "\'1234\'")',
    '(run "echo \\"1234\\"")',
    '(cmd "[ \\"a\\", \\"b\\" ] # not JSON")',
    '(cmd "[\'single\', \'quotes\']")',
    '(cmd "[\\"unterminated\\"")',
  ]);
  assert.throws(() => parseDockerfileAst('FROM a\nCMD ["a", 1]'), isParseError(2, 'when using JSON array syntax, arrays must be comprised of strings only'));
  assert.throws(() => parseDockerfileAst('FROM a\nCMD [["a"]]'), isParseError(2, /comprised of strings only/));
});

test('ADD, COPY and VOLUME take JSON or words', () => {
  assert.deepEqual(dumpAll('COPY\t.\t/go/src\nADD\t\t[ "test file", "/tmp/test file" ]\nVOLUME /a /b\nVOLUME ["/c"]'), [
    '(copy "." "/go/src")',
    '(add "test file" "/tmp/test file")',
    '(volume "/a" "/b")',
    '(volume "/c")',
  ]);
});

test('flags come off the front; quotes and escapes removed; -- ends them', () => {
  assert.deepEqual(dumpAll([
    'COPY foo /tmp/',
    'COPY --user=me foo /tmp/',
    'COPY --user=me --doit=true foo /tmp/',
    'COPY --doit=true -- foo /tmp/',
    'COPY -- foo /tmp/',
    'CMD --doit [ "a", "b" ]',
    'CMD --doit -- [ ]',
    'RUN --mount=type=cache,target=/root/.cache --network=none pip install x',
    'COPY --chown="a b" --from=\'st\' x y',
    'RUN --mount=type=secret,id=tok\\,en cat /run/secrets/tok',
    'COPY x --from=y z',
  ].join('\n')), [
    '(copy "foo" "/tmp/")',
    '(copy ["--user=me"] "foo" "/tmp/")',
    '(copy ["--user=me" "--doit=true"] "foo" "/tmp/")',
    '(copy ["--doit=true"] "foo" "/tmp/")',
    '(copy "foo" "/tmp/")',
    '(cmd ["--doit"] "a" "b")',
    '(cmd ["--doit"])',
    '(run ["--mount=type=cache,target=/root/.cache" "--network=none"] "pip install x")',
    '(copy ["--chown=a b" "--from=st"] "x" "y")',
    '(run ["--mount=type=secret,id=tok,en"] "cat /run/secrets/tok")',
    '(copy "x" "--from=y" "z")',
  ]);
  assert.deepEqual(extractFlags('--a --b="" rest of line', '\\'), ['rest of line', ['--a', '--b=']]);
  assert.deepEqual(extractFlags('--a -b', '\\'), ['-b', ['--a']]);
});

test('ENV and LABEL keep quotes and escapes for the expander', () => {
  assert.deepEqual(dumpAll([
    'ENV name value',
    'ENV name=value name2=value2',
    'ENV name="value value1"',
    'ENV name=value\\ value2',
    'ENV name="value\'quote space\'value2"',
    "ENV name='value\"double quote\"value2'",
    'ENV name="a\\"b"',
    "ENV name='a\\'b'",
    'ENV name="\'\'"',
    'ENV SCUBA 1 DUBA 3',
    'ENV SCUBA "1 DUBA 3"',
    'LABEL maintainer James Turnbull "james@example.com"',
    'LABEL a=1 "b c"="d e"',
    'ENV name=value \\',
    '    name2="value2a \\',
    '           value2b" \\',
    '\tname4="value4a\\\\nvalue4b" \\',
  ].join('\n')), [
    '(env "name" "value" "")',
    '(env "name" "value" "=" "name2" "value2" "=")',
    '(env "name" "\\"value value1\\"" "=")',
    '(env "name" "value\\\\ value2" "=")',
    '(env "name" "\\"value\'quote space\'value2\\"" "=")',
    '(env "name" "\'value\\"double quote\\"value2\'" "=")',
    '(env "name" "\\"a\\\\\\"b\\"" "=")',
    '(env "name" "\'a\\\\\'b\'" "=")',
    '(env "name" "\\"\'\'\\"" "=")',
    '(env "SCUBA" "1 DUBA 3" "")',
    '(env "SCUBA" "\\"1 DUBA 3\\"" "")',
    '(label "maintainer" "James Turnbull \\"james@example.com\\"" "")',
    '(label "a" "1" "=" "\\"b c\\"" "\\"d e\\"" "=")',
    '(env "name" "value" "=" "name2" "\\"value2a            value2b\\"" "=" "name4" "\\"value4a\\\\\\\\nvalue4b\\"" "=")',
  ]);
  assert.throws(() => parseDockerfileAst('FROM a\nENV foo'), isParseError(2, 'ENV must have two arguments'));
  assert.throws(() => parseDockerfileAst('FROM a\nLABEL a=b c'), isParseError(2, 'Syntax error - can\'t find = in "c". Must be of the form: name=value'));
});

test('ARG words, HEALTHCHECK type and command, ONBUILD nested line', () => {
  assert.deepEqual(dumpAll([
    'ARG foo bar=baz',
    'ARG abc="123 456" def',
    'HEALTHCHECK',
    'HEALTHCHECK --interval=5s --timeout=3s --retries=3 \\',
    '  CMD /app/check.sh --quiet',
    'HEALTHCHECK   CMD   a b',
    'HEALTHCHECK --timeout=3s CMD ["foo"]',
    'HEALTHCHECK NONE',
    'ONBUILD RUN ["echo", "test"]',
    'ONBUILD COPY --from=x . /',
  ].join('\n')), [
    '(arg "foo" "bar=baz")',
    '(arg "abc=\\"123 456\\"" "def")',
    '(healthcheck)',
    '(healthcheck ["--interval=5s" "--timeout=3s" "--retries=3"] "CMD" "/app/check.sh --quiet")',
    '(healthcheck "CMD" "a b")',
    '(healthcheck ["--timeout=3s"] "CMD" "foo")',
    '(healthcheck "NONE")',
    '(onbuild (run "echo" "test"))',
    '(onbuild (copy ["--from=x"] "." "/"))',
  ]);
});

test('parseWords keeps quotes, handles unicode', () => {
  assert.deepEqual(parseWords('foo', '\\'), ['foo']);
  assert.deepEqual(parseWords('foo bar', '\\'), ['foo', 'bar']);
  assert.deepEqual(parseWords('foo\\ bar', '\\'), ['foo\\ bar']);
  assert.deepEqual(parseWords("foo bar 'abc xyz'", '\\'), ['foo', 'bar', "'abc xyz'"]);
  assert.deepEqual(parseWords('föo bàr "âbc xÿz"', '\\'), ['föo', 'bàr', '"âbc xÿz"']);
  assert.deepEqual(parseWords('a="" b', '\\'), ['a=""', 'b']);
  assert.deepEqual(parseWords('""', '\\'), ['""']);
});

test('heredocs: names, quoting, chomping, several per line, file descriptors', () => {
  const text = [
    'FROM alpine:3.6',
    'ENV NAME=me',
    'USER <<INVALID',
    'RUN <<EMPTY',
    'EMPTY',
    'RUN 3<<EMPTY2',
    'EMPTY2',
    'RUN "<<NOHEREDOC"',
    'RUN <<INDENT',
    '\tfoo',
    '\tbar',
    'INDENT',
    'RUN <<-UNINDENT2',
    '\tbaz',
    '\tUNINDENT2',
    "RUN <<-'NOEXPAND'",
    "\tdon't expand $NAME",
    'NOEXPAND',
    'RUN <<COMMENT',
    '# internal comment',
    'echo foo bar # trailing comment',
    'COMMENT',
    'RUN --mount=type=cache,target=/foo <<MOUNT',
    'echo hello',
    'MOUNT',
    'COPY <<FILE1 <<FILE2 /dest',
    'content 1',
    'FILE1',
    'content 2',
    'FILE2',
    'COPY <<X <<Y /dest',
    'Y',
    'X',
    'X',
    'Y',
    'RUN <<COMPLEX python3',
    "print('hello world')",
    'COMPLEX',
    "RUN <<eo'f'",
    'echo foo',
    'eof',
    "RUN <<eo\\'f",
    'echo foo',
    "eo'f",
    "RUN <<'one two'",
    'echo bar',
    'one two',
    'RUN <<$EOF',
    '$EOF',
    'RUN <<  EOF  > foo',
    'EOF',
    'RUN ["<<EOF"]',
    'CMD <<EOF',
  ].join('\n');
  const docs = nodes(text).map((n) => n.heredocs.map((h) => ({ ...h })));
  assert.deepEqual(docs, [
    [], [], [], // FROM, ENV, USER <<INVALID is not a heredoc instruction
    [{ name: 'EMPTY', content: '', expand: true, chomp: false, fd: 0 }],
    [{ name: 'EMPTY2', content: '', expand: true, chomp: false, fd: 3 }],
    [],
    [{ name: 'INDENT', content: '\tfoo\n\tbar\n', expand: true, chomp: false, fd: 0 }],
    [{ name: 'UNINDENT2', content: '\tbaz\n', expand: true, chomp: true, fd: 0 }],
    [{ name: 'NOEXPAND', content: "\tdon't expand $NAME\n", expand: false, chomp: true, fd: 0 }],
    [{ name: 'COMMENT', content: '# internal comment\necho foo bar # trailing comment\n', expand: true, chomp: false, fd: 0 }],
    [{ name: 'MOUNT', content: 'echo hello\n', expand: true, chomp: false, fd: 0 }],
    [
      { name: 'FILE1', content: 'content 1\n', expand: true, chomp: false, fd: 0 },
      { name: 'FILE2', content: 'content 2\n', expand: true, chomp: false, fd: 0 },
    ],
    [
      { name: 'X', content: 'Y\n', expand: true, chomp: false, fd: 0 },
      { name: 'Y', content: 'X\n', expand: true, chomp: false, fd: 0 },
    ],
    [{ name: 'COMPLEX', content: "print('hello world')\n", expand: true, chomp: false, fd: 0 }],
    [{ name: 'eof', content: 'echo foo\n', expand: false, chomp: false, fd: 0 }],
    [{ name: "eo'f", content: 'echo foo\n', expand: true, chomp: false, fd: 0 }],
    [{ name: 'one two', content: 'echo bar\n', expand: false, chomp: false, fd: 0 }],
    [{ name: '$EOF', content: '', expand: true, chomp: false, fd: 0 }],
    [{ name: 'EOF', content: '', expand: true, chomp: false, fd: 0 }],
    [],
    [],
  ]);
  const ns = nodes(text);
  const run = ns.find((n) => n.original.startsWith('RUN <<INDENT'))!;
  assert.deepEqual([run.startLine, run.endLine], [9, 12]);
  assert.equal(dump(ns.find((n) => n.original.startsWith('RUN <<COMPLEX'))!), '(run "<<COMPLEX python3")');
});

test('heredoc words', () => {
  for (const w of ['<<EOF', "<<'EOF'", '<<"EOF"', '<<-EOF', "<<-'EOF'", '<<-"EOF"', '<<EO"F"', '<< EOF', '<<- EOF']) {
    assert.equal(parseHeredocWord(w)?.name, 'EOF', w);
  }
  for (const w of ['', 'EOF', '<<', '<<-', '<EOF', '<<<EOF', '<<EOF sh']) assert.equal(parseHeredocWord(w), undefined, w);
  for (const w of ["<<'EOF", '<<"EOF', "<<EOF'", '<<EOF"']) assert.throws(() => parseHeredocWord(w), w);
  assert.equal(chompHeredocContent('\thello\n\t\tworld\n'), 'hello\nworld\n');
});

test('an unterminated heredoc is an error at its instruction', () => {
  assert.throws(() => parseDockerfileAst('FROM a\nRUN <<EOF\necho hi\n'), isParseError(2, 'unterminated heredoc'));
});

test('empty files and files without instructions', () => {
  assert.throws(() => parseDockerfileAst('', { fileName: 'Dockerfile.dev' }), (e: unknown) => {
    assert.ok(e instanceof ParseError);
    assert.equal(e.message, 'the Dockerfile (Dockerfile.dev) cannot be empty');
    return true;
  });
  assert.throws(() => parseDockerfileAst('# only\n# comments\n\n'), isParseError(0, 'file with no instructions'));
  assert.throws(() => parseDockerfileAst('\n\n   \n'), isParseError(0, 'file with no instructions'));
});

test('parse errors carry the file name, the line and the instruction', () => {
  try {
    parseDockerfileAst('FROM a\n\nENV \\\n  onlykey', { fileName: 'build/Dockerfile' });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ParseError);
    assert.equal(e.message, 'dockerfile parse error on line 3: ENV must have two arguments');
    assert.equal(e.fileName, 'build/Dockerfile');
    assert.deepEqual([e.line, e.endLine, e.instruction], [3, 4, 'ENV']);
  }
});

test('unknown instructions parse (they fail later, in the instruction parser)', () => {
  assert.deepEqual(dumpAll('FROM a\nFOO bar baz'), ['(from "a")', '(foo)']);
});
