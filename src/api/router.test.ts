import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router.js';
import { boolParam, filtersParam } from './http.js';
import { splitRepoTag } from './routes/images.js';
import { parseCreateBody } from './schemas.js';

test('routes match with params; image names keep their slashes', () => {
  const r = new Router();
  const h = async (): Promise<void> => {};
  r.add('GET', '/images/json', h).add('GET', '/images/{name*}/json', h).add('POST', '/containers/{id}/start', h);
  const m = r.match('GET', '/images/localhost%3A5000/a/b:v1/json');
  assert.notEqual(m, 'no-route');
  if (m !== 'no-route') assert.deepEqual(m.params, ['localhost:5000/a/b:v1']);
  assert.equal(r.match('GET', '/containers/x/start'), 'no-route');
  assert.notEqual(r.match('HEAD', '/images/json'), 'no-route');
});

test('docker query conventions', () => {
  const q = new URLSearchParams('a=1&b=false&c=True&f={"name":["x"],"label":{"k=v":true}}');
  assert.equal(boolParam(q, 'a'), true);
  assert.equal(boolParam(q, 'b'), false);
  assert.equal(boolParam(q, 'c'), true);
  assert.equal(boolParam(q, 'zz'), false);
  assert.deepEqual(filtersParam(new URLSearchParams({ filters: q.get('f')! })), { name: ['x'], label: ['k=v'] });
  assert.throws(() => filtersParam(new URLSearchParams({ filters: '{bad' })));
});

test('repo:tag splitting leaves registry ports alone', () => {
  assert.deepEqual(splitRepoTag('busybox:1'), { repo: 'busybox', tag: '1' });
  assert.deepEqual(splitRepoTag('localhost:5000/busybox'), { repo: 'localhost:5000/busybox' });
});

test('create bodies: nulls dropped, wrong types name the field', () => {
  const b = parseCreateBody({ Image: 'x', Cmd: null, HostConfig: { Binds: null, AutoRemove: true }, Unknown: 1 });
  assert.equal(b.Cmd, undefined);
  assert.equal(b.HostConfig?.AutoRemove, true);
  assert.throws(() => parseCreateBody({ Image: 'x', Cmd: 'ls' }), /field "Cmd"/);
  assert.throws(() => parseCreateBody({ Image: 'x', HostConfig: { Binds: '/a:/b' } }), /field "HostConfig.Binds"/);
});
