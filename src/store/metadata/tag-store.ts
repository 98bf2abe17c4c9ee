import { join } from 'node:path';
import { z } from 'zod';
import { atomicWriteJson, isDigest, type Logger } from '../../core/index.js';
import { readJsonIndex } from './json-file.js';

/** One reference → image mapping. `ref` is the full normalized string, `name` its repository. */
export interface TagEntry {
  readonly ref: string;
  readonly name: string;
  readonly id: string;
}

const FileSchema = z.object({
  Repositories: z.record(z.string(), z.record(z.string(), z.string().refine(isDigest))),
});

/**
 * Tags and digest references of images (`images/repositories.json`, as Docker keeps them):
 * `{"Repositories": {"docker.io/library/busybox": {"docker.io/library/busybox:latest": "sha256:…"}}}`.
 * References are opaque normalized strings here; parsing them is the image layer's business.
 */
export class TagStore {
  private readonly entries = new Map<string, TagEntry>();
  private readonly file: string;

  constructor(dir: string, private readonly logger: Logger) {
    this.file = join(dir, 'repositories.json');
  }

  async open(): Promise<void> {
    const data = await readJsonIndex(this.file, FileSchema, this.logger);
    if (data === undefined) return;
    for (const [name, refs] of Object.entries(data.Repositories)) {
      for (const [ref, id] of Object.entries(refs)) this.entries.set(ref, { ref, name, id });
    }
  }

  get(ref: string): TagEntry | undefined {
    return this.entries.get(ref);
  }

  /** References to one image, sorted. */
  refsOf(id: string): TagEntry[] {
    return [...this.entries.values()].filter((e) => e.id === id).sort((a, b) => a.ref.localeCompare(b.ref));
  }

  all(): TagEntry[] {
    return [...this.entries.values()];
  }

  /** Points `ref` at `id` (replacing any previous target); returns the previous target. Not saved until save(). */
  set(entry: TagEntry): string | undefined {
    const prev = this.entries.get(entry.ref)?.id;
    this.entries.set(entry.ref, entry);
    return prev;
  }

  /** Removes a reference; returns whether it existed. Not saved until save(). */
  delete(ref: string): boolean {
    return this.entries.delete(ref);
  }

  /** Keeps only references whose image satisfies `keep`; returns the dropped ones. */
  retain(keep: (id: string) => boolean): TagEntry[] {
    const dropped = [...this.entries.values()].filter((e) => !keep(e.id));
    for (const e of dropped) this.entries.delete(e.ref);
    return dropped;
  }

  /** Writes the file atomically. */
  async save(): Promise<void> {
    const repos: Record<string, Record<string, string>> = {};
    const sorted = [...this.entries.values()].sort((a, b) => a.ref.localeCompare(b.ref));
    for (const e of sorted) (repos[e.name] ??= {})[e.ref] = e.id;
    await atomicWriteJson(this.file, { Repositories: repos });
  }
}
