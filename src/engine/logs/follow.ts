import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { LogEntry, ReadLogsOptions } from '../logs-types.js';
import { LineReader, openIfExists } from './files.js';
import type { PartialJoiner } from './joiner.js';
import { parseRecordBytes } from './parse.js';
import type { EntryFilter } from './read-logs.js';

/** Fallback poll when no fs.watch event arrives (e.g. a filesystem without inotify). */
const POLL_MS = 1000;

export interface FollowState {
  logPath: string;
  /** Reader positioned after the history already emitted (undefined: no live file yet). */
  reader: LineReader | undefined;
  joiner: PartialJoiner;
  filter: EntryFilter;
  opts: ReadLogsOptions;
}

/** A wake-up flag: set by watchers and timers, awaited by the follow loop. Never loses a wake. */
class Waker {
  private dirty = false;
  private resolve: (() => void) | undefined;
  wake = (): void => {
    this.dirty = true;
    this.resolve?.();
    this.resolve = undefined;
  };
  clear(): void {
    this.dirty = false;
  }
  wait(): Promise<void> {
    if (this.dirty) return Promise.resolve();
    return new Promise((r) => (this.resolve = r));
  }
}

/**
 * Follows the live log file after the history: reads new records from the last offset when
 * the directory changes (fs.watch, with a slow poll as fallback). Handles rotation: when the
 * live path names another inode, the old file is drained to its end (conmon has closed it by
 * then) and the new one is read from its start. Ends when `signal` aborts, when `stopped`
 * resolves (after a last drain; an unterminated last line is emitted without '\n'), or at
 * `until`. Closes the reader's file.
 */
export async function* follow(st: FollowState): AsyncGenerator<LogEntry> {
  const { opts, joiner, filter } = st;
  let reader = st.reader;
  const waker = new Waker();
  let stopping = false;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(st.logPath), { persistent: false }, waker.wake);
    watcher.on('error', () => {});
  } catch {
    watcher = undefined; // directory missing or no inotify: the poll still works
  }
  const poll = setInterval(waker.wake, POLL_MS);
  const onAbort = (): void => waker.wake();
  opts.signal?.addEventListener('abort', onAbort);
  opts.stopped?.then(
    () => {
      stopping = true;
      waker.wake();
    },
    () => {
      stopping = true;
      waker.wake();
    },
  );
  let untilTimer: NodeJS.Timeout | undefined;
  if (opts.until !== undefined) {
    const ms = Math.max(0, opts.until * 1000 - Date.now());
    untilTimer = setTimeout(() => {
      stopping = true;
      waker.wake();
    }, Math.min(ms, 2 ** 31 - 1));
  }
  try {
    for (;;) {
      if (opts.signal?.aborted) return;
      const last = stopping;
      waker.clear();
      // Drain the current file, then switch files while the path names a newer one. The old
      // file is drained once more after the switch is seen: conmon closes it before creating
      // the new one, so that second drain gets everything.
      for (;;) {
        if (reader && (yield* drain(reader, st))) return;
        const next = await nextFile(st.logPath, reader);
        if (!next) break;
        if (reader) {
          if (yield* drain(reader, st)) return;
          await reader.file.fh.close().catch(() => {});
        }
        reader = next;
      }
      if (last) {
        for (const e of joiner.flush()) if (filter.check(e) === 'emit') yield e;
        return;
      }
      await waker.wait();
    }
  } finally {
    clearInterval(poll);
    if (untilTimer) clearTimeout(untilTimer);
    watcher?.close();
    opts.signal?.removeEventListener('abort', onAbort);
    if (reader) await reader.file.fh.close().catch(() => {});
  }
}

/** Emits the entries of the records between the reader's offset and EOF; true = the read is over. */
async function* drain(reader: LineReader, st: FollowState): AsyncGenerator<LogEntry, boolean> {
  for await (const line of reader.lines()) {
    if (st.opts.signal?.aborted) return true;
    const rec = parseRecordBytes(line);
    const e = rec && st.joiner.push(rec);
    if (!e) continue;
    const v = st.filter.check(e);
    if (v === 'stop') return true;
    if (v === 'emit') yield e;
  }
  return false;
}

/** A reader for the file now at `logPath`, if it is not the one being read (rotation/creation). */
async function nextFile(logPath: string, current: LineReader | undefined): Promise<LineReader | undefined> {
  let ino: number;
  try {
    ino = (await stat(logPath)).ino;
  } catch {
    return undefined; // renamed away and not yet reopened, or not created yet
  }
  if (current && current.file.ino === ino) return undefined;
  const f = await openIfExists(logPath);
  if (!f) return undefined;
  if (current && f.ino === current.file.ino) {
    await f.fh.close();
    return undefined;
  }
  return new LineReader(f, 0);
}
