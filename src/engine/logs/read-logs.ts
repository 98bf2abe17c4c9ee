import type { LogEntry, ReadLogsOptions } from '../logs-types.js';
import { LineReader, openLogFiles, type OpenLogFile } from './files.js';
import { follow } from './follow.js';
import { PartialJoiner } from './joiner.js';
import { logTimeToUnix, parseRecordBytes } from './parse.js';
import { findTailStart } from './tail.js';

/** Where a container's log lives: the live file and how many files rotation keeps. */
export interface LogPaths {
  logPath: string;
  maxFile: number;
}

/** Decides, per entry, whether to emit it and whether the read is over (`until`). */
export interface EntryFilter {
  /** 'stop' once an entry is at or after `until`. */
  check(e: LogEntry): 'emit' | 'skip' | 'stop';
}

function makeFilter(opts: ReadLogsOptions): EntryFilter {
  return {
    check(e) {
      const needTime = opts.since !== undefined || opts.until !== undefined;
      const t = needTime ? logTimeToUnix(e.time) : 0;
      if (opts.until !== undefined && t >= opts.until) return 'stop';
      if (opts.since !== undefined && t < opts.since) return 'skip';
      if (e.stream === 'stdout' ? !opts.stdout : !opts.stderr) return 'skip';
      return 'emit';
    },
  };
}

/**
 * Reads a container's log (conmon k8s-file format) across its rotated files (`.N` … `.1`, then
 * the live file), joining partial records into lines. Honors stdout/stderr, since/until (unix
 * seconds), tail (last N lines of both streams, found by reading from the end; the stream
 * filter applies after, as Docker's json-file does) and follow (see follow.ts). Ends when the
 * content is read, or for follow when `signal` aborts or `stopped` resolves and the file is
 * drained. Throws only I/O errors other than a missing file.
 */
export async function* readLogs(paths: LogPaths, opts: ReadLogsOptions): AsyncGenerator<LogEntry> {
  const { rotated, live } = await openLogFiles(paths.logPath, paths.maxFile);
  const files: OpenLogFile[] = live ? [...rotated, live] : rotated;
  const filter = makeFilter(opts);
  const joiner = new PartialJoiner();
  let liveReader: LineReader | undefined;
  let transferred = false;
  try {
    const tail = opts.tail !== undefined && opts.tail >= 0 ? opts.tail : undefined;
    const start = tail !== undefined ? await findTailStart(files, tail) : { file: 0, offset: 0 };
    const ring: LogEntry[] = [];
    let stop = false;
    // One pass over the history; with tail, collect the last `tail` entries before emitting.
    const take = function* (e: LogEntry): Generator<LogEntry> {
      if (tail !== undefined) {
        ring.push(e);
        if (ring.length > tail) ring.shift();
        return;
      }
      const v = filter.check(e);
      if (v === 'stop') stop = true;
      else if (v === 'emit') yield e;
    };
    for (let i = start.file; i < files.length && !stop; i++) {
      const f = files[i];
      if (!f) continue;
      const reader = new LineReader(f, i === start.file ? start.offset : 0);
      if (f === live) liveReader = reader;
      for await (const line of reader.lines()) {
        if (opts.signal?.aborted) return;
        const rec = parseRecordBytes(line);
        const e = rec && joiner.push(rec);
        if (e) yield* take(e);
        if (stop) return;
      }
    }
    if (!opts.follow) for (const e of joiner.flush()) yield* take(e);
    for (const e of ring) {
      const v = filter.check(e);
      if (v === 'stop') return;
      if (v === 'emit') yield e;
    }
    if (!opts.follow) return;
    liveReader ??= live ? new LineReader(live, live.size) : undefined;
    transferred = true;
    yield* follow({ logPath: paths.logPath, reader: liveReader, joiner, filter, opts });
  } finally {
    for (const f of files) if (!(transferred && f === live)) await f.fh.close().catch(() => {});
  }
}
