/**
 * Container sizes for `?size=1` on GET /containers/json and /containers/{id}/json (docker ps -s):
 * SizeRw, the bytes in the container's upper dir, and SizeRootFs, its image's size plus SizeRw,
 * as Moby's getSize reports them for overlay2.
 */
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageService } from '../image/types.js';
import type { ContainerSummary } from '../protocol/index.js';
import type { ContainerStore } from './store.js';

/** The two size fields. */
export interface ContainerSizes {
  SizeRw: number;
  SizeRootFs: number;
}

/**
 * Bytes below `dir` as Moby's directory.Size counts them: every non-directory entry's size,
 * each inode once (hard links), directories themselves not. Entries that vanish while walking
 * (a running container deleting files) are skipped; a missing dir is 0.
 */
export async function dirSize(dir: string): Promise<number> {
  const seen = new Set<bigint>();
  let total = 0;
  const walk = async (path: string): Promise<void> => {
    let names: string[];
    try {
      names = await readdir(path);
    } catch {
      return;
    }
    for (const name of names) {
      const abs = join(path, name);
      const st = await lstat(abs, { bigint: true }).catch(() => undefined);
      if (!st) continue;
      if (st.isDirectory()) {
        await walk(abs);
        continue;
      }
      if (st.size === 0n || seen.has(st.ino)) continue;
      seen.add(st.ino);
      total += Number(st.size);
    }
  };
  await walk(dir);
  return total;
}

/** What computing sizes needs: the records' paths and the images' sizes. */
export interface SizeDeps {
  store: Pick<ContainerStore, 'get' | 'paths'>;
  images: Pick<ImageService, 'get'>;
}

/** SizeRw and SizeRootFs of one container. Throws 'not-found' for an unknown container. */
export async function containerSizes(d: SizeDeps, ref: string): Promise<ContainerSizes> {
  const rec = d.store.get(ref);
  const rw = await dirSize(d.store.paths(rec.id).upperDir);
  const image = await d.images.get(rec.image).catch(() => undefined);
  return { SizeRw: rw, SizeRootFs: (image?.size ?? 0) + rw };
}

/** The list with both size fields filled in (containers gone meanwhile get zeros). */
export async function withSizes(d: SizeDeps, list: ContainerSummary[]): Promise<ContainerSummary[]> {
  return Promise.all(list.map(async (c) => {
    const sizes = await containerSizes(d, c.Id).catch(() => ({ SizeRw: 0, SizeRootFs: 0 }));
    return { ...c, ...sizes };
  }));
}
