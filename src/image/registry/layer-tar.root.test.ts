import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { realUnpackHost } from '../unpack/index.js';
import { layerTar } from './layer-tar.js';

describe('layerTar (root)', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-layertar-root-'));
  });
  after(async () => rm(work, { recursive: true, force: true }));

  it('turns overlay whiteouts and opaque dirs into .wh. members, keeping ownership', async () => {
    const root = join(work, 'l');
    await mkdir(join(root, 'opaque'), { recursive: true });
    await writeFile(join(root, 'owned'), 'x');
    await realUnpackHost.lchown(join(root, 'owned'), 1000, 50);
    await realUnpackHost.mknod(join(root, 'gone'), { type: 'c', major: 0, minor: 0, mode: 0 });
    await realUnpackHost.setXattr(join(root, 'opaque'), 'trusted.overlay.opaque', Buffer.from('y'));
    const extract = tar.extract();
    Readable.from(layerTar(root)).pipe(extract as unknown as NodeJS.WritableStream);
    const got: Array<[string, string, number, number]> = [];
    for await (const e of extract) {
      got.push([e.header.name, e.header.type, e.header.uid, e.header.gid]);
      e.resume();
    }
    assert.deepEqual(got, [
      ['.wh.gone', 'file', 0, 0],
      ['opaque/', 'directory', 0, 0],
      ['opaque/.wh..wh..opq', 'file', 0, 0],
      ['owned', 'file', 1000, 50],
    ]);
  });
});
