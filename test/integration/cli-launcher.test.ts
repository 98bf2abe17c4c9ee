/**
 * bin/berth's code caches: one file per command word, written by the command's first run that
 * exits 0, reused (not rewritten) afterwards, and thrown away when V8 rejects it. Runs a copy of
 * the launcher and the built bundle in a temp dir, so that the checkout's caches are untouched.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BERTH_BIN, REPO_ROOT } from '../helpers/paths.js';

const bundle = join(REPO_ROOT, 'dist', 'berth.cjs');

describe('bin/berth code caches', { skip: !existsSync(bundle) && 'dist/berth.cjs is missing: run `npm run build`' }, () => {
  let dir = '';
  let launcher = '';
  const caches = (): string[] => readdirSync(join(dir, 'dist')).filter((f) => f.endsWith('.v8cache')).sort();
  const berth = (...args: string[]) => spawnSync(process.execPath, ['--', launcher, ...args], {
    encoding: 'utf8', env: { ...process.env, DOCKER_HOST: `unix://${join(dir, 'nothing.sock')}` },
  });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'berth-launcher-'));
    mkdirSync(join(dir, 'bin'));
    mkdirSync(join(dir, 'dist'));
    launcher = join(dir, 'bin', 'berth');
    copyFileSync(BERTH_BIN, launcher);
    copyFileSync(join(REPO_ROOT, 'bin', 'package.json'), join(dir, 'bin', 'package.json'));
    copyFileSync(bundle, join(dir, 'dist', 'berth.cjs'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes no cache for a run that fails (a typo leaves no file)', () => {
    assert.notEqual(berth('nosuchcommand').status, 0);
    assert.notEqual(berth('ps').status, 0); // no daemon on that socket
    assert.deepEqual(caches(), []);
  });

  it('writes one cache per command word on its first successful run, then reuses it', () => {
    assert.equal(berth('--version').status, 0);
    assert.equal(berth('-H', 'unix:///x', 'version', '--help').status, 0);
    assert.deepEqual(caches(), ['berth.cjs._.v8cache', 'berth.cjs.version.v8cache']);
    const file = join(dir, 'dist', 'berth.cjs.version.v8cache');
    const first = statSync(file);
    assert.ok(first.size > 10_000, `a real V8 cache: ${first.size} bytes`);
    const again = berth('version', '--help');
    assert.equal(again.status, 0);
    assert.match(again.stdout, /Usage:/);
    assert.equal(statSync(file).mtimeMs, first.mtimeMs, 'a usable cache is not written again');
  });

  it('replaces a cache V8 rejects', () => {
    const file = join(dir, 'dist', 'berth.cjs._.v8cache');
    writeFileSync(file, Buffer.alloc(64, 7));
    const r = berth('--version');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /version/i);
    assert.ok(statSync(file).size > 10_000, 'the garbage was replaced by a real cache');
  });
});
