import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { invalidArgument } from '../../core/index.js';
import { parseReference, withDefaultTag } from '../reference.js';
import type { ImageSource } from './image-source.js';
import type { SpooledArchive } from './spool.js';

/** `manifest.json` of a docker-archive (`docker save`), one entry per image. */
const ManifestSchema = z.array(z.object({
  Config: z.string(),
  RepoTags: z.array(z.string()).nullable().optional(),
  Layers: z.array(z.string()),
}));

/** Whether the archive is a docker-archive. */
export function isDockerArchive(archive: SpooledArchive): boolean {
  return archive.has('manifest.json');
}

/**
 * Reads the images of a docker-archive: `manifest.json` lists, per image, its config member,
 * its layer members (bottom first) and its RepoTags. Throws 'invalid-argument' on a bad archive.
 */
export async function readDockerArchive(archive: SpooledArchive): Promise<ImageSource[]> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(archive.require('manifest.json').file, 'utf8'));
  } catch (err) {
    if (err instanceof Error && 'kind' in err) throw err;
    throw invalidArgument('invalid archive: manifest.json is not JSON', err);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) throw invalidArgument('invalid archive: malformed manifest.json');
  return parsed.data.map((entry) => ({
    config: archive.require(entry.Config),
    layers: entry.Layers.map((l) => archive.require(l)),
    names: (entry.RepoTags ?? []).map((t) => withDefaultTag(parseReference(t))),
  }));
}
