/**
 * The root filesystem of a container for file operations from the host (cp, export): the live
 * overlay of a running container, or the overlay mounted at a private path for one that is not
 * running, unmounted again by `release()`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { RuntimeContext } from './context.js';
import { pathsOf } from './context.js';
import { mountOverlay, unmountRootfs } from './overlay.js';

const OVERLAY_MAGIC = 0x794c7630;

export async function mountRootfsFor(
  ctx: RuntimeContext,
  id: string,
  layout: { lowerDirs: string[]; upperDir: string; workDir: string },
): Promise<{ path: string; release(): Promise<void> }> {
  const live = pathsOf(ctx, id).rootfs;
  if ((await ctx.host.fsType(live)) === OVERLAY_MAGIC) return { path: live, release: async () => {} };
  const dir = join(ctx.execRoot, 'rootfs-access', `${id.slice(0, 12)}-${randomBytes(4).toString('hex')}`);
  const target = join(dir, 'rootfs');
  await mkdir(dir, { recursive: true });
  try {
    await mountOverlay(ctx.host, layout, target, join(dir, 'l'), ctx.busybox);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    path: target,
    release: async () => {
      await unmountRootfs(ctx.host, target, ctx.busybox);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
