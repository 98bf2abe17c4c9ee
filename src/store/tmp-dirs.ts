import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Creates a private work dir under the store's tmp dir (same filesystem as the final places,
 * so a rename commits it atomically).
 */
export async function makeTempDir(tmpRoot: string, prefix: string): Promise<string> {
  await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  return mkdtemp(join(tmpRoot, `${prefix}-`));
}

/** Removes everything under the tmp dir: leftovers of operations interrupted by a crash. */
export async function clearTempDirs(tmpRoot: string): Promise<string[]> {
  await mkdir(tmpRoot, { recursive: true, mode: 0o700 });
  const names = await readdir(tmpRoot);
  await Promise.all(names.map((n) => rm(join(tmpRoot, n), { recursive: true, force: true })));
  return names;
}
