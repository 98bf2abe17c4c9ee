import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { dockerArchive } from '../../test/fixtures/image/archive.js';
import { fakeHost } from '../../test/fixtures/image/fake-host.js';
import type { TarMember } from '../../test/fixtures/image/tar.js';
import { nullLogger } from '../core/index.js';
import { createImageService } from './index.js';

const CHILD = new URL('../../test/fixtures/image/load-child.ts', import.meta.url).pathname;

function manyFiles(prefix: string, count: number): TarMember[] {
  const body = Buffer.alloc(8192, prefix.charCodeAt(0));
  const out: TarMember[] = [{ name: `${prefix}/`, type: 'directory' }];
  for (let i = 0; i < count; i++) out.push({ name: `${prefix}/f${i}`, content: body });
  return out;
}

describe('an interrupted load', () => {
  let work: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-load-kill-'));
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('leaves no image, layer or temp dir behind after SIGKILL, and a reload succeeds', async () => {
    const img = await dockerArchive({
      layers: [[{ name: 'base', content: 'base' }], manyFiles('one', 4000), manyFiles('two', 4000)],
      tags: ['big:latest'],
    });
    const archive = join(work, 'big.tar');
    await writeFile(archive, img.tar);
    const dataRoot = join(work, 'root');

    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataRoot, archive], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
    let killed = false;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const layers = await readdir(join(dataRoot, 'layers')).catch(() => []);
      if (layers.length >= 1) {
        child.kill('SIGKILL');
        killed = true;
        break;
      }
      await sleep(2);
    }
    const signal = await exited;
    assert.ok(killed && signal === 'SIGKILL', 'the load was killed midway (a layer was in place, the image not yet)');
    assert.ok((await readdir(join(dataRoot, 'tmp'))).length > 0, 'the kill left work files');

    const svc = await createImageService({ dataRoot, logger: nullLogger, unpackHost: fakeHost() });
    assert.deepEqual(await svc.list(), []);
    assert.deepEqual(await readdir(join(dataRoot, 'layers')), []);
    assert.deepEqual(await readdir(join(dataRoot, 'tmp')), []);
    assert.deepEqual((await readdir(join(dataRoot, 'images'))).filter((n) => n.endsWith('.json') && n !== 'repositories.json'), []);

    assert.deepEqual(await svc.load(createReadStream(archive)), ['Loaded image: big:latest']);
    assert.equal((await svc.get('big')).id, img.id);
  });
});
