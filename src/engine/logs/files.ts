import { open, type FileHandle } from 'node:fs/promises';
import { rotatedPath } from './rotate.js';

const CHUNK = 64 * 1024;

/** A log file opened for reading, with its size when opened. */
export interface OpenLogFile {
  path: string;
  fh: FileHandle;
  size: number;
  ino: number;
}

/** Opens a file for reading, or returns undefined if it does not exist. */
export async function openIfExists(path: string): Promise<OpenLogFile | undefined> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const st = await fh.stat();
  return { path, fh, size: st.size, ino: st.ino };
}

/**
 * Opens the rotated files (oldest first: `.maxFile-1` … `.1`) and then the live file, all
 * before reading any, so that a rotation during the read moves no record out of view.
 * The live file is last and may be absent (not yet created by conmon).
 */
export async function openLogFiles(logPath: string, maxFile: number): Promise<{ rotated: OpenLogFile[]; live?: OpenLogFile }> {
  const rotated: OpenLogFile[] = [];
  try {
    for (let n = Math.max(1, maxFile - 1); n >= 1; n--) {
      const f = await openIfExists(rotatedPath(logPath, n));
      if (f) rotated.push(f);
    }
    const live = await openIfExists(logPath);
    return live ? { rotated, live } : { rotated };
  } catch (err) {
    await Promise.all(rotated.map((f) => f.fh.close().catch(() => {})));
    throw err;
  }
}

/**
 * Reads a file forward from an offset, line by line ('\n'-terminated). Bytes after the last
 * '\n' are kept until more arrive (a record conmon is still writing). Reusable for following.
 */
export class LineReader {
  offset: number;
  private carry: Buffer = Buffer.alloc(0);

  constructor(
    readonly file: OpenLogFile,
    offset = 0,
  ) {
    this.offset = offset;
  }

  /** Yields every complete line (without its '\n') between the offset and the current end of file. */
  async *lines(): AsyncGenerator<Buffer> {
    const buf = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await this.file.fh.read(buf, 0, CHUNK, this.offset);
      if (bytesRead === 0) return;
      this.offset += bytesRead;
      const data = this.carry.length ? Buffer.concat([this.carry, buf.subarray(0, bytesRead)]) : Buffer.from(buf.subarray(0, bytesRead));
      let start = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
        yield data.subarray(start, nl);
        start = nl + 1;
      }
      this.carry = Buffer.from(data.subarray(start));
    }
  }

  /** The unterminated bytes at the end, if any (consumed). */
  takeRemainder(): Buffer | undefined {
    const r = this.carry;
    this.carry = Buffer.alloc(0);
    return r.length ? r : undefined;
  }
}

/** Where reading starts: file index (into the ordered list) and byte offset. */
export interface FilePosition {
  file: number;
  offset: number;
}

/**
 * Scans an ordered list of files from the end towards the beginning, in chunks, and calls
 * `visit(line)` for each complete line, newest first. `visit` returns true to stop; the
 * result is the position just after the line that stopped the scan, or the very beginning.
 * A final unterminated line (still being written) is ignored.
 */
export async function scanBackward(files: readonly OpenLogFile[], visit: (line: Buffer) => boolean): Promise<FilePosition> {
  let seenNewline = false;
  for (let fi = files.length - 1; fi >= 0; fi--) {
    const f = files[fi];
    if (!f) continue;
    let pos = f.size;
    let pending = Buffer.alloc(0); // unvisited bytes starting at file offset `pos`
    while (pos > 0) {
      const len = Math.min(CHUNK, pos);
      pos -= len;
      const chunk = Buffer.allocUnsafe(len);
      const { bytesRead } = await f.fh.read(chunk, 0, len, pos);
      pending = Buffer.concat([chunk.subarray(0, bytesRead), pending]);
      if (!seenNewline) {
        const last = pending.lastIndexOf(0x0a);
        if (last < 0) {
          pending = Buffer.alloc(0);
          continue;
        }
        seenNewline = true;
        pending = pending.subarray(0, last + 1);
      }
      let end = pending.length; // pending[end-1] is '\n'
      while (end > 0) {
        const prevNl = end >= 2 ? pending.lastIndexOf(0x0a, end - 2) : -1;
        if (prevNl < 0 && pos > 0) break; // line start not read yet
        const start = prevNl + 1;
        if (visit(pending.subarray(start, end - 1))) return { file: fi, offset: pos + end };
        end = start;
      }
      pending = Buffer.from(pending.subarray(0, end));
    }
    seenNewline = true; // rotated files always end with a complete record
  }
  return { file: 0, offset: 0 };
}
