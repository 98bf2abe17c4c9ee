import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openTestStore, type TestStore } from '../../test/fixtures/image/service.js';
import { buildTar } from '../../test/fixtures/image/tar.js';
import { isKind } from '../core/index.js';

describe('ImageService.import', () => {
  let t: TestStore;
  before(async () => {
    t = await openTestStore();
  });
  after(async () => t.cleanup());

  const rootfs = [{ name: 'bin/', type: 'directory' as const }, { name: 'bin/tool', content: 'tool', mode: 0o755 }];

  for (const gzip of [false, true]) {
    it(`imports a ${gzip ? 'gzip' : 'plain'} rootfs as a one-layer image with changes`, async () => {
      const raw = await buildTar(rootfs);
      const id = await t.svc.import(Readable.from([gzip ? await buildTar(rootfs, { gzip: true }) : raw]), {
        repo: 'imported', tag: gzip ? 'gz' : 'plain', changes: ['CMD ["/bin/tool"]', 'ENV A=b', 'WORKDIR /srv', 'EXPOSE 8080'],
      });
      const img = await t.svc.get(`imported:${gzip ? 'gz' : 'plain'}`);
      assert.equal(img.id, id);
      assert.deepEqual(img.config.rootfs.diff_ids, [`sha256:${createHash('sha256').update(raw).digest('hex')}`]);
      assert.deepEqual([img.config.architecture, img.config.os], ['amd64', 'linux']);
      assert.ok(Math.abs(Date.parse(img.config.created!) - Date.now()) < 60_000);
      assert.deepEqual(img.config.config?.Cmd, ['/bin/tool']);
      assert.deepEqual(img.config.config?.Env, ['A=b']);
      assert.equal(img.config.config?.WorkingDir, '/srv');
      assert.deepEqual(img.config.config?.ExposedPorts, { '8080/tcp': {} });
      assert.equal(img.config.history?.[0]?.comment, 'Imported from -');
      const [history] = await t.svc.history(id);
      assert.equal(history!.Comment, 'Imported from -');
      assert.equal(history!.Size, 4);
      const stored: unknown = JSON.parse(await readFile(join(t.root, 'content/blobs/sha256', id.slice(7)), 'utf8'));
      assert.equal(`sha256:${createHash('sha256').update(JSON.stringify(stored)).digest('hex')}`, id);
    });
  }

  it('leaves an import without repo untagged and keeps a message', async () => {
    const id = await t.svc.import(Readable.from([await buildTar([{ name: 'x', content: 'x' }])]), { message: 'from a test' });
    const img = await t.svc.get(id);
    assert.deepEqual(img.repoTags, []);
    assert.equal(img.config.comment, 'from a test');
  });

  it('refuses bad changes, references and platforms before touching the store', async () => {
    const tar = async (): Promise<Readable> => Readable.from([await buildTar(rootfs)]);
    await assert.rejects(t.svc.import(await tar(), { changes: ['FOO bar'] }), (e: Error) => isKind(e, 'invalid-argument') && e.message === 'foo is not a valid change command');
    await assert.rejects(t.svc.import(await tar(), { repo: 'Bad' }), (e: Error) => isKind(e, 'invalid-argument'));
    await assert.rejects(t.svc.import(await tar(), { repo: 'ok', tag: 'bad tag' }), (e: Error) => isKind(e, 'invalid-argument'));
    await assert.rejects(t.svc.import(await tar(), { platform: 'windows/amd64' }), (e: Error) => isKind(e, 'invalid-argument'));
  });

  it('refuses a crafted rootfs, naming the member', async () => {
    const bad = await buildTar([{ name: 'ok', content: 'x' }, { name: '../out', content: 'x' }]);
    await assert.rejects(t.svc.import(Readable.from([bad])), (e: Error) => isKind(e, 'invalid-argument') && e.message.includes('"../out"'));
  });
});
