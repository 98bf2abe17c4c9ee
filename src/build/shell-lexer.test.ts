import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex, processWord, processWords } from './shell-lexer.js';
import { Problem } from './errors.js';
import { reversePattern, shellPatternToRegex } from './shell-pattern.js';

const ENV = new Map([['PWD', '/home'], ['SHELL', 'bash'], ['KOREAN', '한국어'], ['NULL', '']]);
const env = (o: Record<string, string>): Map<string, string> => new Map(Object.entries(o));

/** [input, expected | null for an error] with PWD=/home SHELL=bash KOREAN=한국어 NULL="". */
const WORDS: [string, string | null][] = [
  ['hello', 'hello'],
  ["he'll'o", 'hello'],
  ["he'llo", null],
  ["he\\'llo", "he'llo"],
  ["he\\\\'llo", null],
  ['abc\\tdef', 'abctdef'],
  ['"abc\\tdef"', 'abc\\tdef'],
  ['"abc\\\\tdef"', 'abc\\tdef'],
  ["'abc\\tdef'", 'abc\\tdef'],
  ['hello\\', 'hello'],
  ['hello\\\\', 'hello\\'],
  ['"hello', null],
  ['"hello\\"', null],
  ['"hel\'lo"', "hel'lo"],
  ["'hello", null],
  ["'hello\\'", 'hello\\'],
  ["'hello\\there'", 'hello\\there'],
  ["'hello\\\\there'", 'hello\\\\there'],
  ['"\'\'"', "''"],
  ['$.', '$.'],
  ['he$1x', 'hex'],
  ['he$.x', 'he$.x'],
  ['he$pwd.', 'he.'],
  ['he$PWD', 'he/home'],
  ['he\\$PWD', 'he$PWD'],
  ['he\\\\$PWD', 'he\\/home'],
  ['"he\\$PWD"', 'he$PWD'],
  ['"he\\\\$PWD"', 'he\\/home'],
  ['\\${}', '${}'],
  ['\\${}aaa', '${}aaa'],
  ['he\\${}', 'he${}'],
  ['he\\${}xx', 'he${}xx'],
  ['${}', null],
  ['${}aaa', null],
  ['he${}', null],
  ['he${}xx', null],
  ['he${hi}', 'he'],
  ['he${hi}xx', 'hexx'],
  ['he${PWD}', 'he/home'],
  ['he${.}', null],
  ['he${XXX:-000}xx', 'he000xx'],
  ['he${PWD:-000}xx', 'he/homexx'],
  ['he${XXX:-$PWD}xx', 'he/homexx'],
  ['he${XXX:-${PWD:-yyy}}xx', 'he/homexx'],
  ['he${XXX:-${YYY:-yyy}}xx', 'heyyyxx'],
  ['he${XXX:YYY}', null],
  ['he${XXX?}', null],
  ['he${XXX:?}', null],
  ['he${PWD?}', 'he/home'],
  ['he${PWD:?}', 'he/home'],
  ['he${NULL?}', 'he'],
  ['he${NULL:?}', null],
  ['he${XXX:+${PWD}}xx', 'hexx'],
  ['he${PWD:+${XXX}}xx', 'hexx'],
  ['he${PWD:+${SHELL}}xx', 'hebashxx'],
  ['he${XXX:+000}xx', 'hexx'],
  ['he${PWD:+000}xx', 'he000xx'],
  ["'he${XX}'", 'he${XX}'],
  ['"he${PWD}"', 'he/home'],
  ['"he\'$PWD\'"', "he'/home'"],
  ['"$PWD"', '/home'],
  ["'$PWD'", '$PWD'],
  ["'\\$PWD'", '\\$PWD'],
  ['\'"hello"\'', '"hello"'],
  ["'he\\$PWD'", 'he\\$PWD'],
  ['he${PWD', null],
  ['he${PWD:=000}xx', null],
  ['he${PWD:+${PWD}:}xx', 'he/home:xx'],
  ['he${XXX:-\\$PWD:}xx', 'he$PWD:xx'],
  ['he${XXX:-\\${PWD}z}xx', 'he${PWDz}xx'],
  ['안녕하세요', '안녕하세요'],
  ["안'녕'하세요", '안녕하세요'],
  ["안'녕하세요", null],
  ['안녕$KOREAN', '안녕한국어'],
  ['안녕${XXX:-${PWD:-yyy}}xx', '안녕/homexx'],
  ['${{aaa}', null],
  ['${aaa}}', '}'],
  ['${aaa', null],
  ['${{aaa:-bbb}', null],
  ['${aaa:-bbb}}', 'bbb}'],
  ['${aaa:-bbb', null],
  ['${aaa:-bbb}', 'bbb'],
  ['${aaa:-${bbb:-ccc}}', 'ccc'],
  ['${aaa:-bbb ${foo}', null],
  ['${aaa:-bbb {foo}', 'bbb {foo'],
  ['${:}', null],
  ['${:-bbb}', null],
  ['${:+bbb}', null],
];

