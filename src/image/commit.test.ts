import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { openTestStore, type TestStore } from '../../test/fixtures/image/service.js';
import { buildTar } from '../../test/fixtures/image/tar.js';
import { isKind } from '../core/index.js';
import { EMPTY_TAR_DIFF_ID, type CommitImageOptions, type CommitImageService } from './commit.js';
import { layerTar } from './registry/layer-tar.js';

describe('ImageService.commit', () => {
  let t: TestStore;
  let parent: string;
  const svc = (): CommitImageService => t.svc as unknown as CommitImageService;
  const base = (layer: () => Readable): CommitImageOptions => ({
    parent, layer, config: { Cmd: ['cat', '/hello'] }, containerConfig: { Cmd: ['sh', '-c', 'echo hi > /hello'], Image: 'base' },
    containerId: 'c'.repeat(64), createdBy: 'sh -c echo hi > /hello',
  });

  before(async () => {
    t = await openTestStore();
    parent = await t.svc.import(Readable.from([await buildTar([{ name: 'bin/', type: 'directory' }, { name: 'bin/ls', content: 'ls' }])]), {
      repo: 'base', tag: 'latest',
    });
  });
  after(async () => t.cleanup());

  it('stacks the layer on the parent, with Docker\'s config, history and tag', async () => {
    const layer = await buildTar([{ name: 'hello', content: 'hi\n' }, { name: 'bin/', type: 'directory' }, { name: 'bin/.wh.ls', content: '' }]);
    const id = await svc().commit({ ...base(() => Readable.from([layer])), author: 'me', comment: 'msg', repo: 'committed', tag: 'v1' });
    const img = await t.svc.get('committed:v1');
    assert.equal(img.id, id);
    const parentImg = await t.svc.get(parent);
    const diffId = `sha256:${createHash('sha256').update(layer).digest('hex')}`;
    assert.deepEqual(img.config.rootfs.diff_ids, [...parentImg.config.rootfs.diff_ids, diffId]);
    assert.equal(img.chainIds.length, 2);
    assert.deepEqual(img.config.config?.Cmd, ['cat', '/hello']);
    assert.deepEqual(img.config.container_config?.Cmd, ['sh', '-c', 'echo hi > /hello']);
    assert.equal(img.config.author, 'me');
    assert.equal((img.config as { container?: string }).container, 'c'.repeat(64));
    const last = img.config.history?.at(-1);
    assert.deepEqual({ ...last, created: undefined }, { author: 'me', created: undefined, created_by: 'sh -c echo hi > /hello', comment: 'msg' });
    assert.equal(img.config.history?.length, (parentImg.config.history?.length ?? 0) + 1);
    const inspect = await t.svc.inspect(id);
    assert.equal(inspect.Comment, 'msg');
    assert.equal(inspect.Author, 'me');
    const [top] = await t.svc.history(id);
    assert.equal(top!.CreatedBy, 'sh -c echo hi > /hello');
    assert.equal(top!.Size, 3);
  });

  it('records an empty layer in the history only', async () => {
    const id = await svc().commit(base(() => Readable.from([Buffer.alloc(1024)])));
    const img = await t.svc.get(id);
    assert.deepEqual(img.config.rootfs.diff_ids, (await t.svc.get(parent)).config.rootfs.diff_ids);
    assert.equal(img.config.history?.at(-1)?.empty_layer, true);
    assert.equal(EMPTY_TAR_DIFF_ID, `sha256:${createHash('sha256').update(Buffer.alloc(1024)).digest('hex')}`);
  });

  it('leaves nothing behind when the layer stream fails', async () => {
    const before = (await t.svc.list({ all: true })).length;
    const layersBefore = await readdir(join(t.root, 'layers'));
    const broken = (): Readable => new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    await assert.rejects(svc().commit({ ...base(broken), repo: 'broken' }), /disk on fire/);
    assert.equal((await t.svc.list({ all: true })).length, before);
    assert.deepEqual(await readdir(join(t.root, 'layers')), layersBefore);
    assert.deepEqual(await readdir(join(t.root, 'tmp')), []);
  });

  it('adopts a directory as the layer: its files moved into the store, the same diff id as the tar, the tar kept as the blob', async () => {
    const dir = await mkdtemp(join(t.root, 'upper-'));
    await mkdir(join(dir, 'app'));
    await writeFile(join(dir, 'app', 'a.txt'), 'alpha\n');
    await writeFile(join(dir, 'b.txt'), 'beta!\n');
    const tarOf = (d: string): Readable => layerTar(d);
    // the same directory through the tar, for comparison: its diff id is the adopted layer's too
    let tarBytes = Buffer.alloc(0);
    for await (const c of tarOf(dir)) tarBytes = Buffer.concat([tarBytes, c as Buffer]);
    const id = await svc().commit({ ...base(() => Readable.from([])), adopt: { dir, layerOf: tarOf }, repo: 'adopted' });
    const img = await t.svc.get(id);
    assert.equal(img.config.rootfs.diff_ids.at(-1), `sha256:${createHash('sha256').update(tarBytes).digest('hex')}`);
    const layerDir = t.svc.layerDirs(img)[0]!;
    assert.equal(await readFile(join(layerDir, 'app', 'a.txt'), 'utf8'), 'alpha\n');
    assert.equal(existsSync(dir), false, 'moved, not copied');
    const [top] = await t.svc.history(id);
    assert.equal(top!.Size, 12, 'the size counts the regular files');
    // the blob is the tar: saving the image reproduces it
    const chunks: Buffer[] = [];
    await t.svc.save([id], new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } }));
    assert.ok(Buffer.concat(chunks).includes(tarBytes), 'the layer tar is in the saved archive');
  });

  it('refuses a bad repository before storing anything, and a missing parent', async () => {
    await assert.rejects(svc().commit({ ...base(() => Readable.from([Buffer.alloc(1024)])), repo: 'Bad' }), (e: Error) => isKind(e, 'invalid-argument'));
    await assert.rejects(svc().commit({ ...base(() => Readable.from([Buffer.alloc(1024)])), parent: 'sha256:' + 'f'.repeat(64) }), (e: Error) => isKind(e, 'not-found'));
  });
});
