import type { LogEntry } from '../logs-types.js';
import type { RawLogRecord } from './parse.js';

const NL = Buffer.from('\n');

interface Pending {
  parts: Buffer[];
  time: string;
}

/**
 * Joins conmon's partial (`P`) records into whole lines, per stream: P-records of one stream
 * accumulate until that stream's next `F` record, which completes the line (the entry ends in
 * '\n' and carries the time of its last record). Records of the other stream may interleave.
 */
export class PartialJoiner {
  private readonly pending = new Map<'stdout' | 'stderr', Pending>();

  /** Feeds one record; returns the completed entry, if this record completed one. */
  push(rec: RawLogRecord): LogEntry | undefined {
    const p = this.pending.get(rec.stream);
    if (rec.partial) {
      // copy: the record's bytes are a view into a read buffer
      if (p) {
        p.parts.push(Buffer.from(rec.data));
        p.time = rec.time;
      } else {
        this.pending.set(rec.stream, { parts: [Buffer.from(rec.data)], time: rec.time });
      }
      return undefined;
    }
    this.pending.delete(rec.stream);
    const data = Buffer.concat(p ? [...p.parts, rec.data, NL] : [rec.data, NL]);
    return { stream: rec.stream, time: rec.time, data };
  }

  /** True if a line is waiting for its end. */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Ends the stream: returns the unterminated lines (no trailing '\n'), oldest first.
   * Used when the container has stopped, or for a one-shot read of the current content.
   */
  flush(): LogEntry[] {
    const out: LogEntry[] = [];
    for (const [stream, p] of this.pending) out.push({ stream, time: p.time, data: Buffer.concat(p.parts) });
    this.pending.clear();
    return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
  }
}
