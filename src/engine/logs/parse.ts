/**
 * Parsing of conmon's k8s-file (CRI) log records.
 *
 * conmon (src/ctr_logging.c, write_k8s_log) writes one record per line:
 *   `<time> <stdout|stderr> <P|F> <text>\n`
 * where <time> is local time as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnn±HH:MM` (always 9 digits of
 * nanoseconds, numeric offset). `F` records end a line: the container's '\n' is the record's
 * own terminator, not part of <text>. `P` records are a piece of a longer line (a read that did
 * not end in '\n'); conmon appends a '\n' to the record that is not the container's.
 */

/** One parsed record, as text. */
export interface LogRecord {
  /** RFC 3339 with nanoseconds, as conmon wrote it. */
  time: string;
  stream: 'stdout' | 'stderr';
  /** true for `P`: the line continues in the next record of the same stream. */
  partial: boolean;
  text: string;
}

/** One parsed record with its payload as raw bytes (container output need not be UTF-8). */
export interface RawLogRecord {
  time: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  data: Buffer;
}

const TIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses one record (with or without its trailing '\n'). Returns undefined for anything that
 * is not a well-formed record: garbage is skipped, never thrown.
 */
export function parseLogLine(line: string): LogRecord | undefined {
  const rec = parseRecordBytes(Buffer.from(line.endsWith('\n') ? line.slice(0, -1) : line, 'utf8'));
  return rec && { time: rec.time, stream: rec.stream, partial: rec.partial, text: rec.data.toString('utf8') };
}

/**
 * Parses one record from bytes (without its trailing '\n'). The payload is a view into `line`.
 */
export function parseRecordBytes(line: Buffer): RawLogRecord | undefined {
  const sp1 = line.indexOf(0x20);
  if (sp1 < 20 || sp1 > 40) return undefined;
  const time = line.toString('latin1', 0, sp1);
  if (!TIME_RE.test(time)) return undefined;
  const sp2 = line.indexOf(0x20, sp1 + 1);
  if (sp2 < 0) return undefined;
  const streamName = line.toString('latin1', sp1 + 1, sp2);
  if (streamName !== 'stdout' && streamName !== 'stderr') return undefined;
  const tag = line[sp2 + 1];
  if (tag !== 0x50 /* P */ && tag !== 0x46 /* F */) return undefined;
  const after = line[sp2 + 2];
  if (after !== undefined && after !== 0x20) return undefined;
  // "<tag> <text>"; tolerate a record with no space and empty text ("... F").
  const data = after === undefined ? line.subarray(line.length) : line.subarray(sp2 + 3);
  return { time, stream: streamName, partial: tag === 0x50, data };
}

/**
 * Converts a record time to unix seconds (fractional, nanoseconds kept as far as a double
 * allows). Returns NaN for an unparseable time.
 */
export function logTimeToUnix(time: string): number {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return NaN;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  const frac = m[2] ? Number(m[2].padEnd(9, '0')) / 1e9 : 0;
  return ms / 1000 + frac;
}

/**
 * Formats a record time as Docker prints log timestamps (`docker logs -t`): UTC with exactly
 * nine fractional digits, e.g. `2024-01-02T03:04:05.000000001Z` (moby jsonmessage.RFC3339NanoFixed).
 */
export function formatLogTimestamp(time: string): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(time);
  if (!m) return time;
  const iso = new Date(Date.parse(`${m[1]}${m[3]}`)).toISOString(); // whole seconds, UTC
  return `${iso.slice(0, 19)}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}
