import { z } from 'zod';
import { atomicWriteJson, isDigest, type Logger } from '../../core/index.js';
import { readJsonIndex } from './json-file.js';

/** The compressed (or plain) blob a layer came as, kept in the content store for push and save. */
export interface LayerBlob {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  /** Repositories (`domain/path`) known to hold the blob, for cross-repository mounts. */
  readonly sources: readonly string[];
  /** Where a foreign (non-distributable) layer is fetched from; such layers are not pushed. */
  readonly urls?: readonly string[];
}

const FileSchema = z.record(z.string().refine(isDigest), z.object({
  digest: z.string().refine(isDigest),
  mediaType: z.string(),
  size: z.number().int().nonnegative(),
  sources: z.array(z.string()),
  urls: z.array(z.string()).optional(),
}));

/**
 * diff id → blob mapping (`content/layer-blobs.json`), as Moby's v2 metadata service keeps it, so a
 * pulled image pushes the very digests it was pulled as.
 */
export class LayerBlobs {
  private readonly entries = new Map<string, LayerBlob>();
  private readonly file: string;

  constructor(file: string, private readonly logger: Logger) {
    this.file = file;
  }

  async open(): Promise<void> {
    const data = await readJsonIndex(this.file, FileSchema, this.logger);
    if (data === undefined) return;
    for (const [diffId, b] of Object.entries(data)) {
      this.entries.set(diffId, { digest: b.digest, mediaType: b.mediaType, size: b.size, sources: b.sources, ...(b.urls ? { urls: b.urls } : {}) });
    }
  }

  get(diffId: string): LayerBlob | undefined {
    return this.entries.get(diffId);
  }

  /** Every mapped diff id. */
  diffIds(): string[] {
    return [...this.entries.keys()];
  }

  /** Records the blob of a layer (keeping known sources when the digest is unchanged). Not saved until save(). */
  set(diffId: string, blob: LayerBlob): void {
    const prev = this.entries.get(diffId);
    const sources = prev?.digest === blob.digest ? [...new Set([...prev.sources, ...blob.sources])] : [...blob.sources];
    this.entries.set(diffId, { ...blob, sources });
  }

  delete(diffId: string): boolean {
    return this.entries.delete(diffId);
  }

  /** Writes the file atomically. */
  async save(): Promise<void> {
    const out: Record<string, LayerBlob> = {};
    for (const [k, v] of [...this.entries].sort((a, b) => a[0].localeCompare(b[0]))) out[k] = v;
    await atomicWriteJson(this.file, out);
  }
}
