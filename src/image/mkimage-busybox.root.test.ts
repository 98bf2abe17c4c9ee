import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mkimage } from '../../test/fixtures/image/mkimage.js';
import { nullLogger } from '../core/index.js';
import { createImageService, type ImageService } from './index.js';

/** scripts/mkimage-busybox.mjs, loaded with the real host (ownership needs root). */
describe('mkimage-busybox', () => {
  let work: string;
  let svc: ImageService;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-mkimage-'));
    svc = await createImageService({ dataRoot: join(work, 'root'), logger: nullLogger });
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('is deterministic and fast', async () => {
    const started = Date.now();
    const a = await mkimage(work, { format: 'docker', tag: 'a:1' });
    assert.ok(Date.now() - started < 2000, 'well under 2 s including node start');
    const b = await mkimage(work, { format: 'docker', tag: 'a:1' });
    assert.deepEqual(await readFile(a), await readFile(b));
  });

  it('builds a busybox rootfs with users, groups and applet links', async () => {
    const file = await mkimage(work, { format: 'docker', gzip: true });
    assert.deepEqual(await svc.load(createReadStream(file)), ['Loaded image: busybox:latest']);
    const img = await svc.get('busybox:latest');
    assert.deepEqual(img.config.config?.Cmd, ['sh']);
    assert.deepEqual(img.config.config?.Env, ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    assert.deepEqual([img.config.architecture, img.config.os], ['amd64', 'linux']);
    const [root] = svc.layerDirs(img);
    const busybox = await stat(join(root!, 'bin/busybox'));
    assert.equal(busybox.mode & 0o777, 0o755);
    assert.equal((await lstat(join(root!, 'bin/sh'))).ino, busybox.ino);
    assert.equal((await lstat(join(root!, 'bin/ls'))).ino, busybox.ino);
    const passwd = await readFile(join(root!, 'etc/passwd'), 'utf8');
    assert.match(passwd, /^root:x:0:0:root:\/root:\/bin\/sh$/m);
    assert.match(passwd, /^berth:x:1000:1000:[^:]*:\/home\/berth:\/bin\/sh$/m);
    assert.match(passwd, /^nobody:x:65534:65534:/m);
    const group = await readFile(join(root!, 'etc/group'), 'utf8');
    assert.match(group, /^staff:x:50:berth$/m);
    assert.match(group, /^nogroup:x:65534:$/m);
    const home = await stat(join(root!, 'home/berth'));
    assert.deepEqual([home.uid, home.gid], [1000, 1000]);
    assert.equal((await stat(join(root!, 'tmp'))).mode & 0o7777, 0o1777);
    for (const d of ['proc', 'sys', 'dev', 'root']) assert.ok((await stat(join(root!, d))).isDirectory(), d);
  });

  it('gives the same image id as docker-archive, OCI layout and after import of the rootfs layer', async () => {
    const oci = await mkimage(work, { format: 'oci' });
    assert.deepEqual(await svc.load(createReadStream(oci)), ['Loaded image: busybox:latest']);
    const rootfs = await mkimage(work, { format: 'rootfs' });
    const id = await svc.import(createReadStream(rootfs), { repo: 'imported-busybox' });
    const imported = await svc.get(id);
    const loaded = await svc.get('busybox');
    assert.deepEqual(imported.config.rootfs.diff_ids, loaded.config.rootfs.diff_ids);
    assert.deepEqual(imported.chainIds, loaded.chainIds, 'the layer is shared');
  });
});
