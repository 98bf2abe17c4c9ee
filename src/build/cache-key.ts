/**
 * Build cache keys. A step is reused when the image it starts from, the instruction after
 * expansion, the build args in scope and (COPY/ADD) the content of its sources are unchanged,
 * which is what Docker's classic builder compares (parent id + run config, plus the tarsum of
 * the copied files).
 */
import { createHash } from 'node:crypto';

/** What identifies a step for the cache. */
export interface StepKeyInput {
  /** Id of the image the step starts from ('' for scratch). */
  readonly parent: string;
  /** The instruction as it will be recorded (expanded), e.g. `/bin/sh -c echo hi`. */
  readonly text: string;
  /** Build args in scope (declared ARGs with their values). */
  readonly args: ReadonlyMap<string, string | undefined>;
  /** For COPY/ADD: a digest of the sources (see SourceHasher). */
  readonly content?: string;
  /** Anything else the result depends on (the RUN env, SHELL, USER, WORKDIR…). */
  readonly extra?: readonly string[];
}

/** The cache key of a step: `sha256:` + hex. Deterministic for equal inputs. */
export function stepCacheKey(input: StepKeyInput): string {
  const h = createHash('sha256');
  const field = (s: string): void => {
    h.update(`${Buffer.byteLength(s)}:`);
    h.update(s);
  };
  field('berth-build-cache-v1');
  field(input.parent);
  field(input.text);
  const args = [...input.args].map(([k, v]) => (v === undefined ? k : `${k}=${v}`)).sort();
  field(String(args.length));
  for (const a of args) field(a);
  field(input.content ?? '');
  for (const e of input.extra ?? []) field(e);
  return `sha256:${h.digest('hex')}`;
}

/** One entry of a COPY/ADD source walk, for hashing. */
export interface SourceEntry {
  /** Path relative to the copied source root ('' for a file source itself). */
  readonly path: string;
  readonly type: 'file' | 'dir' | 'symlink' | 'other';
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** sha256 hex of a file's bytes; the target of a symlink. */
  readonly data: string;
}

/**
 * Accumulates a digest of COPY/ADD sources: names, types, permission bits, ownership and
 * contents (not times, as tarsum leaves mtime out).
 */
export class SourceHasher {
  private readonly h = createHash('sha256');

  /** Starts a new source (its name as written in the Dockerfile after glob expansion). */
  source(name: string): void {
    this.h.update(`S\0${name}\0`);
  }

  add(e: SourceEntry): void {
    this.h.update(`E\0${e.path}\0${e.type}\0${(e.mode & 0o7777).toString(8)}\0${e.uid}\0${e.gid}\0${e.data}\0`);
  }

  /** Raw bytes (inline heredoc sources, URLs). */
  bytes(label: string, data: string | Uint8Array): void {
    this.h.update(`B\0${label}\0`);
    this.h.update(data);
    this.h.update('\0');
  }

  digest(): string {
    return this.h.digest('hex');
  }
}
