import { z } from 'zod';
import { invalidArgument, isDigest } from '../core/index.js';
import type { ContainerConfig } from '../protocol/index.js';
import type { ImageConfigFile } from './types.js';

const HistorySchema = z.object({
  created: z.string().optional(),
  created_by: z.string().optional(),
  author: z.string().optional(),
  comment: z.string().optional(),
  empty_layer: z.boolean().optional(),
});

const ContainerConfigSchema = z.looseObject({}).nullable().optional();

const ConfigSchema = z.looseObject({
  architecture: z.string().default(''),
  os: z.string().default(''),
  variant: z.string().optional(),
  created: z.string().optional(),
  author: z.string().optional(),
  config: ContainerConfigSchema,
  container_config: ContainerConfigSchema,
  rootfs: z.object({ type: z.literal('layers'), diff_ids: z.array(z.string().refine(isDigest, 'not a sha256 digest')) }),
  history: z.array(HistorySchema).nullable().optional(),
  comment: z.string().optional(),
  docker_version: z.string().optional(),
});

type Defined<T> = { [K in keyof T]: Exclude<T[K], undefined | null> };

function dropUndefined<T extends object>(o: T): Partial<Defined<T>> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as Partial<Defined<T>>;
}

/**
 * Parses an image config JSON (OCI image config / Docker image JSON) from untrusted bytes.
 * Throws 'invalid-argument' when it is not one.
 */
export function parseImageConfig(bytes: Uint8Array): ImageConfigFile {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw invalidArgument('invalid image config: not JSON', err);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw invalidArgument(`invalid image config: ${parsed.error.issues[0]?.message ?? 'bad shape'}`);
  const c = parsed.data;
  return {
    ...dropUndefined({
      variant: c.variant, created: c.created, author: c.author, comment: c.comment, docker_version: c.docker_version,
      config: c.config as ContainerConfig | null | undefined,
      container_config: c.container_config as ContainerConfig | null | undefined,
      history: c.history?.map((h) => dropUndefined(h)),
    }),
    architecture: c.architecture,
    os: c.os,
    rootfs: { type: 'layers', diff_ids: c.rootfs.diff_ids },
  };
}
