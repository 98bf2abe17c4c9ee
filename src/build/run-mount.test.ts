import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Problem } from './errors.js';
import { csvFields, mountFrom, parseMount, type RunMount } from './run-mount.js';
import { parseGoDuration, ramInBytes } from './units.js';

const id = (w: string): string => w;
const mount = (spec: string): RunMount => parseMount(spec, id);
const DEFAULTS: RunMount = {
  type: 'bind', from: undefined, source: undefined, target: undefined, readOnly: true, size: undefined,
  id: undefined, sharing: undefined, required: false, env: undefined, mode: undefined, uid: undefined, gid: undefined,
};

test('bind mounts are the default type and read-only unless rw', () => {
  assert.deepEqual(mount('target=/src'), { ...DEFAULTS, target: '/src' });
  assert.deepEqual(mount('type=bind,from=build,source=/out,target=/in'), { ...DEFAULTS, from: 'build', source: '/out', target: '/in' });
  assert.equal(mount('type=bind,target=/x,rw').readOnly, false);
  assert.equal(mount('type=bind,target=/x,readwrite=true').readOnly, false);
  assert.equal(mount('type=bind,target=/x,ro=false').readOnly, false);
  assert.equal(mount('src=a,dst=/b').source, 'a');
  assert.equal(mount('src=a,destination=/b').target, '/b');
});

test('cache mounts: writable, id, sharing, ownership', () => {
  assert.deepEqual(mount('type=cache,target=/root/.cache/go-build'), { ...DEFAULTS, type: 'cache', target: '/root/.cache/go-build', readOnly: false });
  const m = mount('type=cache,id=apt,target=/var/cache/apt,sharing=locked,mode=0700,uid=1000,gid=1001');
  assert.deepEqual([m.id, m.sharing, m.mode, m.uid, m.gid], ['apt', 'locked', 0o700, 1000, 1001]);
  assert.equal(mount('type=CACHE,target=/c,sharing=Private').sharing, 'private');
});

test('tmpfs, secret and ssh mounts', () => {
  const t = mount('type=tmpfs,target=/tmp,size=64m');
  assert.deepEqual([t.type, t.size, t.readOnly], ['tmpfs', 64 * 1024 * 1024, false]);
  const s = mount('type=secret,id=aws,target=/root/.aws/credentials,required');
  assert.deepEqual([s.type, s.id, s.required, s.readOnly], ['secret', 'aws', true, true]);
  assert.equal(mount('type=secret,id=tok,env=TOKEN').env, 'TOKEN');
  assert.equal(mount('type=secret,id=tok,required=false').required, false);
  assert.equal(mount('type=ssh').type, 'ssh');
  assert.equal(mount('type=ssh,id=default,mode=0600').mode, 0o600);
});

test('mount errors use Docker\'s words', () => {
  const cases: [string, string][] = [
    ['type=foo', 'unsupported mount type "foo"'],
    ['type=cahce,target=/x', 'unsupported mount type "cahce" (did you mean cache?)'],
    ['zzzz=bar', "unexpected key 'zzzz' in 'zzzz=bar'"],
    ['foo=bar', "unexpected key 'foo' in 'foo=bar' (did you mean from?)"],
    ['type=cache,traget=/x', "unexpected key 'traget' in 'traget=/x' (did you mean target?)"],
    ['target', "invalid field 'target' must be a key=value pair"],
    ['required,type=secret,id=x', "unexpected key 'required' for mount type 'bind'"],
    ['type=bind,size=1m', "unexpected key 'size' for mount type 'bind'"],
    ['type=tmpfs,size=lots', 'invalid value for size: lots'],
    ['type=bind,ro=maybe', 'invalid value for ro: maybe'],
    ['type=cache,target=/c,uid=me', 'invalid value me for uid'],
    ['type=cache,target=/c,mode=0999', 'invalid value 0999 for mode'],
    ['type=bind,target=/x,mode=0700', 'mode not allowed for "bind" type mounts'],
    ['type=tmpfs,target=/x,uid=1', 'uid not allowed for "tmpfs" type mounts'],
    ['type=secret', 'invalid secret mount. one of source, target required'],
    ['type=secret,id=a,from=x', 'secret mount should not have a from'],
    ['type=secret,id=a,sharing=shared', 'secret mount should not define sharing'],
    ['type=secret,id=a,source=b', "both source and id can't be set"],
    ['type=bind,target=/x,sharing=locked', 'invalid cache sharing set for bind mount'],
    ['type=cache,target=/x,sharing=never', 'unsupported sharing value "never"'],
  ];
  for (const [spec, message] of cases) assert.throws(() => mount(spec), { message }, spec);
});

test('values are expanded, keys are not; CSV quoting', () => {
  const env = new Map([['HOME', '/root'], ['T', 'cache']]);
  const m = parseMount('type=$T,target=$HOME/.cache', (w) => w.replace(/\$(\w+)/g, (_, k: string) => env.get(k) ?? ''));
  assert.deepEqual([m.type, m.target], ['cache', '/root/.cache']);
  assert.equal(mount('"target=/a,b",type=bind').target, '/a,b');
  assert.deepEqual(csvFields('a,"b ""c""",d'), ['a', 'b "c"', 'd']);
  assert.deepEqual(csvFields(''), ['']);
  assert.throws(() => csvFields('a"b'), Problem);
  assert.throws(() => csvFields('"ab'), Problem);
});

test('mountFrom reads from= without expansion', () => {
  assert.equal(mountFrom('type=bind,from=build,target=/x'), 'build');
  assert.equal(mountFrom('type=cache,target=/x'), undefined);
  assert.equal(mountFrom('FROM=img:1'), 'img:1');
  assert.equal(mountFrom('from=a$'), 'a$');
  assert.throws(() => mountFrom('from=$X'), /'from' doesn't support variable expansion/);
});

test('Go durations', () => {
  const ok: [string, number][] = [
    ['0', 0], ['5s', 5e9], ['1h30m', 5400e9], ['1.5s', 1.5e9], ['.5s', 5e8], ['1.s', 1e9], ['300ms', 3e8],
    ['1µs', 1e3], ['1μs', 1e3], ['2us', 2e3], ['10ns', 10], ['-1s', -1e9], ['+2m', 120e9], ['1h2m3s4ms', 3723004e6],
  ];
  for (const [s, ns] of ok) assert.equal(parseGoDuration(s), ns, s);
  assert.throws(() => parseGoDuration(''), { message: 'time: invalid duration ""' });
  assert.throws(() => parseGoDuration('1'), { message: 'time: missing unit in duration "1"' });
  assert.throws(() => parseGoDuration('1x'), { message: 'time: unknown unit "x" in duration "1x"' });
  assert.throws(() => parseGoDuration('x'), { message: 'time: invalid duration "x"' });
  assert.throws(() => parseGoDuration('.s'), { message: 'time: invalid duration ".s"' });
});

test('human sizes with binary multiples', () => {
  const ok: [string, number][] = [['1024', 1024], ['64m', 64 * 1024 ** 2], ['1g', 1024 ** 3], ['1.5KiB', 1536], ['2 kb', 2048], ['10b', 10], ['1MB', 1024 ** 2]];
  for (const [s, n] of ok) assert.equal(ramInBytes(s), n, s);
  for (const bad of ['1q', 'abc', '', '1kib2', '1kbb', '-1']) assert.throws(() => ramInBytes(bad), Problem, bad);
});
