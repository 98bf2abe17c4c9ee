import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import { IgnoreMatcher, hiddenBuildFiles, keepBuildFiles, parseDockerignore, type ParentMatches } from './dockerignore.js';
import { cleanPath, resolveWorkdir } from './paths.js';

/** [pattern, path, ignored] — the behaviour of moby/patternmatcher. */
const SINGLE: [string, string, boolean][] = [
  ['*', 'fileutils.go', true],
  ['*.go', 'fileutils.go', true],
  ['**', 'file', true],
  ['**', 'file/', true],
  ['**/', 'file', true],
  ['**', 'dir/file', true],
  ['**/', 'dir/file/', true],
  ['**/**', 'dir/file', true],
  ['dir/**', 'dir/file', true],
  ['dir/**', 'dir/dir2/file', true],
  ['**/dir', 'dir', true],
  ['**/dir', 'dir/file', true],
  ['**/dir2/*', 'dir/dir2/file', true],
  ['**/dir2/**', 'dir/dir2/dir3/file', true],
  ['**file', 'file', true],
  ['**file', 'dir/file', true],
  ['**/file', 'dir/file', true],
  ['**file', 'dir/dir/file', true],
  ['**/file*', 'dir/dir/file.txt', true],
  ['**/file*txt', 'dir/dir/file.txt', true],
  ['**/file*.txt*', 'dir/dir/file.txt', true],
  ['**/**/*.txt', 'dir/dir/file.txt', true],
  ['**/**/*.txt2', 'dir/dir/file.txt', false],
  ['**/*.txt', 'file.txt', true],
  ['**/**/*.txt', 'file.txt', true],
  ['a**/*.txt', 'a/file.txt', true],
  ['a**/*.txt', 'a/dir/dir/file.txt', true],
  ['a/*.txt', 'a/dir/file.txt', false],
  ['a/*.txt', 'a/file.txt', true],
  ['a/*.txt**', 'a/file.txt', true],
  ['a[b-d]e', 'ae', false],
  ['a[b-d]e', 'ace', true],
  ['a[b-d]e', 'aae', false],
  ['a[^b-d]e', 'aze', true],
  ['.*', '.foo', true],
  ['.*', 'foo', false],
  ['abc.def', 'abcdef', false],
  ['abc.def', 'abc.def', true],
  ['abc.def', 'abcZdef', false],
  ['abc?def', 'abcZdef', true],
  ['abc?def', 'abcdef', false],
  ['abc?def', 'abc/def', false],
  ['a\\\\', 'a\\', true],
  ['a\\*b', 'a*b', true],
  ['a\\*b', 'axb', false],
  ['**/foo/bar', 'foo/bar', true],
  ['**/foo/bar', 'dir/dir2/foo/bar', true],
  ['abc/**', 'abc', false],
  ['abc/**', 'abc/def/ghi', true],
  ['**/.foo', '.foo', true],
  ['**/.foo', 'bar.foo', false],
  ['a(b)c/def', 'a(b)c/def', true],
  ['a(b)c/def', 'a(b)c/xyz', false],
  ['a.|)$(}+{bc', 'a.|)$(}+{bc', true],
  ['dist/*.whl', 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', true],
  ['*/*.go', 'cmd/main.go', true],
  ['*/*.go', 'cmd/sub/main.go', false],
  ['**/*.go', 'cmd/sub/main.go', true],
  ['node_modules', 'node_modules/x/index.js', true],
  ['docs', 'docsite/index.md', false],
  ['[a-c]?t', 'bat', true],
  ['[!a]', '!', true], // Go classes negate with ^ only
  ['a]b', 'a]b', true],
  ['café', 'café', true],
  ['?é', 'xé', true],
  ['*.md', 'a/README.md', false],
];

/** [patterns, path, ignored]. */
const MULTI: [string[], string, boolean][] = [
  [['!fileutils.go', '*.go'], 'fileutils.go', true],
  [['*.go', '!fileutils.go'], 'fileutils.go', false],
  [['docs', '!docs/README.md'], 'docs/README.md', false],
  [['docs/', '!docs/README.md'], 'docs/README.md', false],
  [['docs/*', '!docs/README.md'], 'docs/README.md', false],
  [['docs', '!docs/README.md'], 'docs/other.md', true],
  [['**', '!util/docker/web'], 'util/docker/web/foo', false],
  [['**', '!util/docker/web', 'util/docker/web/foo'], 'util/docker/web/foo', true],
  [['**', '!dist/*.whl'], 'dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl', false],
  [['*.md', '!README.md'], 'README.md', false],
  [['*.md', '!README.md'], 'CHANGELOG.md', true],
  [['*.md', '!README.md', 'README.md'], 'README.md', true],
  [['**/*.md', '!**/README.md'], 'docs/api/README.md', false],
  [['**/*.md', '!**/README.md'], 'docs/api/intro.md', true],
  [['*', '!src'], 'src/main.go', false],
  [['*', '!src'], 'Makefile', true],
  [[], 'anything', false],
];

test('single patterns match like patternmatcher (file or parent directory)', () => {
  for (const [pattern, path, want] of SINGLE) {
    assert.equal(new IgnoreMatcher([pattern]).isIgnored(path), want, `${pattern} ${path}`);
  }
});

test('exceptions: the last matching pattern wins', () => {
  for (const [patterns, path, want] of MULTI) {
    assert.equal(new IgnoreMatcher(patterns).isIgnored(path), want, `${patterns.join(' ')} ${path}`);
  }
});

/** Walks the parents of `path` as a tar walker does, then matches `path`. */
function walk(m: IgnoreMatcher, path: string): boolean {
  const parts = cleanPath(path).split('/');
  let info: ParentMatches | undefined;
  for (let i = 1; i < parts.length; i++) info = m.matchWalk(parts.slice(0, i).join('/'), info).parents;
  return m.matchWalk(path, info).ignored;
}

test('the walker variant agrees on the reference cases, with and without parent results', () => {
  for (const [pattern, path, want] of SINGLE) {
    const m = new IgnoreMatcher([pattern]);
    assert.equal(walk(m, path), want, `walk ${pattern} ${path}`);
    assert.equal(m.matchWalk(path).ignored, want, `no context ${pattern} ${path}`);
  }
  for (const [patterns, path, want] of MULTI) {
    const m = new IgnoreMatcher(patterns);
    assert.equal(walk(m, path), want, `walk ${patterns.join(' ')} ${path}`);
  }
});

test('the walker skips patterns that cannot change the result, as docker build does', () => {
  // The third pattern is skipped at "a" (already ignored), so "a/b" stays re-included when walking.
  const m = new IgnoreMatcher(['a', '!a/b', 'a']);
  assert.equal(walk(m, 'a/b'), false);
  assert.equal(m.isIgnored('a/b'), true);
});

test('reading a .dockerignore: comments, blanks, trimming, cleaning, leading slash, BOM, CRLF', () => {
  const text = '\uFEFF# comment\r\n\r\n  *.log  \n/build/\n!/build/keep.txt\n ! tmp/../cache \n./src//gen\n #not a comment\n/\n!\n';
  assert.deepEqual(parseDockerignore(text), ['*.log', 'build', '!build/keep.txt', '!cache', 'src/gen', '#not a comment', '/', '!']);
  assert.deepEqual(parseDockerignore(''), []);
});

test('compiled patterns: empty ones dropped, syntax errors and a lone ! refused', () => {
  assert.deepEqual(new IgnoreMatcher(['docs', 'config', '', '  ']).patterns.map((p) => p.pattern), ['docs', 'config']);
  assert.deepEqual(new IgnoreMatcher(['!docs/']).patterns, [{ pattern: 'docs', exclusion: true }]);
  assert.equal(new IgnoreMatcher(['a', '!b']).hasExclusions, true);
  assert.equal(new IgnoreMatcher(['a']).hasExclusions, false);
  for (const bad of ['[', '[]', '[a', 'a\\', '[a-]', '[]a]', '[^]', '!']) {
    assert.throws(() => new IgnoreMatcher([bad]), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument', bad);
  }
});

test('paths are cleaned; the context root is never ignored', () => {
  const m = new IgnoreMatcher(['*']);
  assert.equal(m.isIgnored('.'), false);
  assert.equal(m.isIgnored(''), false);
  assert.equal(m.isIgnored('./x'), true);
  assert.equal(m.isIgnored('/x'), true);
  assert.equal(new IgnoreMatcher(['a/b']).isIgnored('a/./c/../b/'), true);
  assert.deepEqual(['', '.', 'a/', '/a/../..', 'a/../../b', './a//b/.', '..'].map(cleanPath), ['.', '.', 'a', '/', '../b', 'a/b', '..']);
});

test('WORKDIR paths resolve against the current directory', () => {
  assert.equal(resolveWorkdir('/', 'app'), '/app');
  assert.equal(resolveWorkdir('/app', 'b/../c/'), '/app/c');
  assert.equal(resolveWorkdir('', 'x'), '/x');
  assert.equal(resolveWorkdir('/app', '/srv//www/'), '/srv/www');
  assert.equal(resolveWorkdir('/app', '../..'), '/');
});

test('canSkipDir: only when no exception can match inside', () => {
  assert.equal(new IgnoreMatcher(['node_modules']).canSkipDir('node_modules'), true);
  const m = new IgnoreMatcher(['docs', '!docs/README.md', 'vendor', '*.tmp']);
  assert.equal(m.canSkipDir('docs'), false);
  assert.equal(m.canSkipDir('vendor'), true);
  assert.equal(m.canSkipDir('docs/api'), true);
  assert.equal(new IgnoreMatcher(['**', '!**/*.go']).canSkipDir('any/dir'), false);
  assert.equal(new IgnoreMatcher(['*', '!src/*/main.go']).canSkipDir('src'), false);
  assert.equal(new IgnoreMatcher(['*', '!src/*/main.go']).canSkipDir('src/cmd'), false);
  assert.equal(new IgnoreMatcher(['*', '!src/*/main.go']).canSkipDir('lib'), true);
  assert.equal(new IgnoreMatcher(['*', '!src/*/main.go']).canSkipDir('src/cmd/deeper'), true);
  assert.equal(new IgnoreMatcher(['*', '!s?c']).canSkipDir('src/x'), false, 'an exception on an ancestor re-includes');
  assert.equal(new IgnoreMatcher(['*', '![^x]*/keep']).canSkipDir('lib'), false, 'negated classes are not analysed');
});

test('the Dockerfile and .dockerignore are sent even when ignored, and hidden afterwards', () => {
  assert.deepEqual(keepBuildFiles(['*'], 'Dockerfile'), ['*', '!.dockerignore', '!Dockerfile']);
  assert.deepEqual(keepBuildFiles(['.dockerignore', 'build'], 'build/Dockerfile.prod'), ['.dockerignore', 'build', '!.dockerignore', '!build/Dockerfile.prod']);
  assert.deepEqual(keepBuildFiles(['*.log'], './Dockerfile'), ['*.log']);
  assert.deepEqual(keepBuildFiles(['*'], 'Dockerfile', { dockerfileFromStdin: true }), ['*', '!.dockerignore']);
  const sent = new IgnoreMatcher(keepBuildFiles(['*', '!src'], 'Dockerfile'));
  assert.equal(sent.isIgnored('Dockerfile'), false);
  assert.equal(sent.isIgnored('.dockerignore'), false);
  assert.equal(sent.isIgnored('README.md'), true);
  assert.deepEqual(hiddenBuildFiles(['*', '!src'], 'Dockerfile'), ['.dockerignore', 'Dockerfile']);
  assert.deepEqual(hiddenBuildFiles(['Dockerfile*'], 'Dockerfile'), ['Dockerfile']);
  assert.deepEqual(hiddenBuildFiles(['*.log'], 'Dockerfile'), []);
});
