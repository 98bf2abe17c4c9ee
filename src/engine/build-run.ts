/**
 * The container side of a build step: a RUN runs in a container created from the step's image
 * (output streamed, exit code checked); a file step (COPY, ADD, WORKDIR) edits the rootfs of a
 * container that never starts. Either way the container's upper dir becomes the step's layer.
 */
import { lstat, readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { shortId, type Logger } from '../core/index.js';
import { layerTar, type CommitImageService, type ImageRecord } from '../image/index.js';
import type { ContainerConfig, MountSpec } from '../protocol/index.js';
import type { ImageService } from '../image/types.js';
import { upperLayer } from './commit.js';
import type { Engine } from './engine.js';

/** What build steps need of the daemon. */
export interface StepDeps {
  readonly engine: Engine;
  readonly images: ImageService & CommitImageService;
  readonly logger: Logger;
}

/** A RUN to execute. */
export interface RunSpec {
  readonly image: ImageRecord;
  readonly argv: readonly string[];
  readonly env: readonly string[];
  readonly config: ContainerConfig;
  readonly networkMode: string;
  readonly mounts: readonly MountSpec[];
  /** Mount points the runtime may leave in the upper dir that must not be committed (secrets). */
  readonly scrub: readonly string[];
  readonly onStarted: (containerId: string) => void;
  readonly onOutput: (text: string) => void;
  readonly signal?: AbortSignal;
}

/** Creates and runs the RUN container; returns its id and exit code (the container stays). */
export async function runContainer(d: StepDeps, spec: RunSpec): Promise<{ id: string; exitCode: number }> {
  const { Id: id } = await d.engine.containers.create({
    ...spec.config,
    Image: spec.image.id,
    Cmd: [...spec.argv],
    Entrypoint: [],
    Env: [...spec.env],
    Labels: spec.config.Labels ?? {},
    AttachStdout: true, AttachStderr: true, Tty: false, OpenStdin: false,
    HostConfig: { NetworkMode: spec.networkMode, Mounts: [...spec.mounts], LogConfig: { Type: 'json-file', Config: {} } },
  });
  spec.onStarted(id);
  const exited = d.engine.containers.wait(id, 'next-exit', spec.signal);
  exited.catch(() => undefined);
  await d.engine.containers.start(id);
  const { entries } = d.engine.logs(id, { stdout: true, stderr: true, follow: true, ...(spec.signal ? { signal: spec.signal } : {}) });
  for await (const e of entries) spec.onOutput(e.data.toString('utf8'));
  const { StatusCode } = await exited;
  await scrubMountPoints(d.engine.store.paths(id).upperDir, spec.scrub);
  return { id, exitCode: StatusCode };
}

/** Creates a container that never starts, for file steps on its rootfs. */
export async function fileStepContainer(d: StepDeps, image: ImageRecord, config: ContainerConfig): Promise<string> {
  const { Id } = await d.engine.containers.create({
    ...config, Image: image.id, Cmd: [...(config.Cmd ?? ['/bin/sh'])], Entrypoint: [],
    HostConfig: { NetworkMode: 'none', LogConfig: { Type: 'json-file', Config: {} } },
  });
  return Id;
}

/**
 * Commits a step container's changes as a child of its image; returns the new image id.
 * `adopt`: the container is removed right after and never ran, so its upper dir itself becomes
 * the layer's files (moved into the layer store, not unpacked again from the tar: a COPY of 1000
 * files then writes them once, not twice).
 */
export async function commitStep(
  d: StepDeps, containerId: string,
  o: { parent: string; config: ContainerConfig; createdBy: string; author?: string | undefined; signal?: AbortSignal | undefined; adopt?: boolean },
): Promise<string> {
  const rec = d.engine.store.get(containerId);
  const upperDir = d.engine.store.paths(containerId).upperDir;
  const upper = await upperLayer(upperDir);
  // only an upper dir without the runtime's entries (a container that never started) is a layer as it is
  const adoptable = o.adopt === true && upper.pure;
  return d.images.commit({
    parent: o.parent,
    layer: upper.open,
    ...(adoptable ? { adopt: { dir: upperDir, layerOf: (dir: string) => layerTar(dir) } } : {}),
    config: o.config,
    containerConfig: rec.config,
    containerId,
    createdBy: o.createdBy,
    ...(o.author ? { author: o.author } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}

/** Removes a step container (quietly: a failure to clean up does not fail the build). */
export async function removeStepContainer(d: StepDeps, id: string): Promise<void> {
  try {
    await d.engine.remove(id, { force: true, volumes: true });
  } catch (err) {
    d.logger.warn('could not remove build container', { container: id, err });
  }
}

/**
 * Removes the empty mount points the runtime made for bind mounts that must leave no trace
 * (`/run/secrets/<id>`), and their parent directories when they are left empty.
 */
async function scrubMountPoints(upperDir: string, paths: readonly string[]): Promise<void> {
  for (const p of paths) {
    const rel = p.replace(/^\/+/, '');
    const host = join(upperDir, rel);
    const st = await lstat(host).catch(() => undefined);
    if (st && ((st.isFile() && st.size === 0) || (st.isDirectory() && (await readdir(host)).length === 0))) {
      await rm(host, { recursive: true, force: true });
    }
    const parts = rel.split('/').slice(0, -1);
    while (parts.length > 0) {
      const dir = join(upperDir, parts.join('/'));
      if (!(await rmdir(dir).then(() => true, () => false))) break;
      parts.pop();
    }
  }
}

/** Docker's 12-character form of an id. */
export function short(id: string): string {
  return shortId(id.replace(/^sha256:/, ''));
}
