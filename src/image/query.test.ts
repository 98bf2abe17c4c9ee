import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dockerArchive, type BuiltImage } from '../../test/fixtures/image/archive.js';
import { openTestStore, type TestStore } from '../../test/fixtures/image/service.js';
import { isKind } from '../core/index.js';

describe('ImageService get / list / inspect / history / tag', () => {
  let t: TestStore;
  let old: BuiltImage;
  let mid: BuiltImage;
  let young: BuiltImage;
  before(async () => {
    t = await openTestStore();
    old = await dockerArchive({ layers: [[{ name: 'o', content: 'old!' }]], tags: ['busybox:latest', 'busybox:1.36'], created: '2020-01-01T00:00:00Z' });
    mid = await dockerArchive({ layers: [[{ name: 'm', content: 'mid' }], [{ name: 'm2', content: 'mid2' }]], tags: ['localhost:5000/team/app:v1'], created: '2022-01-01T00:00:00Z', labels: { tier: 'web', env: 'prod' } });
    young = await dockerArchive({ layers: [[{ name: 'y', content: 'y' }]], tags: null, created: '2024-01-01T00:00:00Z' });
    for (const img of [old, mid, young]) await t.load(img.tar);
  });
  after(async () => t.cleanup());

  it('finds images by name, name:tag, full id, bare hex, id prefix and name@id', async () => {
    const hex = old.id.slice(7);
    for (const ref of ['busybox', 'busybox:latest', 'busybox:1.36', 'docker.io/library/busybox', old.id, hex, hex.slice(0, 12), `sha256:${hex.slice(0, 5)}`, `busybox@${old.id}`]) {
      assert.equal((await t.svc.get(ref)).id, old.id, ref);
    }
    assert.equal((await t.svc.get('localhost:5000/team/app:v1')).id, mid.id);
  });

  it('answers not-found in Docker wording, and invalid-argument for malformed references', async () => {
    await assert.rejects(t.svc.get('nope'), (e: Error) => isKind(e, 'not-found') && e.message === 'No such image: nope:latest');
    await assert.rejects(t.svc.get('busybox:2'), { message: 'No such image: busybox:2' });
    await assert.rejects(t.svc.get(`sha256:${'0'.repeat(64)}`), (e: Error) => isKind(e, 'not-found'));
    await assert.rejects(t.svc.get('Bad Ref'), (e: Error) => isKind(e, 'invalid-argument'));
  });

  it('lists Docker summaries newest first; untagged images have no RepoTags', async () => {
    const list = await t.svc.list();
    assert.deepEqual(list.map((s) => s.Id), [young.id, mid.id, old.id]);
    const summary = list[2]!;
    assert.deepEqual(summary, {
      Id: old.id, ParentId: '', RepoTags: ['busybox:1.36', 'busybox:latest'], RepoDigests: [],
      Created: Date.parse('2020-01-01T00:00:00Z') / 1000, Size: 4, SharedSize: -1, VirtualSize: 4,
      Labels: null, Containers: -1,
    });
    assert.deepEqual(list[0]!.RepoTags, []);
    assert.deepEqual(list[1]!.Labels, { tier: 'web', env: 'prod' });
    const counted = await t.svc.list({ containersUsing: (id) => (id === old.id ? 2 : 0) });
    assert.equal(counted.find((s) => s.Id === old.id)!.Containers, 2);
  });

  it('filters by reference, dangling, label, before and since', async () => {
    const ids = async (filters: Record<string, string[]>): Promise<string[]> => (await t.svc.list({ filters })).map((s) => s.Id);
    assert.deepEqual(await ids({ reference: ['busybox'] }), [old.id]);
    assert.deepEqual((await t.svc.list({ filters: { reference: ['busybox:1*'] } }))[0]!.RepoTags, ['busybox:1.36']);
    assert.deepEqual(await ids({ reference: ['localhost:5000/*/app'] }), [mid.id]);
    assert.deepEqual(await ids({ dangling: ['true'] }), [young.id]);
    assert.deepEqual(await ids({ dangling: ['false'] }), [mid.id, old.id]);
    assert.deepEqual(await ids({ label: ['tier'] }), [mid.id]);
    assert.deepEqual(await ids({ label: ['tier=web', 'env=prod'] }), [mid.id]);
    assert.deepEqual(await ids({ label: ['tier=db'] }), []);
    assert.deepEqual(await ids({ before: ['localhost:5000/team/app:v1'] }), [old.id]);
    assert.deepEqual(await ids({ since: ['busybox'] }), [young.id, mid.id]);
    await assert.rejects(t.svc.list({ filters: { bogus: ['x'] } }), (e: Error) => isKind(e, 'invalid-argument'));
  });

  it('inspects with RootFS diff ids, overlay2 GraphDriver and LastTagTime', async () => {
    const ins = await t.svc.inspect('localhost:5000/team/app:v1');
    assert.equal(ins.Id, mid.id);
    assert.deepEqual(ins.RootFS, { Type: 'layers', Layers: mid.diffIds });
    assert.equal(ins.GraphDriver.Name, 'overlay2');
    const dirs = t.svc.layerDirs(await t.svc.get(mid.id));
    assert.equal(ins.GraphDriver.Data?.UpperDir, dirs[0]);
    assert.equal(ins.GraphDriver.Data?.LowerDir, dirs[1]);
    assert.equal(ins.Created, '2022-01-01T00:00:00Z');
    assert.deepEqual([ins.Os, ins.Architecture, ins.Size], ['linux', 'amd64', 7]);
    assert.ok(!Number.isNaN(Date.parse(ins.Metadata.LastTagTime)));
    assert.equal((await t.svc.inspect(young.id)).Metadata.LastTagTime, '0001-01-01T00:00:00Z');
  });

  it('gives history newest first, the id on the top row and <missing> below', async () => {
    const h = await t.svc.history(mid.id);
    assert.deepEqual(h.map((r) => [r.Id, r.CreatedBy, r.Size]), [
      [mid.id, 'CMD ["sh"]', 0],
      ['<missing>', 'layer 1', 4],
      ['<missing>', 'layer 0', 3],
    ]);
    assert.deepEqual(h[0]!.Tags, ['localhost:5000/team/app:v1']);
    assert.equal(h[1]!.Tags, null);
  });

  it('tags with Docker rules', async () => {
    await t.svc.tag(young.id, 'young');
    await t.svc.tag('young', 'localhost:5000/young', 'v2');
    assert.deepEqual((await t.svc.get(young.id)).repoTags, ['localhost:5000/young:v2', 'young:latest']);
    await assert.rejects(t.svc.tag('young', 'young', 'bad:tag'), (e: Error) => isKind(e, 'invalid-argument'));
    await assert.rejects(t.svc.tag('young', 'Upper'), (e: Error) => isKind(e, 'invalid-argument'));
    await assert.rejects(t.svc.tag('missing', 'x'), (e: Error) => isKind(e, 'not-found'));
    const reopened = await t.reopen();
    assert.deepEqual((await reopened.get('young')).id, young.id);
  });
});
