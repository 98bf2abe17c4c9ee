import assert from 'node:assert/strict';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockerArchive, type BuiltImage } from '../../test/fixtures/image/archive.js';
import { openTestStore, type TestStore } from '../../test/fixtures/image/service.js';
import { chainIds } from '../store/index.js';

describe('createImageService on an existing data root', () => {
  let t: TestStore;
  let kept: BuiltImage;
  let broken: BuiltImage;
  before(async () => {
    t = await openTestStore();
    kept = await dockerArchive({ layers: [[{ name: 'k', content: 'k' }]], tags: ['kept:1'] });
    broken = await dockerArchive({ layers: [[{ name: 'b', content: 'b' }]], tags: ['broken:1'] });
    await t.load(kept.tar);
    await t.load(broken.tar);
  });
  after(async () => t.cleanup());

  it('keeps intact images and tags across a restart', async () => {
    const svc = await t.reopen();
    assert.equal((await svc.get('kept:1')).id, kept.id);
    assert.equal((await svc.get('broken:1')).id, broken.id);
  });

  it('drops images whose layer or config vanished, their tags, stray layers and tmp leftovers', async () => {
    await rm(join(t.root, 'layers', chainIds(broken.diffIds)[0]!.slice(7)), { recursive: true });
    await mkdir(join(t.root, 'tmp', 'load-interrupted', 'diff'), { recursive: true });
    await mkdir(join(t.root, 'layers', 'a'.repeat(64), 'diff'), { recursive: true });
    await writeFile(join(t.root, 'layers', 'a'.repeat(64), 'layer.json'), JSON.stringify({
      chainId: `sha256:${'a'.repeat(64)}`, diffId: `sha256:${'a'.repeat(64)}`, parent: '', size: 0,
    }));
    const svc = await t.reopen();
    assert.deepEqual((await svc.list()).map((s) => s.Id), [kept.id]);
    await assert.rejects(svc.get('broken:1'));
    assert.deepEqual(await readdir(join(t.root, 'tmp')), []);
    assert.deepEqual(await readdir(join(t.root, 'layers')), [chainIds(kept.diffIds)[0]!.slice(7)]);
  });
});
