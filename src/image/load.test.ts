import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockerArchive, ociLayout } from '../../test/fixtures/image/archive.js';
import { mkimage } from '../../test/fixtures/image/mkimage.js';
import { openTestStore, type TestStore } from '../../test/fixtures/image/service.js';
import { buildTar } from '../../test/fixtures/image/tar.js';
import { isKind } from '../core/index.js';
import type { JsonMessage } from '../protocol/index.js';
import { chainIds } from '../store/index.js';
import { DEFAULT_DECOMPRESSORS } from './unpack/index.js';

describe('ImageService.load', () => {
  let work: string;
  let t: TestStore;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-load-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  const fresh = async (): Promise<TestStore> => {
    await t?.cleanup();
    t = await openTestStore();
    return t;
  };
  after(async () => t?.cleanup());

  it('loads a docker-archive made by mkimage-busybox and reports Docker lines', async () => {
    await fresh();
    const file = await mkimage(work, { format: 'docker' });
    const progress: JsonMessage[] = [];
    const lines = await t.svc.load(createReadStream(file), { onProgress: (m) => progress.push(m) });
    assert.deepEqual(lines, ['Loaded image: busybox:latest']);
    const img = await t.svc.get('busybox');
    assert.deepEqual(img.repoTags, ['busybox:latest']);
    assert.deepEqual(img.config.config?.Cmd, ['sh']);
    assert.ok(progress.some((m) => m.status === 'Loading layer'));
    const [dir] = t.svc.layerDirs(img);
    assert.ok((await readdir(join(dir!, 'bin'))).includes('busybox'));
    assert.deepEqual(await readdir(join(t.root, 'tmp')), []);
  });

  it('loads the same image from an OCI layout with gzip layers (same id), tagged from annotations', async () => {
    await fresh();
    const docker = await mkimage(work, { format: 'docker', tag: 'localhost:5000/a/b:v1' });
    const oci = await mkimage(work, { format: 'oci', tag: 'localhost:5000/a/b:v1', gzip: true });
    assert.deepEqual(await t.svc.load(createReadStream(oci)), ['Loaded image: localhost:5000/a/b:v1']);
    const fromOci = await t.svc.get('localhost:5000/a/b:v1');
    assert.deepEqual(await t.svc.load(createReadStream(docker)), ['Loaded image: localhost:5000/a/b:v1']);
    assert.equal((await t.svc.get('localhost:5000/a/b:v1')).id, fromOci.id);
    assert.equal((await t.svc.list()).length, 1);
  });

  it('names OCI images by org.opencontainers.image.ref.name when it is a full reference', async () => {
    await fresh();
    const img = await ociLayout({ layers: [[{ name: 'f', content: 'x' }]], annotations: { 'org.opencontainers.image.ref.name': 'example.com/x:1' } });
    assert.deepEqual(await t.load(img.tar), ['Loaded image: example.com/x:1']);
    const bare = await ociLayout({ layers: [[{ name: 'g', content: 'y' }]], annotations: { 'org.opencontainers.image.ref.name': 'latest' } });
    assert.deepEqual(await t.load(bare.tar), [`Loaded image ID: ${bare.id}`]);
  });

  it('accepts a gzip-compressed archive', async () => {
    await fresh();
    const img = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }]], tags: ['gz:1'] });
    assert.deepEqual(await t.load(gzipSync(img.tar)), ['Loaded image: gz:1']);
  });

  it('follows a nested image index to the linux/amd64 manifest', async () => {
    await fresh();
    const img = await ociLayout({ layers: [[{ name: 'n', content: 'n' }]], nested: true, annotations: { 'io.containerd.image.name': 'docker.io/library/nested:1' } });
    assert.deepEqual(await t.load(img.tar), ['Loaded image: nested:1']);
    assert.equal((await t.svc.get('nested:1')).id, img.id);
  });

  it('reads the manifest.json of a docker save 25+ archive (OCI layout inside)', async () => {
    await fresh();
    const img = await ociLayout({ layers: [[{ name: 'd', content: 'd' }]], gzipLayers: true, dockerTags: ['saved:25'] });
    assert.deepEqual(await t.load(img.tar), ['Loaded image: saved:25']);
  });

  it('reports "Loaded image ID" for untagged images', async () => {
    await fresh();
    const img = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }]], tags: null });
    assert.deepEqual(await t.load(img.tar), [`Loaded image ID: ${img.id}`]);
    assert.deepEqual((await t.svc.get(img.id)).repoTags, []);
  });

  it('stacks several layers (gzip inside) by chain id and shares them between images', async () => {
    await fresh();
    const base = [{ name: 'etc/', type: 'directory' as const }, { name: 'etc/motd', content: 'hi' }];
    const a = await dockerArchive({ layers: [base, [{ name: 'etc/.wh.motd', content: '' }]], tags: ['a:1'], gzipLayers: true });
    const b = await dockerArchive({ layers: [base, [{ name: 'b', content: 'b' }]], tags: ['b:1'] });
    await t.load(a.tar);
    await t.load(b.tar);
    const imgA = await t.svc.get('a:1');
    assert.deepEqual(imgA.chainIds, chainIds(a.diffIds));
    const dirsA = t.svc.layerDirs(imgA);
    const dirsB = t.svc.layerDirs(await t.svc.get('b:1'));
    assert.equal(dirsA.length, 2);
    assert.equal(dirsA[1], dirsB[1], 'base layer shared');
    assert.notEqual(dirsA[0], dirsB[0]);
    assert.equal((await readdir(join(t.root, 'layers'))).length, 3);
  });

  it('loads the same archive twice at once into one image and one copy of each layer', async () => {
    await fresh();
    const img = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }], [{ name: 'b', content: 'b' }]], tags: ['twice:1'] });
    const [x, y] = await Promise.all([t.load(img.tar), t.load(img.tar)]);
    assert.deepEqual([x, y], [['Loaded image: twice:1'], ['Loaded image: twice:1']]);
    assert.equal((await readdir(join(t.root, 'layers'))).length, 2);
    assert.deepEqual(await readdir(join(t.root, 'tmp')), []);
  });

  it('moves a tag to the newly loaded image, as Docker reports', async () => {
    await fresh();
    const one = await dockerArchive({ layers: [[{ name: '1', content: '1' }]], tags: ['app:latest'] });
    const two = await dockerArchive({ layers: [[{ name: '2', content: '2' }]], tags: ['app:latest'] });
    await t.load(one.tar);
    assert.deepEqual(await t.load(two.tar), [
      `The image app:latest already exists, renaming the old one with ID ${one.id} to empty string`,
      'Loaded image: app:latest',
    ]);
    assert.deepEqual((await t.svc.get(one.id)).repoTags, []);
  });

  it('refuses a layer whose diff id does not match the config, leaving nothing behind', async () => {
    await fresh();
    const img = await dockerArchive({ layers: [[{ name: 'a', content: 'a' }], [{ name: 'b', content: 'b' }]], wrongDiffId: 1 });
    await assert.rejects(t.load(img.tar), (e: Error) => isKind(e, 'invalid-argument') && /diff id/.test(e.message));
    assert.deepEqual(await t.svc.list(), []);
    await t.reopen();
    assert.deepEqual(await readdir(join(t.root, 'layers')), []);
    assert.deepEqual(await readdir(join(t.root, 'tmp')), []);
  });

  it('refuses an archive with a crafted layer, naming the member', async () => {
    await fresh();
    const img = await dockerArchive({ layers: [[{ name: '../../escape', content: 'x' }]] });
    await assert.rejects(t.load(img.tar), (e: Error) => isKind(e, 'invalid-argument') && e.message.includes('"../../escape"'));
    assert.deepEqual(await readdir(join(t.root, 'tmp')), []);
  });

  it('refuses archives that are neither format, or not tar at all', async () => {
    await fresh();
    await assert.rejects(t.load(await buildTar([{ name: 'hello', content: 'x' }])), (e: Error) => isKind(e, 'invalid-argument'));
    await assert.rejects(t.load(Buffer.from('this is not a tarball at all, just text padding'.repeat(20))), (e: Error) => isKind(e, 'invalid-argument'));
    const whole = (await dockerArchive({ layers: [[{ name: 'big', content: Buffer.alloc(100_000, 7) }]] })).tar;
    await assert.rejects(t.load(whole.subarray(0, 50_000)), (e: Error) => isKind(e, 'invalid-argument'));
    assert.deepEqual(await readdir(join(t.root, 'tmp')), []);
  });

  it('loads OCI zstd layers through the zstd tool', { skip: !existsSync(DEFAULT_DECOMPRESSORS.zstd) && 'zstd is not installed' }, async () => {
    await fresh();
    const img = await ociLayout({
      layers: [[{ name: 'z', content: 'zstd!' }]],
      annotations: { 'io.containerd.image.name': 'docker.io/library/z:1' },
      layerMediaType: 'application/vnd.oci.image.layer.v1.tar+zstd',
      compress: (raw) => execFileSync(DEFAULT_DECOMPRESSORS.zstd, ['-c', '-q'], { input: raw }),
    });
    assert.deepEqual(await t.load(img.tar), ['Loaded image: z:1']);
    const [dir] = t.svc.layerDirs(await t.svc.get('z:1'));
    assert.equal(await readFile(join(dir!, 'z'), 'utf8'), 'zstd!');
  });
});
