import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { fakeRegistry, publish, publishIndex, type FakeRegistry } from '../../../test/fixtures/image/fake-registry.js';
import { openTestStore, type TestStore } from '../../../test/fixtures/image/service.js';
import { isKind } from '../../core/index.js';
import type { JsonMessage } from '../../protocol/index.js';

const HUB = { domain: 'docker.io', path: 'library/busybox' };

describe('ImageService.pull', () => {
  let t: TestStore | undefined;
  let reg: FakeRegistry;
  const fresh = async (): Promise<TestStore> => {
    reg = fakeRegistry();
    t = await openTestStore({ registry: reg.create });
    return t;
  };
  afterEach(async () => {
    await t?.cleanup();
    t = undefined;
  });

  const assertEmpty = async (s: TestStore): Promise<void> => {
    assert.deepEqual(await s.svc.list(), []);
    assert.deepEqual(await readdir(join(s.root, 'layers')), []);
    assert.deepEqual(await readdir(join(s.root, 'tmp')), []);
  };

  it('pulls a single-platform image, tags it and records the repo digest', async () => {
    const s = await fresh();
    const img = await publish(reg, HUB, 'latest', { layers: [[{ name: 'bin/sh', content: 'sh' }], [{ name: 'etc/x', content: 'x' }]] });
    const id = await s.svc.pull('busybox');
    assert.equal(id, img.id);
    const rec = await s.svc.get('busybox:latest');
    assert.deepEqual(rec.repoTags, ['busybox:latest']);
    assert.deepEqual(rec.repoDigests, [`busybox@${img.manifestDigest}`]);
    assert.equal((await s.svc.get(`busybox@${img.manifestDigest}`)).id, id);
    assert.equal(s.svc.layerDirs(rec).length, 2);
    assert.deepEqual(await readdir(join(s.root, 'tmp')), []);
    // Kept after a restart.
    await s.reopen();
    assert.equal((await s.svc.get('busybox')).id, id);
  });

  it('reports Docker progress messages, then up to date on a second pull', async () => {
    const s = await fresh();
    const img = await publish(reg, HUB, 'latest', { layers: [[{ name: 'a', content: 'a'.repeat(5000) }]] });
    const msgs: JsonMessage[] = [];
    await s.svc.pull('busybox', { onProgress: (m) => msgs.push(m) });
    const lid = img.layerDigests[0]!.slice(7, 19);
    const statuses = msgs.map((m) => (m.id === lid ? `${m.id}:${m.status}` : m.status));
    const first = (st: string): number => statuses.indexOf(`${lid}:${st}`);
    assert.deepEqual(msgs[0], { status: 'Pulling from library/busybox', id: 'latest' });
    assert.deepEqual(msgs[1], { status: 'Pulling fs layer', progressDetail: {}, id: lid });
    assert.ok(first('Downloading') > 1);
    assert.ok(first('Verifying Checksum') > first('Downloading'));
    assert.ok(first('Download complete') > first('Verifying Checksum'));
    assert.ok(first('Extracting') > first('Download complete'));
    assert.ok(first('Pull complete') > first('Extracting'));
    const dl = msgs.find((m) => m.status === 'Downloading')!;
    assert.equal(dl.progressDetail?.total, reg.blobs.get(img.layerDigests[0]!)!.length);
    assert.match(dl.progress ?? '', /^\[=*>\s*\] +\d/);
    assert.deepEqual(msgs.slice(-2), [
      { status: `Digest: ${img.manifestDigest}` },
      { status: 'Status: Downloaded newer image for busybox:latest' },
    ]);
    const again: JsonMessage[] = [];
    await s.svc.pull('busybox:latest', { onProgress: (m) => again.push(m) });
    assert.deepEqual(again, [
      { status: 'Pulling from library/busybox', id: 'latest' },
      { status: `Digest: ${img.manifestDigest}` },
      { status: 'Status: Image is up to date for busybox:latest' },
    ]);
  });

  it('says Already exists for layers present and Waiting beyond three downloads', async () => {
    const s = await fresh();
    const base = [{ name: 'base', content: 'b' }];
    await publish(reg, HUB, 'one', { layers: [base] });
    await s.svc.pull('busybox:one');
    const img = await publish(reg, HUB, 'two', { layers: [base, ...[1, 2, 3, 4].map((n) => [{ name: `f${n}`, content: `${n}` }])] });
    const msgs: JsonMessage[] = [];
    await s.svc.pull('busybox:two', { onProgress: (m) => msgs.push(m) });
    assert.deepEqual(msgs[1], { status: 'Already exists', progressDetail: {}, id: img.layerDigests[0]!.slice(7, 19) });
    assert.equal(msgs.filter((m) => m.status === 'Waiting').length, 1);
    assert.equal(msgs.filter((m) => m.status === 'Pull complete').length, 4);
  });

  it('picks linux/amd64 from an index by default and another platform on request', async () => {
    const s = await fresh();
    const amd = await publish(reg, HUB, '', { layers: [[{ name: 'amd', content: 'amd' }]], oci: true });
    const arm = await publish(reg, HUB, '', { layers: [[{ name: 'arm', content: 'arm' }]], architecture: 'arm64', variant: 'v8' });
    const indexDigest = publishIndex(reg, HUB, 'latest', [
      { image: arm, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      { image: amd, platform: { os: 'linux', architecture: 'amd64' } },
    ]);
    assert.equal(await s.svc.pull('busybox'), amd.id);
    assert.deepEqual((await s.svc.get('busybox')).repoDigests, [`busybox@${indexDigest}`]);
    assert.equal(await s.svc.pull('busybox', { platform: 'linux/arm64' }), arm.id);
    await assert.rejects(s.svc.pull('busybox', { platform: 'linux/s390x' }),
      (e: Error) => isKind(e, 'not-found') && /no matching manifest for linux\/s390x in the manifest list entries/.test(e.message));
  });

  it('pulls gzip and plain layers, by digest, and name:tag@digest tags too', async () => {
    const s = await fresh();
    const img = await publish(reg, HUB, 'mixed', { layers: [[{ name: 'g', content: 'g' }], [{ name: 'p', content: 'p' }]], gzip: [true, false] });
    assert.equal(await s.svc.pull(`busybox@${img.manifestDigest}`), img.id);
    assert.deepEqual((await s.svc.get(img.id)).repoTags, []);
    assert.equal(await s.svc.pull(`busybox:mine@${img.manifestDigest}`), img.id);
    assert.deepEqual((await s.svc.get(img.id)).repoTags, ['busybox:mine']);
  });

  it('stores a layer shared by two images once, and fetches it once for concurrent pulls', async () => {
    const s = await fresh();
    const base = [{ name: 'base', content: 'x'.repeat(200_000) }];
    const a = await publish(reg, HUB, 'a', { layers: [base, [{ name: 'a', content: 'a' }]] });
    const b = await publish(reg, HUB, 'b', { layers: [base, [{ name: 'b', content: 'b' }]] });
    reg.delayMs = 1;
    const [ia, ib] = await Promise.all([s.svc.pull('busybox:a'), s.svc.pull('busybox:b')]);
    assert.deepEqual([ia, ib], [a.id, b.id]);
    assert.equal(reg.fetches.get(a.layerDigests[0]!), 1);
    assert.equal((await readdir(join(s.root, 'layers'))).length, 3);
  });

  it('stores nothing when the blob stream fails its digest check', async () => {
    const s = await fresh();
    const img = await publish(reg, HUB, 'latest', { layers: [[{ name: 'ok', content: 'ok' }], [{ name: 'bad', content: 'bad' }]] });
    reg.corrupt.add(img.layerDigests[1]!);
    await assert.rejects(s.svc.pull('busybox'), (e: Error) => isKind(e, 'invalid-argument'));
    await assertEmpty(s);
  });

  it('stores nothing when bytes do not hash to the digest even if the stream does not fail', async () => {
    const s = await fresh();
    const img = await publish(reg, HUB, 'latest', { layers: [[{ name: 'ok', content: 'ok' }]] });
    const other = await publish(reg, HUB, 'other', { layers: [[{ name: 'other', content: 'other' }]] });
    reg.blobs.set(img.layerDigests[0]!, reg.blobs.get(other.layerDigests[0]!)!);
    await assert.rejects(s.svc.pull('busybox'), (e: Error) => isKind(e, 'invalid-argument'));
    await assertEmpty(s);
  });

  it('stores nothing when a diff id does not match the config', async () => {
    const s = await fresh();
    await publish(reg, HUB, 'latest', { layers: [[{ name: 'a', content: 'a' }], [{ name: 'b', content: 'b' }]], wrongDiffId: 1 });
    await assert.rejects(s.svc.pull('busybox'), (e: Error) => isKind(e, 'invalid-argument') && /diff id/.test(e.message));
    await assertEmpty(s);
  });

  it('leaves nothing behind when aborted mid-download, and a later pull succeeds', async () => {
    const s = await fresh();
    const img = await publish(reg, HUB, 'latest', { layers: [[{ name: 'a', content: 'a' }], [{ name: 'big', content: 'z'.repeat(300_000) }]], gzip: false });
    reg.delayMs = 2;
    const ac = new AbortController();
    const pulling = s.svc.pull('busybox', {
      signal: ac.signal,
      onProgress: (m) => {
        if (m.status === 'Downloading' && (m.progressDetail?.current ?? 0) > 50_000) ac.abort();
      },
    });
    await assert.rejects(pulling);
    await assertEmpty(s);
    reg.delayMs = 0;
    assert.equal(await s.svc.pull('busybox'), img.id);
  });

  it('fetches a foreign layer the registry does not have from its URLs, as Docker does', async () => {
    const s = await fresh();
    const img = await publish(reg, HUB, 'win', { layers: [[{ name: 'base', content: 'base' }], [{ name: 'top', content: 'top' }]], foreign: 0 });
    const blob = reg.blobs.get(img.layerDigests[0]!)!;
    reg.blobs.delete(img.layerDigests[0]!);
    await assert.rejects(s.svc.pull('busybox:win'), (e: Error) => isKind(e, 'not-found'));
    reg.foreign.set('https://foreign.test/0', blob);
    assert.equal(await s.svc.pull('busybox:win'), img.id);
    assert.equal(s.svc.layerDirs(await s.svc.get('busybox:win')).length, 2);
  });

  it('reports an unknown tag as not-found', async () => {
    const s = await fresh();
    await assert.rejects(s.svc.pull('busybox:nope'), (e: Error) => isKind(e, 'not-found'));
  });

  it('pulls every tag with allTags', async () => {
    const s = await fresh();
    await publish(reg, HUB, '1', { layers: [[{ name: 'one', content: '1' }]] });
    await publish(reg, HUB, '2', { layers: [[{ name: 'two', content: '2' }]] });
    const msgs: JsonMessage[] = [];
    await s.svc.pull('busybox', { allTags: true, onProgress: (m) => msgs.push(m) });
    assert.deepEqual((await s.svc.list()).flatMap((i) => i.RepoTags ?? []).sort(), ['busybox:1', 'busybox:2']);
    assert.deepEqual(msgs.at(-1), { status: 'Status: Downloaded newer image for busybox' });
  });
});
