import { open, rename, mkdir, rm } from 'node:fs/promises';
import { dirname, basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes a file atomically: temp file in the same directory, fsync, rename, fsync the directory.
 * A crash leaves either the old or the new content, never a mix.
 *
 * `replace: true` is for a file that is known to exist and is rewritten often (a container's
 * record on every start and exit): the directory is neither created nor synced. A crash may then
 * keep the previous version (the rename not yet on disk) but never a torn one, which is the
 * guarantee Docker gives its own container records. Saves ~1 ms per write.
 *
 * `volatile: true` is for state under the exec root, which only has to outlive berthd, not the
 * machine (a reboot ends the containers it describes; /run is a tmpfs on most hosts): nothing is
 * synced, the rename alone keeps a crashed daemon from reading a torn file. Saves the 2–5 ms an
 * fsync costs on a disk.
 */
export async function atomicWrite(
  path: string, data: string | Uint8Array, mode = 0o644, opts: { replace?: boolean; volatile?: boolean } = {},
): Promise<void> {
  const dir = dirname(path);
  if (opts.replace !== true) await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'w', mode);
  try {
    await fh.writeFile(data);
    if (opts.volatile !== true) await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  if (opts.replace === true || opts.volatile === true) return;
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** atomicWrite of a JSON value (pretty-printed for humans reading the data root). */
export async function atomicWriteJson(path: string, value: unknown, opts: { replace?: boolean; volatile?: boolean } = {}): Promise<void> {
  await atomicWrite(path, JSON.stringify(value, null, 2) + '\n', 0o644, opts);
}