test('processWord follows Docker\'s lexer on its reference cases', () => {
  for (const [input, want] of WORDS) {
    if (want === null) assert.throws(() => processWord(input, ENV), Problem, input);
    else assert.equal(processWord(input, ENV), want, input);
  }
});

test('positional and special parameters are never set', () => {
  for (const p of ['1', '2', '9', '999', '001', '@', '*', '#', '?', '-', '$', '!', '0']) {
    assert.equal(processWord(`$${p}`, ENV), '', p);
    assert.equal(processWord(`\${${p}}`, ENV), '', p);
    assert.equal(processWord(`\${${p}:+bbb}`, ENV), '', p);
    assert.equal(processWord(`\${${p}:-bbb}`, ENV), 'bbb', p);
  }
  assert.equal(processWord('$999aaa', ENV), 'aaa');
  assert.equal(processWord('${001:-bbb}aaa', ENV), 'bbbaaa');
  assert.equal(processWord('$@@@', ENV), '@@');
});

test('words split on unquoted whitespace after substitution', () => {
  const e = env({ hi: 'hi', space: 'abc  def', leading: '  ab c', trailing: 'ab c   ' });
  const cases: [string, string[] | null][] = [
    ['hello', ['hello']],
    ['hello${hi}bye', ['hellohibye']],
    ['hello${space}bye', ['helloabc', 'defbye']],
    ['hello"${space}"bye', ['helloabc  defbye']],
    ['hello "${space}"bye', ['hello', 'abc  defbye']],
    ['hello${leading}def', ['hello', 'ab', 'cdef']],
    ['hello"${leading}" def', ['hello  ab c', 'def']],
    ['hello${trailing}d', ['helloab', 'c', 'd']],
    ['hel"lo${trailing}"', ['helloab c   ']],
    ['hello" there  "', ['hello there  ']],
    ['hello there     ', ['hello', 'there']],
    ['hello\\ there', ['hello there']],
    ['hello" there', null],
    ['hello\\" there', ['hello"', 'there']],
    ['hello"\\\\there"', ['hello\\there']],
    ["hello'\\\\there'", ['hello\\\\there']],
    ["hello'$there'", ['hello$there']],
    ['""', []],
    ['a ""', ['a']],
  ];
  for (const [input, want] of cases) {
    if (want === null) assert.throws(() => processWords(input, e), Problem, input);
    else assert.deepEqual(processWords(input, e), want, input);
  }
});

test('a prefix is kept in front of a nested default when splitting (Docker bug not reproduced)', () => {
  assert.deepEqual(processWords('ab${X:-cd} ef', new Map()), ['abcd', 'ef']);
});

test('${VAR?msg} and ${VAR:?msg} fail with the message, expanded', () => {
  const set = env({ VAR: 'plain', ARG: 'x' });
  const empty = env({ VAR: '', ARG: 'x' });
  const unset = env({ ARG: 'x' });
  assert.equal(processWord('${VAR:?message here$ARG}', set), 'plain');
  assert.throws(() => processWord('${VAR:?message here$ARG}', empty), /VAR: message herex/);
  assert.throws(() => processWord('${VAR:?message here$ARG}', unset), /VAR: message herex/);
  assert.equal(processWord('${VAR?message here$ARG}', empty), '');
  assert.throws(() => processWord('${VAR?message here$ARG}', unset), /message herex/);
  assert.throws(() => processWord('${VAR?}', unset), /VAR: is not allowed to be unset/);
  assert.throws(() => processWord('${VAR:?}', empty), /VAR: is not allowed to be empty/);
});

test('errors carry Docker\'s wording', () => {
  assert.throws(() => processWord('${X', new Map()), { message: 'failed to process "${X": syntax error: missing \'}\'' });
  assert.throws(() => processWord('${}', new Map()), /syntax error: bad substitution/);
  assert.throws(() => processWord("'abc", new Map()), /looking for matching single-quote/);
  assert.throws(() => processWord('"abc', new Map()), /looking for matching double-quote/);
  assert.throws(() => processWord('${X:=y}', new Map()), /unsupported modifier \(:=\) in substitution/);
  assert.throws(() => processWord('${X:#y}', new Map()), /unsupported modifier \(:#\) in substitution/);
  assert.throws(() => processWord('${X//y}', new Map()), /missing '\/' in \$\{\}/);
});

test('+, -, :+ and :- distinguish unset from empty', () => {
  const e = env({ FOO: 'xxx', BAR: '' });
  assert.equal(processWord('${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', e), 'xxx  ccc');
  assert.equal(processWord('${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', e), 'xxx bbb ccc');
  assert.equal(processWord('${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', e), 'aaa bbb ');
  assert.equal(processWord('${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', e), 'aaa  ');
  assert.equal(processWord('${FOO:-}', e), 'xxx');
});

test('# ## % %% trim shortest or longest matches', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' }, 'x'],
    ['${FOO%%\\**}', { FOO: 'xx**' }, 'xx'],
    ['${FOO#*x*y}', { FOO: 'xxyy' }, 'y'],
    ['${FOO#*}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' }, 'xyy'],
    ['${FOO#$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
    ['${FOO#}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO##*x}', { FOO: 'xxyy' }, 'yy'],
    ['${FOO##}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO#?\\?}', { FOO: '???y' }, '?y'],
    ['${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' }, '.xxyy.'],
    ['${FOO%%\\**\\*}', { FOO: 'a***yy*' }, 'a'],
    ['${FOO%}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' }, 'xxyy'],
    ['${FOO%.*}', { FOO: 'archive.tar.gz' }, 'archive.tar'],
    ['${FOO%%.*}', { FOO: 'archive.tar.gz' }, 'archive'],
    ['${FOO#*/}', { FOO: 'a/b/c' }, 'b/c'],
    ['${FOO##*/}', { FOO: 'a/b/c' }, 'c'],
  ];
  for (const [input, e, want] of cases) assert.equal(processWord(input, env(e)), want, input);
});

