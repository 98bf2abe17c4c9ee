import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKind } from '../core/index.js';
import { resolveUser, withHome } from './user.js';

const passwd = 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n';
const group = 'root:x:0:\nalice:x:1000:\nbob:x:1001:\nwheel:x:10:alice,bob\naudio:x:29:alice\nstaff:x:50:\n';

test("'' is root with root's home", () => {
  assert.deepEqual(resolveUser('', passwd, group), { uid: 0, gid: 0, additionalGids: [], home: '/root' });
});

test('name → passwd uid/gid, home and group memberships', () => {
  assert.deepEqual(resolveUser('alice', passwd, group), { uid: 1000, gid: 1000, additionalGids: [10, 29], home: '/home/alice' });
});

test('numeric uid in passwd behaves like its name', () => {
  assert.deepEqual(resolveUser('1001', passwd, group), { uid: 1001, gid: 1001, additionalGids: [10], home: '/home/bob' });
});

test('numeric uid not in passwd is allowed (gid 0, home /)', () => {
  assert.deepEqual(resolveUser('4242', passwd, group), { uid: 4242, gid: 0, additionalGids: [], home: '/' });
});

test('uid:gid numeric, no supplementary groups', () => {
  assert.deepEqual(resolveUser('1000:1000', passwd, group), { uid: 1000, gid: 1000, additionalGids: [], home: '/home/alice' });
  assert.deepEqual(resolveUser('5000:6000', passwd, group), { uid: 5000, gid: 6000, additionalGids: [], home: '/' });
});

test('name:group, name:gid, uid:group', () => {
  assert.equal(resolveUser('alice:staff', passwd, group).gid, 50);
  assert.equal(resolveUser('alice:77', passwd, group).gid, 77);
  assert.deepEqual(resolveUser('1001:wheel', passwd, group), { uid: 1001, gid: 10, additionalGids: [], home: '/home/bob' });
});

test('unknown user name → invalid-argument with Docker wording', () => {
  assert.throws(
    () => resolveUser('nobody', passwd, group),
    (e: unknown) => isKind(e, 'invalid-argument') && (e as Error).message === 'unable to find user nobody: no matching entries in passwd file',
  );
});

test('unknown group name → invalid-argument', () => {
  assert.throws(() => resolveUser('alice:nogroup', passwd, group), (e: unknown) => isKind(e, 'invalid-argument') && /unable to find group nogroup/.test((e as Error).message));
});

test('no passwd file: numeric ids still work, names fail', () => {
  assert.deepEqual(resolveUser('', undefined, undefined), { uid: 0, gid: 0, additionalGids: [], home: '/' });
  assert.equal(resolveUser('7:8', undefined, undefined).gid, 8);
  assert.throws(() => resolveUser('alice', undefined, undefined), (e: unknown) => isKind(e, 'invalid-argument'));
});

test('out of range uid is rejected', () => {
  assert.throws(() => resolveUser('2147483648', passwd, group), (e: unknown) => isKind(e, 'invalid-argument'));
});

test('comments and blank lines are ignored', () => {
  assert.equal(resolveUser('alice', '# x\n\n' + passwd, group).uid, 1000);
});

test('withHome adds HOME only when missing', () => {
  assert.deepEqual(withHome(['A=1'], '/root'), ['A=1', 'HOME=/root']);
  assert.deepEqual(withHome(['HOME=/x'], '/root'), ['HOME=/x']);
});
