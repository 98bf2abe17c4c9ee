/** Reading the store's small JSON index files. */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { z } from 'zod';
import type { Logger } from '../../core/index.js';

/**
 * Reads and validates a JSON index file. A missing or unparsable file is treated as empty
 * (undefined); one that does not match the schema is logged and treated as empty too.
 */
export async function readJsonIndex<T>(file: string, schema: z.ZodType<T>, logger: Logger): Promise<T | undefined> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    logger.warn(`ignoring unreadable ${basename(file)}`);
    return undefined;
  }
  return parsed.data;
}
