/**
 * GET /containers/{id}/export: the container's whole filesystem (image layers and its changes,
 * merged; volumes and binds not included) as a tar, as Moby's ContainerExport streams it.
 */
import type { Readable } from 'node:stream';
import { conflict } from '../core/index.js';
import { layerTar } from '../image/index.js';
import { containerEvent } from './container-event.js';
import type { Engine } from './engine.js';

/**
 * Checks the container, mounts its rootfs (or uses the live one) and hands `send` the tar
 * stream; the rootfs stays mounted and the container locked until `send` settles. Members are
 * relative paths, sorted, with modes, owners, mtimes, xattrs, symlinks, hard links and device
 * nodes; sockets are left out. Throws 'not-found' for an unknown container, 'conflict' for a
 * dead one or one being removed.
 */
export async function exportContainer(engine: Engine, ref: string, send: (tar: Readable) => Promise<void>): Promise<void> {
  const rec = engine.store.get(ref);
  if (rec.state.status === 'dead') throw conflict(`You cannot export container ${rec.id} which is Dead`);
  if (rec.state.status === 'removing') throw conflict(`You cannot export container ${rec.id} which is being removed`);
  await engine.withRootfs(rec.id, async (rootfs) => {
    const tar = layerTar(rootfs);
    try {
      await send(tar);
    } finally {
      tar.destroy();
    }
  });
  containerEvent(engine, rec, 'export');
}
