/**
 * The OCI distribution client contract (https://github.com/opencontainers/distribution-spec),
 * as the image service uses it for pull and push. Implemented in this folder.
 */
import type { Readable } from 'node:stream';

/** Credentials for one registry, as the docker CLI sends them in X-Registry-Auth (base64 JSON). */
export interface RegistryAuth {
  username?: string;
  password?: string;
  /** An identity token (from a previous login) used as a refresh token for Bearer auth. */
  identitytoken?: string;
  /** A ready Bearer token for the registry. */
  registrytoken?: string;
  serveraddress?: string;
}

/** A repository on a registry: domain as Docker normalises it (`docker.io`, `localhost:5000`). */
export interface RepoRef {
  domain: string;
  /** Path inside the registry, e.g. `library/busybox`, `ns/app`. */
  path: string;
}

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  platform?: { architecture: string; os: string; variant?: string; 'os.version'?: string };
}

export interface FetchedManifest {
  mediaType: string;
  digest: string;
  /** The exact bytes (their sha256 is `digest`, already verified). */
  bytes: Buffer;
}

export interface RegistryOptions {
  /** Registries reached over plain HTTP / without TLS verification (daemon.json insecure-registries; loopback always). */
  insecure?: string[];
  /** Mirrors tried first for docker.io (daemon.json registry-mirrors), as URLs. */
  mirrors?: string[];
  /** Per-request timeout (ms) before a retry. */
  timeoutMs?: number;
  /** Retries on network errors, 5xx and 429 (honouring Retry-After), with backoff. */
  retries?: number;
  userAgent?: string;
  /** First retry delay (ms), doubled per retry (default 500). */
  retryBaseMs?: number;
  /** Cap (ms) on a retry delay, including a registry's Retry-After (default 10 000). */
  maxRetryDelayMs?: number;
  /** Blobs larger than this (bytes) are pushed in PATCH chunks of this size (default 16 MiB). */
  chunkSize?: number;
}

/** One registry session: auth is per client; tokens are cached per scope inside it. */
export interface RegistryClient {
  /**
   * GET the manifest for a tag or digest, accepting Docker schema 2, OCI manifests and indexes /
   * manifest lists. Verifies the digest (against the reference digest when given, else the
   * Docker-Content-Digest header when present). Errors: EngineError 'not-found' ("manifest unknown"
   * wording as Docker: `manifest for busybox:nope not found: manifest unknown: …`), 'unauthorized',
   * 'invalid-argument' on a digest mismatch, 'unavailable' on network/TLS/timeouts with a clear message.
   */
  getManifest(repo: RepoRef, reference: string, opts?: { signal?: AbortSignal }): Promise<FetchedManifest>;
  /**
   * GET a blob as a stream. The stream errors (EngineError 'invalid-argument', message naming the
   * digest) at its end if the bytes do not hash to `digest`, so callers must not commit before 'end'.
   * `urls` (a foreign layer's) are tried in order when the registry answers 404, as Docker does.
   */
  getBlob(repo: RepoRef, desc: { digest: string; size?: number; urls?: readonly string[] }, opts?: { signal?: AbortSignal }): Promise<Readable>;
  /** HEAD a blob: true when the registry has it. */
  hasBlob(repo: RepoRef, digest: string, opts?: { signal?: AbortSignal }): Promise<boolean>;
  /**
   * Uploads a blob unless present: tries a cross-repository mount from `mountFrom` first, then a
   * monolithic (POST+PUT) or chunked (PATCH…PUT) upload. `data` is called to (re)open the content.
   * Returns 'exists' | 'mounted' | 'uploaded'.
   */
  pushBlob(
    repo: RepoRef,
    desc: { digest: string; size: number },
    data: () => Readable,
    opts?: { signal?: AbortSignal; mountFrom?: string; onProgress?: (sent: number) => void },
  ): Promise<'exists' | 'mounted' | 'uploaded'>;
  /** PUT a manifest by tag or digest; returns the digest the registry reports (Docker-Content-Digest). */
  putManifest(repo: RepoRef, reference: string, mediaType: string, bytes: Buffer, opts?: { signal?: AbortSignal }): Promise<string>;
  /** GET /v2/ with the credentials: succeeds or throws 'unauthorized' (for /auth and `login`). */
  checkAuth(domain: string, opts?: { signal?: AbortSignal }): Promise<void>;
  /** GET /v2/<repo>/tags/list (for pull --all-tags). */
  listTags(repo: RepoRef, opts?: { signal?: AbortSignal }): Promise<string[]>;
}

/** Creates a client; `auth` applies to every registry it talks to (as X-Registry-Auth does). */
export type CreateRegistryClient = (auth: RegistryAuth | undefined, opts?: RegistryOptions) => RegistryClient;

export const MEDIA_TYPES = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  dockerForeignLayer: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  ociForeignLayer: 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
} as const;
