import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { fakeHost } from '../../../test/fixtures/image/fake-host.js';
import { nullLogger } from '../../core/index.js';
import { unpackLayer } from '../unpack/index.js';
import { layerTar } from './layer-tar.js';

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function names(archive: Buffer): Promise<Array<{ name: string; type: string; linkname: string | null }>> {
  const extract = tar.extract();
  Readable.from([archive]).pipe(extract as unknown as NodeJS.WritableStream);
  const out: Array<{ name: string; type: string; linkname: string | null }> = [];
  for await (const e of extract) {
    out.push({ name: e.header.name, type: e.header.type, linkname: e.header.linkname ?? null });
    e.resume();
  }
  return out;
}

describe('layerTar', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-layertar-'));
  });
  after(async () => rm(work, { recursive: true, force: true }));

  it('writes sorted entries with links and round-trips through unpack to the same bytes', async () => {
    const root = join(work, 'a');
    await mkdir(join(root, 'etc', 'sub'), { recursive: true });
    await writeFile(join(root, 'etc', 'passwd'), 'root:x:0:0\n');
    await writeFile(join(root, 'b'), 'bee');
    await link(join(root, 'b'), join(root, 'a-hard'));
    await symlink('etc/passwd', join(root, 'z-link'));
    const first = await collect(layerTar(root));
    assert.deepEqual(await names(first), [
      { name: 'a-hard', type: 'file', linkname: null },
      { name: 'b', type: 'link', linkname: 'a-hard' },
      { name: 'etc/', type: 'directory', linkname: null },
      { name: 'etc/passwd', type: 'file', linkname: null },
      { name: 'etc/sub/', type: 'directory', linkname: null },
      { name: 'z-link', type: 'symlink', linkname: 'etc/passwd' },
    ]);
    const copy = join(work, 'copy');
    await mkdir(copy);
    const { diffId } = await unpackLayer(Readable.from([first]), copy, { logger: nullLogger, host: fakeHost() });
    assert.equal(diffId, `sha256:${createHash('sha256').update(first).digest('hex')}`);
    assert.deepEqual(await collect(layerTar(copy)), first);
  });
});
