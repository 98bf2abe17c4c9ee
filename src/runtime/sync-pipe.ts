/**
 * conmon's sync pipe protocol (src/parent_pipe_fd.c, api-version 1): one JSON line per message,
 * `{"data": N}` or `{"data": N, "message": "…"}`. After create, N is the container pid; a
 * negative N carries the runtime's stderr in `message`.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';

const SyncMessage = z.object({ data: z.number().int(), message: z.string().optional() });

export type SyncResult = { ok: true; pid: number } | { ok: false; message: string };

/** Parses the first sync-pipe line (undefined = conmon closed the pipe without a word). */
export function parseSyncLine(line: string | undefined): SyncResult {
  if (line === undefined || line.trim() === '') {
    return { ok: false, message: 'container create failed (no message from conmon)' };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return { ok: false, message: `malformed message from conmon: ${line.slice(0, 200)}` };
  }
  const parsed = SyncMessage.safeParse(raw);
  if (!parsed.success) return { ok: false, message: `malformed message from conmon: ${line.slice(0, 200)}` };
  const { data, message } = parsed.data;
  if (data > 0 && message === undefined) return { ok: true, pid: data };
  return { ok: false, message: message ?? `container create failed (conmon reported ${data})` };
}

/**
 * Reads conmon's pipe messages one line at a time (exec mode sends several on one pipe: the pid,
 * later the exit code). `next()` resolves undefined at EOF or on an error of the pipe.
 */
export class PipeLines {
  private buf = '';
  private ended = false;
  private waiters: ((line: string | undefined) => void)[] = [];
  private readonly lines: string[] = [];

  constructor(private readonly stream: Readable) {
    stream.setEncoding('utf8');
    stream.on('data', (c: string) => {
      this.buf += c;
      for (let nl = this.buf.indexOf('\n'); nl >= 0; nl = this.buf.indexOf('\n')) {
        this.push(this.buf.slice(0, nl));
        this.buf = this.buf.slice(nl + 1);
      }
    });
    const end = (): void => {
      if (this.ended) return;
      if (this.buf.trim() !== '') this.push(this.buf);
      this.buf = '';
      this.ended = true;
      for (const w of this.waiters.splice(0)) w(undefined);
    };
    stream.on('end', end);
    stream.on('close', end);
    stream.on('error', end);
  }

  /** The next line (without its newline), or undefined once the pipe is closed. */
  next(): Promise<string | undefined> {
    const line = this.lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops reading and closes our end. */
  close(): void {
    this.stream.destroy();
  }

  private push(line: string): void {
    const w = this.waiters.shift();
    if (w) w(line);
    else this.lines.push(line);
  }
}

/** Parses one exec-mode message: `{"data": N}` with an optional message, or undefined if malformed. */
export function parseSyncMessage(line: string | undefined): { data: number; message?: string } | undefined {
  if (line === undefined) return undefined;
  try {
    const parsed = SyncMessage.safeParse(JSON.parse(line));
    if (!parsed.success) return undefined;
    return parsed.data.message === undefined ? { data: parsed.data.data } : { data: parsed.data.data, message: parsed.data.message };
  } catch {
    return undefined;
  }
}
