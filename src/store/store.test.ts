import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind, nullLogger, sha256 } from '../core/index.js';
import {
  ContentStore, ImageRecords, LayerStore, TagStore, chainIds, clearTempDirs, storePaths,
} from './index.js';

describe('store', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'berth-store-'));
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('computes chain ids as the OCI image spec defines them', () => {
    const a = sha256('a');
    const b = sha256('b');
    const c = sha256('c');
    const ab = sha256(`${a} ${b}`);
    assert.deepEqual(chainIds([a, b, c]), [a, ab, sha256(`${ab} ${c}`)]);
    assert.deepEqual(chainIds([]), []);
  });

  it('stores blobs by digest and detects corruption', async () => {
    const paths = storePaths(join(root, 'c'));
    const content = new ContentStore(paths.blobs);
    const digest = await content.put(Buffer.from('{"a":1}'));
    assert.equal(digest, sha256('{"a":1}'));
    assert.equal((await content.read(digest)).toString(), '{"a":1}');
    await writeFile(content.path(digest), 'tampered');
    await assert.rejects(content.read(digest), (e: Error) => isKind(e, 'internal'));
    await content.remove(digest);
    await assert.rejects(content.read(digest), (e: Error) => isKind(e, 'not-found'));
  });

  it('commits layers atomically by chain id, dedupes and drops incomplete dirs on open', async () => {
    const paths = storePaths(join(root, 'l'));
    const layers = new LayerStore(paths.layers, paths.tmp, nullLogger);
    await layers.open();
    const diffId = sha256('layer');
    const p1 = await layers.begin();
    await writeFile(join(p1.diff, 'f'), 'x');
    const info = await layers.commit(p1, { diffId, parent: '', size: 1 });
    assert.equal(info.chainId, diffId);
    const p2 = await layers.begin();
    assert.equal((await layers.commit(p2, { diffId, parent: '', size: 1 })).chainId, diffId);
    assert.deepEqual(await readdir(paths.tmp), []);
    const child = await layers.commit(await layers.begin(), { diffId: sha256('top'), parent: diffId, size: 0 });
    assert.equal(child.chainId, chainIds([diffId, sha256('top')])[1]);
    await mkdir(join(paths.layers, 'f'.repeat(64), 'diff'), { recursive: true });
    const reopened = new LayerStore(paths.layers, paths.tmp, nullLogger);
    await reopened.open();
    assert.deepEqual(reopened.all().sort(), [diffId, child.chainId].sort());
    assert.ok(!(await readdir(paths.layers)).includes('f'.repeat(64)));
    await reopened.remove(diffId);
    assert.ok(!reopened.has(diffId));
    assert.deepEqual((await readdir(paths.layers)).length, 1);
  });

  it('persists image records and tags', async () => {
    const paths = storePaths(join(root, 'm'));
    const records = new ImageRecords(paths.images, nullLogger);
    await records.open();
    const id = sha256('config');
    await records.put({ id, chainIds: [sha256('l')], size: 3, added: 'now', lastTagTime: '' });
    const tags = new TagStore(paths.images, nullLogger);
    await tags.open();
    tags.set({ ref: 'docker.io/library/x:1', name: 'docker.io/library/x', id });
    await tags.save();
    await writeFile(join(paths.images, `${'e'.repeat(64)}.json`), '{broken');
    const r2 = new ImageRecords(paths.images, nullLogger);
    await r2.open();
    assert.deepEqual(r2.all().map((r) => r.id), [id]);
    const t2 = new TagStore(paths.images, nullLogger);
    await t2.open();
    assert.deepEqual(t2.refsOf(id).map((e) => e.ref), ['docker.io/library/x:1']);
  });

  it('clears leftovers in tmp', async () => {
    const tmp = join(root, 't');
    await mkdir(join(tmp, 'load-abc', 'deep'), { recursive: true });
    await writeFile(join(tmp, 'junk'), 'x');
    assert.deepEqual((await clearTempDirs(tmp)).sort(), ['junk', 'load-abc']);
    assert.deepEqual(await readdir(tmp), []);
  });
});
