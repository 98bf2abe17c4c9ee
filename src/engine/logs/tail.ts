import { parseRecordBytes } from './parse.js';
import { scanBackward, type FilePosition, type OpenLogFile } from './files.js';

/**
 * Finds where to start reading so that the last `n` lines (joined entries, both streams) are
 * complete, reading the files from the end in chunks instead of parsing everything.
 *
 * Going backwards, an `F` record (or a trailing `P` with no `F` after it) ends an entry that is
 * complete once the previous `F` of the same stream (or the beginning) is reached. Entries are
 * numbered in the order found (newest first); the scan stops once the newest `n` are complete.
 * Reading forward from the result may yield a few older, truncated entries first: the caller
 * keeps only the last `n`.
 */
export async function findTailStart(files: readonly OpenLogFile[], n: number): Promise<FilePosition> {
  const last = files.length - 1;
  if (n <= 0) return { file: Math.max(0, last), offset: files[last]?.size ?? 0 };
  let found = 0;
  const open = new Map<'stdout' | 'stderr', number>(); // stream → number of its incomplete entry
  return scanBackward(files, (line) => {
    const rec = parseRecordBytes(line);
    if (!rec) return false;
    const openIdx = open.get(rec.stream);
    if (!rec.partial) {
      open.set(rec.stream, found++); // completes the open one (if any) and starts an older one
    } else if (openIdx === undefined) {
      open.set(rec.stream, found++); // a trailing partial line
    }
    if (found < n) return false;
    for (const idx of open.values()) if (idx < n) return false;
    return true;
  });
}
