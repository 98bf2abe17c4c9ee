/**
 * The client against Debian's real docker-registry (CNCF distribution) in its three auth modes.
 * Needs /usr/bin/docker-registry (no root, no network beyond 127.0.0.1).
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { EngineError, sha256 } from '../core/index.js';
import { REGISTRY_BIN, startRegistry, type RegistryMode, type TestRegistry } from '../../test/helpers/registry.js';
import { createRegistryClient, MEDIA_TYPES, type RegistryAuth } from './index.js';

const skip = existsSync(REGISTRY_BIN) ? false : `${REGISTRY_BIN} is not installed`;

async function readAll(s: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of s as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks);
}

function kindOf(err: unknown): string {
  return err instanceof EngineError ? err.kind : `not an EngineError: ${String(err)}`;
}

/** A tiny image: config + one layer + manifest. */
function sampleImage(tag: string): { config: Buffer; layer: Buffer; manifest: Buffer } {
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, tag }));
  const layer = Buffer.alloc(200 * 1024, tag.charCodeAt(0));
  layer.write(`layer for ${tag}`, 0);
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config: { mediaType: MEDIA_TYPES.ociConfig, digest: sha256(config), size: config.length },
    layers: [{ mediaType: MEDIA_TYPES.ociLayerGzip, digest: sha256(layer), size: layer.length }],
  }));
  return { config, layer, manifest };
}

for (const mode of ['open', 'basic', 'token'] as RegistryMode[]) {
  describe(`docker-registry (${mode})`, { skip }, () => {
    let reg: TestRegistry;
    let auth: RegistryAuth | undefined;
    before(async () => {
      reg = await startRegistry({ mode });
      auth = mode === 'open' ? undefined : { username: reg.username, password: reg.password };
    });
    after(async () => {
      await reg.stop();
    });

    it('pushes blobs and a manifest, then pulls them back', async () => {
      const c = createRegistryClient(auth, { chunkSize: 64 * 1024, retries: 1 });
      await c.checkAuth(reg.host);
      const repo = { domain: reg.host, path: 'berth/app' };
      const img = sampleImage(mode);
      for (const b of [img.config, img.layer]) {
        const desc = { digest: sha256(b), size: b.length };
        assert.equal(await c.pushBlob(repo, desc, () => Readable.from([b])), 'uploaded');
        assert.equal(await c.pushBlob(repo, desc, () => Readable.from([b])), 'exists');
      }
      const digest = await c.putManifest(repo, 'v1', MEDIA_TYPES.ociManifest, img.manifest);
      assert.equal(digest, sha256(img.manifest));
      const m = await c.getManifest(repo, 'v1');
      assert.ok(m.bytes.equals(img.manifest));
      assert.equal(m.mediaType, MEDIA_TYPES.ociManifest);
      assert.equal((await c.getManifest(repo, digest)).digest, digest);
      const layer = await readAll(await c.getBlob(repo, { digest: sha256(img.layer), size: img.layer.length }));
      assert.ok(layer.equals(img.layer));
      assert.deepEqual(await c.listTags(repo), ['v1']);
      assert.equal(await c.hasBlob(repo, sha256(img.config)), true);
      const other = { domain: reg.host, path: 'berth/other' };
      const small = { digest: sha256(img.config), size: img.config.length };
      assert.equal(await c.pushBlob(other, small, () => Readable.from([img.config]), { mountFrom: 'berth/app' }), 'mounted');
      await assert.rejects(c.getManifest(repo, 'nope'), (e: unknown) => kindOf(e) === 'not-found'
        && /^manifest for 127\.0\.0\.1:\d+\/berth\/app:nope not found: manifest unknown: manifest unknown/.test((e as Error).message));
    });

    if (mode !== 'open') {
      it('refuses wrong or missing credentials', async () => {
        const bad = createRegistryClient({ username: reg.username, password: 'wrong' }, { retries: 0 });
        await assert.rejects(bad.checkAuth(reg.host), (e: unknown) => kindOf(e) === 'unauthorized'
          && /incorrect username or password/.test((e as Error).message));
        const anon = createRegistryClient(undefined, { retries: 0 });
        await assert.rejects(anon.getManifest({ domain: reg.host, path: 'berth/app' }, 'v1'), (e: unknown) => kindOf(e) === 'unauthorized'
          && /pull access denied for 127\.0\.0\.1:\d+\/berth\/app/.test((e as Error).message));
      });
    }

    if (mode === 'token') {
      it('caches tokens per scope and accepts an identity token', async () => {
        const c = createRegistryClient(auth);
        const repo = { domain: reg.host, path: 'berth/app' };
        const before = reg.tokensIssued();
        await c.getManifest(repo, 'v1');
        await c.getManifest(repo, 'v1');
        await c.hasBlob(repo, sha256('x'));
        assert.equal(reg.tokensIssued() - before, 1);
        const byId = createRegistryClient({ identitytoken: reg.identityToken });
        assert.equal((await byId.getManifest(repo, 'v1')).mediaType, MEDIA_TYPES.ociManifest);
      });
    }

    if (mode === 'open') {
      it('errors naming the digest when a stored blob was tampered with', async () => {
        const c = createRegistryClient(undefined);
        const repo = { domain: reg.host, path: 'berth/tamper' };
        const data = Buffer.from('the genuine content of a blob');
        const digest = sha256(data);
        await c.pushBlob(repo, { digest, size: data.length }, () => Readable.from([data]));
        const hex = digest.slice(7);
        const file = join(reg.storageDir, 'docker/registry/v2/blobs/sha256', hex.slice(0, 2), hex, 'data');
        await writeFile(file, Buffer.from('the tampered content of a blob'.slice(0, data.length)));
        const s = await c.getBlob(repo, { digest, size: data.length });
        await assert.rejects(readAll(s), (e: unknown) => kindOf(e) === 'invalid-argument' && (e as Error).message.includes(digest));
      });
    }
  });
}
