import assert from 'node:assert/strict';
import { link, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { notFound } from '../core/index.js';
import { containerSizes, dirSize } from './sizes.js';

describe('container sizes', () => {
  const dirs: string[] = [];
  after(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('counts files and symlinks once per inode, not directories (Moby directory.Size)', async () => {
    const d = await mkdtemp(join(tmpdir(), 'berth-sizes-'));
    dirs.push(d);
    await mkdir(join(d, 'a', 'b'), { recursive: true });
    await writeFile(join(d, 'a', 'b', 'f'), 'x'.repeat(100));
    await link(join(d, 'a', 'b', 'f'), join(d, 'hard'));
    await writeFile(join(d, 'empty'), '');
    await symlink('a/b/f', join(d, 'sym'));
    assert.equal(await dirSize(d), 100 + 'a/b/f'.length);
    assert.equal(await dirSize(join(d, 'missing')), 0);
  });

  it('SizeRootFs is the image size plus SizeRw', async () => {
    const d = await mkdtemp(join(tmpdir(), 'berth-sizes-'));
    dirs.push(d);
    await writeFile(join(d, 'f'), 'abc');
    const deps = {
      store: {
        get: (ref: string) => {
          if (ref !== 'c1') throw notFound(`No such container: ${ref}`);
          return { id: 'c1', image: 'sha256:i' } as never;
        },
        paths: () => ({ upperDir: d }) as never,
      },
      images: { get: async () => ({ size: 1000 }) as never },
    };
    assert.deepEqual(await containerSizes(deps, 'c1'), { SizeRw: 3, SizeRootFs: 1003 });
    await assert.rejects(containerSizes(deps, 'c2'), /No such container/);
  });
});
