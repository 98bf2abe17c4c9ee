import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isKind } from '../core/index.js';
import { familiarString, parseReference, referenceString, repoTagReference, withDefaultTag } from './reference.js';

describe('parseReference', () => {
  const cases: Array<[string, string, string]> = [
    ['busybox', 'docker.io/library/busybox', 'busybox'],
    ['busybox:latest', 'docker.io/library/busybox:latest', 'busybox:latest'],
    ['library/busybox:1.36', 'docker.io/library/busybox:1.36', 'busybox:1.36'],
    ['docker.io/library/busybox', 'docker.io/library/busybox', 'busybox'],
    ['index.docker.io/library/busybox', 'docker.io/library/busybox', 'busybox'],
    ['user/app:v2', 'docker.io/user/app:v2', 'user/app:v2'],
    ['localhost:5000/a/b:v1', 'localhost:5000/a/b:v1', 'localhost:5000/a/b:v1'],
    ['localhost/a', 'localhost/a', 'localhost/a'],
    ['quay.io/org/img', 'quay.io/org/img', 'quay.io/org/img'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`, `busybox@sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, full, familiar] of cases) {
    it(`normalizes ${input}`, () => {
      const ref = parseReference(input);
      assert.equal(referenceString(ref), full);
      assert.equal(familiarString(ref), familiar);
    });
  }

  it('adds the default tag to a bare name only', () => {
    assert.equal(familiarString(withDefaultTag(parseReference('busybox'))), 'busybox:latest');
    assert.equal(familiarString(withDefaultTag(parseReference('busybox:1'))), 'busybox:1');
  });

  for (const bad of ['', 'a b', 'busybox:', ':tag', 'a//b', '-a', 'busybox@sha256:abc', 'a:b:c']) {
    it(`rejects ${JSON.stringify(bad)} as invalid reference format`, () => {
      assert.throws(() => parseReference(bad), (err: Error) => isKind(err, 'invalid-argument') && /invalid reference format/.test(err.message));
    });
  }

  it('rejects upper case with Docker wording', () => {
    assert.throws(() => parseReference('Foo'), { message: 'invalid reference format: repository name (library/Foo) must be lowercase' });
  });

  it('rejects a 64-hex name', () => {
    assert.throws(() => parseReference('a'.repeat(64)), (err: Error) => isKind(err, 'invalid-argument'));
  });
});

describe('repoTagReference', () => {
  it('combines repo and tag, defaulting to latest', () => {
    assert.equal(familiarString(repoTagReference('myrepo')), 'myrepo:latest');
    assert.equal(familiarString(repoTagReference('localhost:5000/x', 'v1')), 'localhost:5000/x:v1');
  });
  it('rejects a bad tag, a digest and the name sha256', () => {
    assert.throws(() => repoTagReference('x', 'bad tag'), { message: 'invalid tag format' });
    assert.throws(() => repoTagReference('x', '.v1'), { message: 'invalid tag format' });
    assert.throws(() => repoTagReference(`x@sha256:${'b'.repeat(64)}`), (e: Error) => isKind(e, 'invalid-argument'));
    assert.throws(() => repoTagReference('sha256', 'x'), /ambiguous tag/);
  });
});
