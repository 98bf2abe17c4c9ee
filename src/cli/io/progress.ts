import type { Readable, Writable } from 'node:stream';
import { jsonLines } from '../../client/streams.js';
import type { JsonMessage } from '../../protocol/types.js';

/** A progress stream ended with an `error`/`errorDetail` message. */
export class StreamMessageError extends Error {}

function progressBar(m: JsonMessage): string {
  if (m.progress !== undefined && m.progress !== '') return ` ${m.progress}`;
  return '';
}

/**
 * Prints a JSON-lines progress stream like docker's jsonmessage.DisplayJSONMessagesStream:
 * `id: status` lines, `stream` text verbatim, progress bars only on a terminal (redrawn in place).
 * Throws StreamMessageError when the daemon reports an error in the stream.
 */
export async function displayProgress(input: Readable, out: Writable | null, isTerminal: boolean): Promise<void> {
  const lines = new Map<string, number>();
  let count = 0;
  for await (const m of jsonLines(input)) {
    const err = m.errorDetail?.message ?? m.error;
    if (err !== undefined && err !== '') throw new StreamMessageError(err);
    if (m.stream !== undefined) {
      out?.write(m.stream);
      continue;
    }
    if (m.status === undefined) continue;
    const hasProgress = m.progressDetail !== undefined && (m.progressDetail.total ?? 0) > 0;
    if (!isTerminal && hasProgress) continue;
    const text = `${m.id !== undefined && m.id !== '' ? `${m.id}: ` : ''}${m.status}${isTerminal ? progressBar(m) : ''}`;
    if (isTerminal && m.id !== undefined && m.id !== '') {
      const line = lines.get(m.id);
      if (line !== undefined) {
        const up = count - line;
        out?.write(`\x1b[${up}A\r\x1b[2K${text}\x1b[${up}B\r`);
        continue;
      }
      lines.set(m.id, count);
    }
    out?.write(`${text}\n`);
    count++;
  }
}
