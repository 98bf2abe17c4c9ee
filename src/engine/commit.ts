/**
 * POST /commit: a new image from a container's changes (Moby's CreateImageFromContainer). The
 * layer is the container's upper dir as an OCI/Docker layer tar (whiteouts as `.wh.` entries),
 * without what the runtime put there (see runtime-entries.ts).
 */
import { mkdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { conflict } from '../core/index.js';
import { layerTar, type CommitImageService } from '../image/index.js';
import type { ContainerConfig } from '../protocol/index.js';
import { commitConfig } from './commit-config.js';
import { containerEvent } from './container-event.js';
import type { Engine } from './engine.js';
import type { ContainerRecord } from './record.js';
import { runtimeEntries } from './runtime-entries.js';

/** The query and body of POST /commit. */
export interface CommitOptions {
  repo?: string;
  tag?: string;
  comment?: string;
  author?: string;
  /** Dockerfile instructions to apply (`docker commit -c`). */
  changes?: readonly string[];
  /** The request body's config; the container's when absent. */
  config?: ContainerConfig | null;
  /** Pause a running container meanwhile (Docker's default; false reads the live upper dir). */
  pause?: boolean;
  signal?: AbortSignal;
}

/** The engine's pause and unpause (the cgroup freezer), where it has them. */
interface Pausing {
  pause(ref: string): Promise<void>;
  unpause(ref: string): Promise<void>;
}

/**
 * Commits the container `ref` under its lock (it cannot be removed or restarted meanwhile) and
 * returns the image id; a running container is paused meanwhile unless `pause` is false, best
 * effort as Docker does. Throws 'not-found' for an unknown container, 'conflict' for a dead one
 * or one being removed, 'invalid-argument' for a bad change, repository or tag.
 */
export async function commitContainer(engine: Engine, images: CommitImageService, ref: string, opts: CommitOptions = {}): Promise<string> {
  const rec = engine.store.get(ref);
  const pausing = engine.containers as Partial<Pausing>;
  let paused = false;
  if (opts.pause !== false && rec.state.status === 'running' && pausing.pause && pausing.unpause) {
    paused = await pausing.pause(rec.id).then(() => true, () => false);
  }
  try {
    const id = await commitLocked(engine, images, rec, opts);
    containerEvent(engine, rec, 'commit', { comment: opts.comment ?? '', imageID: id, imageRef: familiarRef(opts.repo, opts.tag) });
    return id;
  } finally {
    if (paused) await pausing.unpause?.(rec.id).catch(() => undefined);
  }
}

async function commitLocked(engine: Engine, images: CommitImageService, rec: ContainerRecord, opts: CommitOptions): Promise<string> {
  return engine.containers.mutex.run(rec.id, async () => {
    if (rec.state.status === 'dead') throw conflict(`You cannot commit container ${rec.id} which is Dead`);
    if (rec.state.status === 'removing' || !engine.store.find(rec.id)) {
      throw conflict(`You cannot commit container ${rec.id} which is being removed`);
    }
    const config = commitConfig(rec.config, opts.config, opts.changes ?? []);
    return images.commit({
      parent: rec.image,
      layer: (await upperLayer(engine.store.paths(rec.id).upperDir)).open,
      config,
      containerConfig: rec.config,
      containerId: rec.id,
      createdBy: (rec.config.Cmd ?? []).join(' '),
      ...(opts.author ? { author: opts.author } : {}),
      ...(opts.comment ? { comment: opts.comment } : {}),
      ...(opts.repo ? { repo: opts.repo } : {}),
      ...(opts.tag ? { tag: opts.tag } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  });
}

/**
 * Opens a container's upper dir as a layer tar: overlay whiteouts become `.wh.<name>` members and
 * opaque directories get `.wh..wh..opq` (layerTar); the runtime's entries are left out. `pure`:
 * the upper dir holds none of them (the container never ran), so it is a layer as it is.
 */
export async function upperLayer(upperDir: string): Promise<{ open: () => Readable; pure: boolean }> {
  await mkdir(upperDir, { recursive: true }); // a container never started has none yet
  const { hidden } = await runtimeEntries(upperDir);
  return { open: () => layerTar(upperDir, { skip: (p) => hidden.has(p) }), pure: hidden.size === 0 };
}

/** Docker's reference.FamiliarString of the tag given, '' for none. */
function familiarRef(repo: string | undefined, tag: string | undefined): string {
  if (!repo) return '';
  const name = repo.replace(/^docker\.io\/(library\/(?=[^/]+$))?/, '');
  return `${name}:${tag || 'latest'}`;
}
