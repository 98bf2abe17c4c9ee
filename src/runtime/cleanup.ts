/** cleanup: `runtime delete --force`, wait for conmon's exit, unmount the rootfs, remove the bundle. */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { RuntimeContext } from './context.js';
import { cliFor, pathsOf } from './context.js';
import { watchExit } from './exit.js';
import { monitorAlive } from './monitor.js';
import { unmountRootfs } from './overlay.js';

const CONMON_EXIT_WAIT_MS = 2000;

/** Removes everything the runtime made for a container. Idempotent; "already gone" is success. */
export async function cleanupContainer(ctx: RuntimeContext, id: string): Promise<void> {
  const paths = pathsOf(ctx, id);
  ctx.launcher?.dropPrimed(id);
  // a bundle that is gone was cleaned up already (runtime delete runs before the bundle is removed)
  if (!ctx.bundles.has(id) && !existsSync(paths.dir)) return;
  const log = ctx.log.child({ container: id, op: 'cleanup' });
  const alive = await monitorAlive(ctx.host, paths, id);
  const exited = alive ? waitForExit(paths, id) : Promise.resolve();
  const deleted = cliFor(ctx, id).delete(id, true).catch((e: unknown) => log.warn('runtime delete failed', { err: e }));
  if (alive) await exited;
  // the shm dir exists only for --ipc shareable (a tmpfs mounted there)
  const shm = existsSync(paths.shm) ? unmountRootfs(ctx.host, paths.shm, ctx.busybox) : undefined;
  await Promise.all([deleted, unmountRootfs(ctx.host, paths.rootfs, ctx.busybox), shm]);
  await rm(paths.dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
  ctx.bundles.delete(id);
}

function waitForExit(paths: ReturnType<typeof pathsOf>, id: string): Promise<void> {
  return new Promise((resolve) => {
    let stop: (() => void) | undefined;
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      stop?.();
      resolve();
    };
    const timer = setTimeout(done, CONMON_EXIT_WAIT_MS);
    stop = watchExit(paths, id, done, done);
    if (finished) stop();
  });
}
