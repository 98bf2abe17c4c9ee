/**
 * The image service contract, as the engine and the API use it. Implemented in this folder.
 */
import type { Readable } from 'node:stream';
import type {
  ContainerConfig, ImageDeleteItem, ImageHistoryItem, ImageInspect, ImageSummary, JsonMessage,
} from '../protocol/index.js';

/** The image config JSON (OCI image config / Docker's image JSON), as stored. */
export interface ImageConfigFile {
  architecture: string;
  os: string;
  variant?: string;
  created?: string;
  author?: string;
  config?: ContainerConfig;
  container_config?: ContainerConfig;
  rootfs: { type: 'layers'; diff_ids: string[] };
  history?: Array<{ created?: string; created_by?: string; author?: string; comment?: string; empty_layer?: boolean }>;
  comment?: string;
  docker_version?: string;
}

/** An image known to the store. `id` is `sha256:` + sha256 of the config JSON bytes. */
export interface ImageRecord {
  readonly id: string;
  readonly config: ImageConfigFile;
  /** Familiar form, as `docker images` shows them: `busybox:latest`, `localhost:5000/a/b:v1`. */
  readonly repoTags: readonly string[];
  readonly repoDigests: readonly string[];
  /** Chain ids of the layers, bottom first. */
  readonly chainIds: readonly string[];
  /** Sum of the unpacked layer sizes in bytes. */
  readonly size: number;
  /** When it was last tagged (RFC 3339), for Metadata.LastTagTime. */
  readonly lastTagTime: string;
  /** The local image it was committed or built on (inspect's Parent), '' when none is known. */
  readonly parent: string;
}

export interface RemoveImageOptions {
  force?: boolean;
  noPrune?: boolean;
  /** Returns the id of a container using the image, if any (Docker refuses removal then, 409). */
  usedBy?: (imageId: string) => { id: string; running: boolean } | undefined;
}

export interface ProgressOptions {
  signal?: AbortSignal;
  onProgress?: (msg: JsonMessage) => void;
}

export interface ImportOptions extends ProgressOptions {
  /** Repository and tag to give the new image, e.g. `busybox` + `latest`; none leaves it untagged. */
  repo?: string;
  tag?: string;
  /** Dockerfile instructions applied to the config, e.g. `CMD ["sh"]`, `ENV A=b` (docker import -c). */
  changes?: string[];
  message?: string;
  platform?: string;
}

/** What the engine and the API need of images. */
export interface ImageService {
  /**
   * Finds an image by familiar name[:tag], full name, `name@digest`, full id, `sha256:` id or a
   * unique id prefix. Throws EngineError 'not-found' "No such image: REF".
   */
  get(ref: string): Promise<ImageRecord>;
  /** GET /images/json. Without `all`, intermediate (untagged, child-bearing) images are hidden. */
  list(opts?: { all?: boolean; filters?: Record<string, string[]>; containersUsing?: (id: string) => number }): Promise<ImageSummary[]>;
  inspect(ref: string): Promise<ImageInspect>;
  history(ref: string): Promise<ImageHistoryItem[]>;
  /** POST /images/{name}/tag. Throws 'not-found' for the source, 'invalid-argument' for a bad repo or tag. */
  tag(source: string, repo: string, tag?: string): Promise<void>;
  /** DELETE /images/{name}: Docker's untag-then-delete semantics. */
  remove(ref: string, opts?: RemoveImageOptions): Promise<ImageDeleteItem[]>;
  /**
   * POST /images/load: a docker-archive (manifest.json + repositories) or OCI image-layout tarball.
   * Returns Docker's "Loaded image: NAME" / "Loaded image ID: ID" lines. Atomic: an interrupted
   * load leaves nothing half-stored.
   */
  load(tar: Readable, opts?: ProgressOptions): Promise<string[]>;
  /** POST /images/create?fromSrc=-: imports a rootfs tarball as a one-layer image; returns its id. */
  import(tar: Readable, opts?: ImportOptions): Promise<string>;
  /** Absolute `diff` directories of the image's layers, top-most first, ready as overlay lowerdir. */
  layerDirs(image: ImageRecord): string[];
}

/** Options for pull (POST /images/create?fromImage=…). */
export interface PullOptions extends ProgressOptions {
  /** `os/arch[/variant]`; default the host's (linux/amd64 here). */
  platform?: string;
  /** Credentials from X-Registry-Auth. */
  auth?: import('../registry/types.js').RegistryAuth;
  /** Pull every tag of the repository (`--all-tags`). */
  allTags?: boolean;
}

/** Options for push (POST /images/{name}/push). */
export interface PushOptions extends ProgressOptions {
  auth?: import('../registry/types.js').RegistryAuth;
  /** Tag to push; default: every tag of the repository present locally, as Docker does. */
  tag?: string;
}

/** What pull and push need beyond ImageService (implemented in this folder). */
export interface RegistryImageService {
  /**
   * Pulls `ref` (name[:tag] or name@digest). Streams Docker's progress messages (per layer:
   * Pulling fs layer, Waiting, Downloading with progressDetail, Verifying Checksum, Download complete,
   * Extracting, Pull complete; then `Digest: sha256:…` and `Status: Downloaded newer image for …` or
   * `Status: Image is up to date for …`). Returns the image id. Nothing half-stored on failure.
   */
  pull(ref: string, opts?: PullOptions): Promise<string>;
  /** Pushes a local image; ends with Docker's `<tag>: digest: sha256:… size: N` status line. */
  push(ref: string, opts?: PushOptions): Promise<void>;
  /** GET /images/get and /images/{name}/get: a docker-archive (with OCI layout files too) of several images. */
  save(refs: string[], out: import('node:stream').Writable, opts?: { signal?: AbortSignal }): Promise<void>;
  /** POST /images/prune: dangling images, or every unused one with `all`. */
  prune(opts: { all?: boolean; usedBy: (imageId: string) => boolean }): Promise<{ ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }> | null; SpaceReclaimed: number }>;
}
