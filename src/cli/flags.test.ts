import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseFlags, type FlagSpec } from './flags.js';

const specs: FlagSpec[] = [
  { name: 'detach', short: 'd', kind: 'bool', help: '' },
  { name: 'interactive', short: 'i', kind: 'bool', help: '' },
  { name: 'tty', short: 't', kind: 'bool', help: '' },
  { name: 'env', short: 'e', kind: 'list', help: '' },
  { name: 'name', kind: 'string', help: '' },
  { name: 'time', short: 'n', kind: 'int', help: '' },
  { name: 'sig-proxy', kind: 'bool', defaultTrue: true, help: '' },
];

test('combined short flags', () => {
  const p = parseFlags(['-dit', 'img'], specs);
  assert.equal(p.bool('detach'), true);
  assert.equal(p.bool('interactive'), true);
  assert.equal(p.bool('tty'), true);
  assert.deepEqual(p.positionals, ['img']);
});

test('values: -e=X, -eX, -e X, --name=x, --name x, repeatable', () => {
  const p = parseFlags(['-e=A=1', '-eB=2', '-e', 'C', '--env=D', '--name=x', '--name', 'y'], specs);
  assert.deepEqual(p.list('env'), ['A=1', 'B=2', 'C', 'D']);
  assert.equal(p.str('name'), 'y');
});

test('short flag value after combined bools', () => {
  const p = parseFlags(['-ite', 'FOO=bar'], specs);
  assert.deepEqual(p.list('env'), ['FOO=bar']);
  assert.equal(p.bool('tty'), true);
});

test('flags stop at the first positional when not interspersed', () => {
  const p = parseFlags(['-d', 'busybox', 'sh', '-c', 'echo -d'], specs, { interspersed: false });
  assert.equal(p.bool('detach'), true);
  assert.deepEqual(p.positionals, ['busybox', 'sh', '-c', 'echo -d']);
});

test('interspersed flags after positionals, and -- ends flags', () => {
  const p = parseFlags(['a', '-d', '--', '-t'], specs);
  assert.equal(p.bool('detach'), true);
  assert.equal(p.bool('tty'), false);
  assert.deepEqual(p.positionals, ['a', '-t']);
});

test('bool defaults and explicit false', () => {
  assert.equal(parseFlags([], specs).bool('sig-proxy'), true);
  assert.equal(parseFlags(['--sig-proxy=false'], specs).bool('sig-proxy'), false);
  assert.equal(parseFlags(['-d=false'], specs).bool('detach'), false);
});

test('pflag error wording', () => {
  assert.throws(() => parseFlags(['--foo'], specs), new FlagError('unknown flag: --foo'));
  assert.throws(() => parseFlags(['-x'], specs), new FlagError("unknown shorthand flag: 'x' in -x"));
  assert.throws(() => parseFlags(['--name'], specs), new FlagError('flag needs an argument: --name'));
  assert.throws(() => parseFlags(['-e'], specs), new FlagError("flag needs an argument: 'e' in -e"));
  assert.throws(() => parseFlags(['-n', 'abc'], specs), /invalid argument "abc" for "-n, --time" flag: strconv.ParseInt/);
  assert.throws(() => parseFlags(['--detach=maybe'], specs), /strconv.ParseBool: parsing "maybe": invalid syntax/);
});

test('int flags', () => {
  assert.equal(parseFlags(['-n', '5'], specs).int('time'), 5);
  assert.equal(parseFlags(['--time=-1'], specs).int('time'), -1);
});

test('aliasOf stores under the main name; csv splits like StringSlice; validate wraps errors as pflag does', () => {
  const s: FlagSpec[] = [
    { name: 'network', kind: 'list', help: '' },
    { name: 'net', kind: 'list', help: '', aliasOf: 'network' },
    { name: 'subnet', kind: 'list', csv: true, help: '' },
    { name: 'dns', kind: 'list', help: '', validate: (v) => { if (v === 'bad') throw new Error('nope'); return v.trim(); } },
  ];
  const p = parseFlags(['--network', 'a', '--net=b', '--subnet', 'x,"y,z"', '--subnet', 'w', '--dns', ' 1.1.1.1'], s);
  assert.deepEqual(p.list('network'), ['a', 'b']);
  assert.equal(p.has('network'), true);
  assert.deepEqual(p.list('subnet'), ['x', 'y,z', 'w']);
  assert.deepEqual(p.list('dns'), ['1.1.1.1']);
  assert.throws(() => parseFlags(['--dns', 'bad'], s), (e: unknown) => e instanceof FlagError && e.message === 'invalid argument "bad" for "--dns" flag: nope');
});
