import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, afterEach, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { dockerArchive } from '../../../test/fixtures/image/archive.js';
import { fakeRegistry, publish } from '../../../test/fixtures/image/fake-registry.js';
import { mkimage } from '../../../test/fixtures/image/mkimage.js';
import { openTestStore, type TestStore } from '../../../test/fixtures/image/service.js';
import { isKind } from '../../core/index.js';

async function saveToBuffer(s: TestStore, refs: string[]): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await s.svc.save(refs, out);
  return Buffer.concat(chunks);
}

async function members(archive: Buffer): Promise<Map<string, Buffer>> {
  const extract = tar.extract();
  const out = new Map<string, Buffer>();
  Readable.from([archive]).pipe(extract as unknown as NodeJS.WritableStream);
  for await (const e of extract) {
    const chunks: Buffer[] = [];
    for await (const c of e) chunks.push(c as Buffer);
    out.set(e.header.name, Buffer.concat(chunks));
  }
  return out;
}

describe('ImageService.save and prune', () => {
  let work: string;
  const stores: TestStore[] = [];
  const open = async (): Promise<TestStore> => {
    const s = await openTestStore({ registry: fakeRegistry().create });
    stores.push(s);
    return s;
  };
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-save-'));
  });
  after(async () => rm(work, { recursive: true, force: true }));
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.cleanup();
  });

  it('saves several images in one archive that load gives back with the same ids and tags', async () => {
    const s = await open();
    await s.svc.load(createReadStream(await mkimage(work, { format: 'docker', tag: 'busybox:1', gzip: true })));
    const two = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }], [{ name: 'b', content: 'b' }]], tags: ['two:x'], gzipLayers: true });
    await s.load(two.tar);
    const busy = await s.svc.get('busybox:1');
    const archive = await saveToBuffer(s, ['busybox:1', 'two:x']);
    const files = await members(archive);
    for (const name of ['oci-layout', 'index.json', 'manifest.json', 'repositories']) assert.ok(files.has(name), name);
    const manifest = JSON.parse(files.get('manifest.json')!.toString()) as Array<{ Config: string; RepoTags: string[]; Layers: string[] }>;
    assert.deepEqual(manifest.map((m) => m.RepoTags), [['busybox:1'], ['two:x']]);
    assert.equal(manifest[1]!.Layers.length, 2);
    assert.ok(manifest.every((m) => m.Layers.every((l) => files.has(l)) && files.has(m.Config)));
    assert.deepEqual(await saveToBuffer(s, ['busybox:1', 'two:x']), archive, 'deterministic');

    const other = await open();
    assert.deepEqual(await other.load(archive), ['Loaded image: busybox:1', 'Loaded image: two:x']);
    assert.equal((await other.svc.get('busybox:1')).id, busy.id);
    assert.equal((await other.svc.get('two:x')).id, two.id);
  });

  it('saves a pulled image (gzip blobs) as uncompressed layers', async () => {
    const reg = fakeRegistry();
    const s = await openTestStore({ registry: reg.create });
    stores.push(s);
    const img = await publish(reg, { domain: 'docker.io', path: 'library/p' }, 'latest', { layers: [[{ name: 'p', content: 'p' }]] });
    await s.svc.pull('p');
    const other = await open();
    assert.deepEqual(await other.load(await saveToBuffer(s, ['p'])), ['Loaded image: p:latest']);
    assert.equal((await other.svc.get('p')).id, img.id);
  });

  it('refuses an unknown reference before writing a byte', async () => {
    const s = await open();
    const out = new PassThrough();
    let wrote = false;
    out.on('data', () => {
      wrote = true;
    });
    await assert.rejects(s.svc.save(['nope:1'], out), (e: Error) => isKind(e, 'not-found'));
    assert.equal(wrote, false);
  });

  it('prunes dangling images only, or every unused image with all', async () => {
    const s = await open();
    const a = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }]], tags: ['keep:1'] });
    const b = await dockerArchive({ layers: [[{ name: 'b', content: 'bb' }]], tags: null });
    const c = await dockerArchive({ layers: [[{ name: 'c', content: 'ccc' }]], tags: ['used:1'] });
    for (const img of [a, b, c]) await s.load(img.tar);
    const usedBy = (id: string): boolean => id === c.id;
    const first = await s.svc.prune({ usedBy });
    assert.deepEqual(first.ImagesDeleted, [{ Deleted: b.id }, { Deleted: b.diffIds[0]! }]);
    assert.equal(first.SpaceReclaimed, 2);
    assert.deepEqual(await s.svc.prune({ usedBy }), { ImagesDeleted: null, SpaceReclaimed: 0 });
    const all = await s.svc.prune({ all: true, usedBy });
    assert.deepEqual(all.ImagesDeleted, [{ Untagged: 'keep:1' }, { Deleted: a.id }, { Deleted: a.diffIds[0]! }]);
    assert.deepEqual((await s.svc.list()).map((i) => i.Id), [c.id]);
    assert.equal((await readdir(join(s.root, 'layers'))).length, 1);
  });
});
