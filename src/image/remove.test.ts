import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { dockerArchive, type BuiltImage } from '../../test/fixtures/image/archive.js';
import { openTestStore, type TestStore } from '../../test/fixtures/image/service.js';
import { isKind, shortId } from '../core/index.js';
import { chainIds } from '../store/index.js';

describe('ImageService.remove (Docker semantics)', () => {
  let t: TestStore;
  let img: BuiltImage;
  const ctr = 'c0ffee'.padEnd(64, '0');
  beforeEach(async () => {
    t = await openTestStore();
    img = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }], [{ name: 'b', content: 'b' }]], tags: ['app:1', 'app:2'] });
    await t.load(img.tar);
  });
  afterEach(async () => t.cleanup());

  it('only untags when other tags remain', async () => {
    assert.deepEqual(await t.svc.remove('app:1'), [{ Untagged: 'app:1' }]);
    assert.deepEqual((await t.svc.get(img.id)).repoTags, ['app:2']);
  });

  it('deletes the image and its layers with the last tag', async () => {
    await t.svc.remove('app:1');
    const chain = chainIds(img.diffIds);
    assert.deepEqual(await t.svc.remove('app:2'), [
      { Untagged: 'app:2' }, { Deleted: img.id }, { Deleted: chain[1]! }, { Deleted: chain[0]! },
    ]);
    await assert.rejects(t.svc.get(img.id), (e: Error) => isKind(e, 'not-found'));
    assert.deepEqual(await readdir(join(t.root, 'layers')), []);
    assert.deepEqual(await readdir(join(t.root, 'images')), ['repositories.json']);
  });

  it('refuses removal by id while several repositories reference it, unless forced', async () => {
    await assert.rejects(t.svc.remove(img.id.slice(7, 19)), (e: Error) => isKind(e, 'conflict')
      && e.message === `conflict: unable to delete ${shortId(img.id)} (must be forced) - image is referenced in multiple repositories`);
    const out = await t.svc.remove(img.id, { force: true });
    assert.deepEqual(out.slice(0, 3), [{ Untagged: 'app:1' }, { Untagged: 'app:2' }, { Deleted: img.id }]);
  });

  it('removes by id when a single tag refers to it', async () => {
    await t.svc.remove('app:1');
    const out = await t.svc.remove(img.id);
    assert.deepEqual(out.slice(0, 2), [{ Untagged: 'app:2' }, { Deleted: img.id }]);
  });

  it('refuses to untag the last reference of an image a container uses', async () => {
    await t.svc.remove('app:1');
    const usedBy = (): { id: string; running: boolean } => ({ id: ctr, running: false });
    await assert.rejects(t.svc.remove('app:2', { usedBy }), (e: Error) => isKind(e, 'conflict')
      && e.message === `conflict: unable to remove repository reference "app:2" (must force) - container ${shortId(ctr)} is using its referenced image ${shortId(img.id)}`);
    await assert.rejects(t.svc.remove(img.id, { usedBy }), (e: Error) => isKind(e, 'conflict')
      && e.message === `conflict: unable to delete ${shortId(img.id)} (must be forced) - image is being used by stopped container ${shortId(ctr)}`);
    const forced = await t.svc.remove('app:2', { usedBy, force: true });
    assert.deepEqual(forced.slice(0, 2), [{ Untagged: 'app:2' }, { Deleted: img.id }]);
  });

  it('never deletes an image a running container uses, even forced', async () => {
    const usedBy = (): { id: string; running: boolean } => ({ id: ctr, running: true });
    await assert.rejects(t.svc.remove(img.id, { usedBy, force: true }), (e: Error) => isKind(e, 'conflict')
      && e.message === `conflict: unable to delete ${shortId(img.id)} (cannot be forced) - image is being used by running container ${shortId(ctr)}`);
    await t.svc.remove('app:1', { usedBy, force: true });
    // Untagging the last name of a running image leaves it dangling, as Docker does.
    assert.deepEqual(await t.svc.remove('app:2', { usedBy, force: true }), [{ Untagged: 'app:2' }]);
    assert.equal((await t.svc.get(img.id)).repoTags.length, 0);
  });

  it('keeps layers another image still uses', async () => {
    const other = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }]], tags: ['base:1'] });
    await t.load(other.tar);
    const out = await t.svc.remove(img.id, { force: true });
    const chain = chainIds(img.diffIds);
    assert.ok(out.some((r) => 'Deleted' in r && r.Deleted === chain[1]));
    assert.ok(!out.some((r) => 'Deleted' in r && r.Deleted === chain[0]));
    assert.deepEqual(await readdir(join(t.root, 'layers')), [chain[0]!.slice(7)]);
    assert.ok((await t.svc.get('base:1')).id);
  });

  it('prunes the untagged parents an image was committed on (intermediate build images), unless noPrune', async () => {
    const commit = async (parent: string, name: string, repo?: string): Promise<string> => {
      const { Readable } = await import('node:stream');
      const { buildTar } = await import('../../test/fixtures/image/tar.js');
      const layer = await buildTar([{ name, content: name }]);
      return (t.svc as unknown as import('./commit.js').CommitImageService).commit({
        parent, layer: () => Readable.from([layer]), config: {}, containerConfig: {}, containerId: '', createdBy: name, ...(repo ? { repo } : {}),
      });
    };
    const step1 = await commit(img.id, 'one');
    const step2 = await commit(step1, 'two');
    const final = await commit(step2, 'three', 'built');
    assert.equal((await t.svc.inspect(final)).Parent, step2);
    assert.equal((await t.svc.inspect(step1)).Parent, img.id);
    // `images` hides the intermediate ones; `images -a` shows them
    const shown = (await t.svc.list({})).map((i) => i.Id);
    assert.ok(shown.includes(final) && !shown.includes(step1) && !shown.includes(step2), shown.join(' '));
    const every = (await t.svc.list({ all: true })).map((i) => i.Id);
    assert.ok(every.includes(step1) && every.includes(step2));
    const gone = await t.svc.remove('built');
    const deleted = gone.flatMap((g) => ('Deleted' in g && g.Deleted ? [g.Deleted] : []));
    // the image, then its two untagged parents; the tagged grandparent (app:1, app:2) stays
    assert.deepEqual(deleted.filter((d) => [final, step2, step1, img.id].includes(d)), [final, step2, step1]);
    await t.svc.get(img.id);
    // noPrune keeps the parents; a parent with another child stays too
    const a = await commit(img.id, 'a2');
    const b = await commit(a, 'b2', 'keep1');
    await commit(a, 'c2', 'keep2');
    const kept = await t.svc.remove('keep1');
    assert.ok(kept.some((g) => 'Deleted' in g && g.Deleted === b));
    await t.svc.get(a);
    const c = await commit(a, 'd2', 'np');
    await t.svc.remove('keep2');
    await t.svc.remove('np', { noPrune: true });
    await assert.rejects(t.svc.get(c), (e: Error) => isKind(e, 'not-found'));
    await t.svc.get(a);
  });

  it('answers not-found for an unknown image', async () => {
    await assert.rejects(t.svc.remove('ghost'), (e: Error) => isKind(e, 'not-found') && e.message === 'No such image: ghost:latest');
  });
});
