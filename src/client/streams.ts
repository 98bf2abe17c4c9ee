import type { Readable, Writable } from 'node:stream';
import { FrameDecoder } from '../protocol/framing.js';
import type { JsonMessage } from '../protocol/types.js';

/** Error carried by a `Systemerr` frame (stream 3) of a multiplexed stream. */
export class SystemError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SystemError';
  }
}

/** Where demultiplexed output goes; stdin frames (0) are written to stdout, as stdcopy does. */
export interface DemuxTargets {
  stdout: Writable | null;
  stderr: Writable | null;
}

/**
 * Copies a multiplexed stream (8-byte frame headers) to stdout/stderr, byte-exact, honouring
 * back-pressure. Resolves at end of input; rejects with SystemError on a stream-3 frame.
 */
export async function demux(input: AsyncIterable<Uint8Array>, targets: DemuxTargets): Promise<void> {
  const decoder = new FrameDecoder();
  for await (const chunk of input) {
    for (const frame of decoder.push(chunk)) {
      if (frame.stream === 3) throw new SystemError(frame.payload.toString('utf8'));
      const out = frame.stream === 2 ? targets.stderr : targets.stdout;
      if (out !== null) await write(out, frame.payload);
    }
  }
}

/** Copies a raw (TTY) stream to one writable. */
export async function copyRaw(input: AsyncIterable<Uint8Array>, out: Writable | null): Promise<void> {
  for await (const chunk of input) {
    if (out !== null) await write(out, chunk);
  }
}

/** Writes honouring back-pressure. */
export function write(out: Writable, data: Uint8Array | string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const ok = out.write(data, (err) => {
      if (err !== null && err !== undefined) reject(err);
    });
    if (ok) resolve();
    else out.once('drain', resolve);
  });
}

/** Iterates newline-delimited JSON messages (pull, load, import, build progress). */
export async function* jsonLines(input: Readable): AsyncGenerator<JsonMessage> {
  let buf = '';
  for await (const chunk of input) {
    buf += (chunk as Buffer).toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') yield parseMessage(line);
    }
  }
  const rest = buf.trim();
  if (rest !== '') yield* splitConcatenated(rest);
}

function parseMessage(line: string): JsonMessage {
  return JSON.parse(line) as JsonMessage;
}

/** Handles bodies whose JSON objects are concatenated without newlines (`}{`). */
function* splitConcatenated(text: string): Generator<JsonMessage> {
  try {
    yield parseMessage(text);
    return;
  } catch {
    // fall through
  }
  for (const part of text.split(/(?<=\})\s*(?=\{)/)) yield parseMessage(part);
}
