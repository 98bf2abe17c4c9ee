import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { checkMultipleSources, contextRelative, globMatch, normalizeDest, parseChmod, targetPath, urlFileName } from './exec-paths.js';

describe('COPY/ADD destination rules', () => {
  it('makes relative destinations absolute from the WORKDIR, keeping a trailing slash', () => {
    assert.equal(normalizeDest('/app', 'x.txt'), '/app/x.txt');
    assert.equal(normalizeDest('/app', 'sub/'), '/app/sub/');
    assert.equal(normalizeDest('/app', '.'), '/app/');
    assert.equal(normalizeDest('', 'rel'), '/rel');
    assert.equal(normalizeDest('/app', '/abs/../etc/'), '/etc/');
  });

  it('puts a file under a directory destination, else at the destination itself', () => {
    assert.equal(targetPath({ dest: '/app/', sourceBase: 'a.txt', sourceIsDir: false, destExistsAsDir: false }), '/app/a.txt');
    assert.equal(targetPath({ dest: '/app', sourceBase: 'a.txt', sourceIsDir: false, destExistsAsDir: true }), '/app/a.txt');
    assert.equal(targetPath({ dest: '/app/b.txt', sourceBase: 'a.txt', sourceIsDir: false, destExistsAsDir: false }), '/app/b.txt');
    // a directory's contents go into the destination, not the directory itself
    assert.equal(targetPath({ dest: '/app/', sourceBase: 'dir', sourceIsDir: true, destExistsAsDir: false }), '/app');
  });

  it('needs a directory destination for several sources', () => {
    assert.match(checkMultipleSources('COPY', 2, '/app') ?? '', /When using COPY with more than one source file, the destination must be a directory and end with a \//);
    assert.equal(checkMultipleSources('COPY', 2, '/app/'), undefined);
    assert.equal(checkMultipleSources('ADD', 2, '.'), undefined);
    assert.equal(checkMultipleSources('COPY', 1, '/app'), undefined);
  });

  it('matches globs as filepath.Match (no / across *)', () => {
    assert.ok(globMatch('*.txt', 'a.txt'));
    assert.ok(!globMatch('*.txt', 'dir/a.txt'));
    assert.ok(globMatch('file?.md', 'file1.md'));
    assert.ok(globMatch('[ab].go', 'b.go'));
    assert.ok(!globMatch('[ab].go', 'c.go'));
  });

  it('keeps sources inside the context', () => {
    assert.equal(contextRelative('../../etc/passwd'), 'etc/passwd');
    assert.equal(contextRelative('/'), '.');
    assert.equal(contextRelative('./a/../b'), 'b');
  });

  it('parses --chmod and URL file names', () => {
    assert.equal(parseChmod('755'), 0o755);
    assert.equal(parseChmod('0640'), 0o640);
    assert.equal(parseChmod('u+x'), undefined);
    assert.equal(urlFileName('https://example.com/dl/tool.tar.gz?x=1'), 'tool.tar.gz');
  });
});
