import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { fakeRegistry, publish, type FakeRegistry } from '../../../test/fixtures/image/fake-registry.js';
import { mkimage } from '../../../test/fixtures/image/mkimage.js';
import { openTestStore, type TestStore } from '../../../test/fixtures/image/service.js';
import { isKind } from '../../core/index.js';
import type { JsonMessage } from '../../protocol/index.js';
import { MEDIA_TYPES } from '../../registry/types.js';

describe('ImageService.push', () => {
  let work: string;
  const stores: TestStore[] = [];
  let reg: FakeRegistry;
  const open = async (): Promise<TestStore> => {
    const s = await openTestStore({ registry: reg.create });
    stores.push(s);
    return s;
  };
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-push-'));
  });
  after(async () => rm(work, { recursive: true, force: true }));
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.cleanup();
  });

  it('pushes a loaded busybox image; pulling it back gives the same manifest digest and image id', async () => {
    reg = fakeRegistry();
    const s = await open();
    await s.svc.load(createReadStream(await mkimage(work, { format: 'docker', tag: 'localhost:5000/bb:v1' })));
    const local = await s.svc.get('localhost:5000/bb:v1');
    const msgs: JsonMessage[] = [];
    await s.svc.push('localhost:5000/bb', { onProgress: (m) => msgs.push(m) });
    const lid = local.config.rootfs.diff_ids[0]!.slice(7, 19);
    assert.deepEqual(msgs[0], { status: 'The push refers to repository [localhost:5000/bb]' });
    assert.deepEqual(msgs[1], { status: 'Preparing', progressDetail: {}, id: lid });
    assert.ok(msgs.some((m) => m.status === 'Pushing' && m.id === lid && m.progressDetail?.total !== undefined));
    assert.ok(msgs.some((m) => m.status === 'Pushed' && m.id === lid));
    const stored = reg.manifests.get('localhost:5000/bb')!.get('v1')!;
    assert.equal(stored.mediaType, MEDIA_TYPES.dockerManifest);
    assert.deepEqual(msgs.slice(-2), [
      { status: `v1: digest: ${stored.digest} size: ${stored.bytes.length}` },
      { progressDetail: {}, aux: { Tag: 'v1', Digest: stored.digest, Size: stored.bytes.length } },
    ]);
    const manifest = JSON.parse(stored.bytes.toString()) as { config: { digest: string }; layers: Array<{ mediaType: string }> };
    assert.equal(manifest.config.digest, local.id);
    assert.deepEqual(manifest.layers.map((l) => l.mediaType), [MEDIA_TYPES.dockerLayer]);
    assert.deepEqual((await s.svc.get('localhost:5000/bb:v1')).repoDigests, [`localhost:5000/bb@${stored.digest}`]);

    // A second push finds every blob there.
    const again: JsonMessage[] = [];
    await s.svc.push('localhost:5000/bb:v1', { onProgress: (m) => again.push(m) });
    assert.ok(again.some((m) => m.status === 'Layer already exists'));
    assert.equal(reg.manifests.get('localhost:5000/bb')!.get('v1')!.digest, stored.digest);

    // Delete locally (a fresh store), pull back: same digests.
    const other = await open();
    assert.equal(await other.svc.pull('localhost:5000/bb:v1'), local.id);
    assert.deepEqual((await other.svc.get(local.id)).repoDigests, [`localhost:5000/bb@${stored.digest}`]);
    const before = reg.pushes.length;
    await other.svc.push('localhost:5000/bb:v1');
    assert.ok(reg.pushes.slice(before).every((p) => p.result === 'exists'));
    assert.equal(reg.manifests.get('localhost:5000/bb')!.get('v1')!.digest, stored.digest);
  });

  it('pushes a pulled image with the blob digests it was pulled as, mounting from the source repository', async () => {
    reg = fakeRegistry();
    const s = await open();
    const src = { domain: 'localhost:5000', path: 'src' };
    const img = await publish(reg, src, '1', { layers: [[{ name: 'a', content: 'a' }], [{ name: 'b', content: 'b' }]], oci: true });
    await s.svc.pull('localhost:5000/src:1');
    await s.svc.tag('localhost:5000/src:1', 'localhost:5000/dst', 'x');
    const msgs: JsonMessage[] = [];
    await s.svc.push('localhost:5000/dst:x', { onProgress: (m) => msgs.push(m) });
    const manifest = JSON.parse(reg.manifests.get('localhost:5000/dst')!.get('x')!.bytes.toString()) as { layers: Array<{ digest: string }> };
    assert.deepEqual(manifest.layers.map((l) => l.digest), img.layerDigests);
    assert.equal(msgs.filter((m) => m.status === 'Mounted from src').length, 2);
  });

  it('skips foreign layers and names their URLs in the manifest, as Docker does', async () => {
    reg = fakeRegistry();
    const s = await open();
    const src = { domain: 'localhost:5000', path: 'win' };
    const img = await publish(reg, src, '1', { layers: [[{ name: 'base', content: 'base' }], [{ name: 'top', content: 'top' }]], foreign: 0 });
    await s.svc.pull('localhost:5000/win:1');
    await s.svc.tag('localhost:5000/win:1', 'localhost:5000/copy', '1');
    const msgs: JsonMessage[] = [];
    await s.svc.push('localhost:5000/copy:1', { onProgress: (m) => msgs.push(m) });
    assert.ok(msgs.some((m) => m.status === 'Skipped foreign layer'));
    assert.ok(!reg.pushes.some((p) => p.digest === img.layerDigests[0]));
    const manifest = JSON.parse(reg.manifests.get('localhost:5000/copy')!.get('1')!.bytes.toString()) as {
      layers: Array<{ mediaType: string; digest: string; urls?: string[] }>;
    };
    assert.deepEqual(manifest.layers[0], {
      mediaType: MEDIA_TYPES.dockerForeignLayer, size: reg.blobs.get(img.layerDigests[0]!)!.length,
      digest: img.layerDigests[0], urls: ['https://foreign.test/0'],
    });
  });

  it('pushes every local tag of the repository, and refuses an unknown one', async () => {
    reg = fakeRegistry();
    const s = await open();
    await s.svc.load(createReadStream(await mkimage(work, { format: 'docker', tag: 'localhost:5000/multi:a' })));
    await s.svc.tag('localhost:5000/multi:a', 'localhost:5000/multi', 'b');
    await s.svc.push('localhost:5000/multi');
    assert.deepEqual([...reg.manifests.get('localhost:5000/multi')!.keys()].filter((k) => !k.startsWith('sha256:')).sort(), ['a', 'b']);
    await assert.rejects(s.svc.push('localhost:5000/none'), (e: Error) => isKind(e, 'not-found'));
  });
});