test('/ and // replace the first or every match', () => {
  const cases: [string, Record<string, string>, string][] = [
    ['${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' }, '/foo.*/*.txt - /foo..*.txt'],
    ['${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' }, '/tmp/bar.txt - /bar.txt'],
    ['${FOO/$NEEDLE/$REPLACEMENT} - ${FOO//$NEEDLE/$REPLACEMENT}', { FOO: '/a/foo/b/c.txt', NEEDLE: '/?/', REPLACEMENT: '/' }, '/foo/b/c.txt - /foo/c.txt'],
    ['${FOO/$NEEDLE/$REPLACEMENT}', { FOO: 'http://google.de', NEEDLE: 'http://', REPLACEMENT: 'https://' }, 'https://google.de'],
    ['${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' }, '\\/tmp\\/foo.txt'],
    ['${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' }, 'wwxxyy'],
    ['${FOO///}', { FOO: 'xxyy' }, 'xxyy'],
    ['${FOO///}', {}, ''],
  ];
  for (const [input, e, want] of cases) assert.equal(processWord(input, env(e)), want, input);
  assert.throws(() => processWord('${FOO//ww}', env({ FOO: 'xxyy' })), Problem);
  assert.throws(() => processWord('${FOO//}', env({ FOO: 'xxyy' })), Problem);
});

test('platform-style composition from the Dockerfile reference', () => {
  const release = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
  const base = { VERSION: 'v1.2.3', TARGETOS: 'linux' };
  assert.equal(processWord(release, env({ ...base, TARGETARCH: 'arm', TARGETVARIANT: 'v7' })), 'something-v1.2.3.linux-arm-v7.tar.gz');
  assert.equal(processWord(release, env({ ...base, TARGETARCH: 'arm64', TARGETVARIANT: '' })), 'something-v1.2.3.linux-arm64.tar.gz');
  assert.equal(processWord(release, env({ ...base, TARGETARCH: 'arm64' })), 'something-v1.2.3.linux-arm64.tar.gz');
});

test('lex reports the variables found and not found', () => {
  const r = lex('${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', env({ FOO: 'xxx', BAR: '' }));
  assert.deepEqual([...r.matched].sort(), ['BAR', 'FOO']);
  assert.deepEqual([...r.unmatched], ['BAZ']);
});

test('the backtick escape token', () => {
  const e = env({ X: 'v' });
  assert.equal(processWord('a`$X', e, { escape: '`' }), 'a$X');
  assert.equal(processWord('C:\\path\\$X', e, { escape: '`' }), 'C:\\path\\v');
  assert.equal(processWord('"a`"b"', e, { escape: '`' }), 'a"b');
});

test('raw quotes, raw escapes and skipping unset variables (heredoc detection mode)', () => {
  const opts = { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true } as const;
  assert.deepEqual(processWords("RUN <<'EOF' cat", new Map(), opts), ['RUN', "<<'EOF'", 'cat']);
  assert.deepEqual(processWords('RUN <<  EOF  > foo', new Map(), opts), ['RUN', '<<  EOF', '>', 'foo']);
  assert.equal(processWord('$X ${Y:-z} ${W}', new Map(), { skipUnsetEnv: true }), '$X ${Y:-z} ${W}');
  assert.equal(processWord('a\\ b', new Map(), { rawEscapes: true }), 'a\\ b');
});

test('skipProcessQuotes keeps quotes literal but still expands', () => {
  assert.equal(processWord('echo "$NAME" \'$NAME\'', env({ NAME: 'me' }), { skipProcessQuotes: true }), 'echo "me" \'me\'');
});

test('wildcard patterns become Go-like regular expressions', () => {
  assert.equal(shellPatternToRegex('*', true, true).source, '^[^\\n]*');
  assert.equal(shellPatternToRegex('?', true, true).source, '^[^\\n]');
  assert.equal(shellPatternToRegex('\\*', true, true).source, '^\\*');
  for (const bad of ['\\', '\\x', '\\\\\\']) assert.throws(() => shellPatternToRegex(bad, true, true), Problem, bad);
  assert.equal(reversePattern('a\\*c'), 'c\\*a');
  assert.equal(reversePattern('\\\\\\ab'), 'b\\a\\\\');
  assert.equal(reversePattern('ab\\'), '\\ba');
  assert.equal(reversePattern('👽\\🚀🖖'), '🖖\\🚀👽');
});
