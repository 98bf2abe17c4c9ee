/**
 * The build context on the daemon: the request body (a tar, maybe compressed) extracted safely
 * into a private directory, its Dockerfile read and its .dockerignore applied to COPY/ADD
 * (moby builder/remotecontext: FromArchive, removeDockerfile).
 */
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync } from 'node:fs';
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument } from '../core/index.js';
import { contextRelative, hiddenBuildFiles, parseDockerignore } from '../build/index.js';
import { extractArchive } from './archive-extract.js';
import type { SourceRoot } from './build-copy.js';
import { resolveInRoot } from './build-copy.js';

/** An extracted build context. */
export interface BuildContext extends SourceRoot {
  /** The Dockerfile's text. */
  readonly dockerfile: string;
  /** Removes the directory. */
  close(): Promise<void>;
}

/** Removes contexts left by an interrupted daemon. */
export async function clearContexts(dir: string): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) await rm(join(dir, name), { recursive: true, force: true });
}

/**
 * Extracts `body` under `parent` and reads the Dockerfile `dockerfileName` (a path inside the
 * context). Throws 'invalid-argument' "Cannot locate specified Dockerfile: NAME" when it is
 * missing, as dockerd does, and for a malformed archive.
 */
export async function openContext(parent: string, body: Readable, dockerfileName: string, signal?: AbortSignal): Promise<BuildContext> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const dir = join(parent, randomBytes(8).toString('hex'));
  await mkdir(dir, { mode: 0o755 });
  const close = (): Promise<void> => rm(dir, { recursive: true, force: true });
  try {
    const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    try {
      await extractArchive(fd, body, { dest: '/', noOverwriteDirNonDir: false, ...(signal ? { signal } : {}) });
    } finally {
      closeSync(fd);
    }
    const name = contextRelative(dockerfileName || 'Dockerfile');
    let dockerfile: string;
    try {
      dockerfile = await readFile(await resolveInRoot(dir, name), 'utf8');
    } catch {
      throw invalidArgument(`Cannot locate specified Dockerfile: ${dockerfileName || 'Dockerfile'}`);
    }
    const ignoreText = await readFile(join(dir, '.dockerignore'), 'utf8').catch(() => '');
    const patterns = parseDockerignore(ignoreText);
    const hidden = new Set(hiddenBuildFiles(patterns, name));
    // the client applied .dockerignore already; the daemon only hides the build files it names
    return { dir, isContext: true, dockerfile, close, hidden };
  } catch (err) {
    await close();
    throw err;
  }
}
