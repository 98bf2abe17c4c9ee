import type { Readable, Writable } from 'node:stream';
import type { Hijacked } from '../../client/index.js';
import { copyRaw, demux } from '../../client/streams.js';
import { DetachProxy } from './detach-keys.js';

export interface StreamOptions {
  /** Client input to forward; null half-closes the connection at once (no stdin attached). */
  stdin: Readable | null;
  stdout: Writable | null;
  stderr: Writable | null;
  /** TTY: raw stream (no frame headers) and detach keys honoured. */
  tty: boolean;
  /** Detach sequence as bytes (TTY only); default ctrl-p ctrl-q. */
  detachKeys?: number[];
}

/** How a hijacked session ended. */
export type StreamEnd = 'eof' | 'detached';

async function* socketChunks(h: Hijacked): AsyncGenerator<Uint8Array> {
  if (h.head.length > 0) yield h.head;
  try {
    for await (const chunk of h.socket) yield chunk as Uint8Array;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ECONNRESET' && code !== 'EPIPE') throw err;
  }
}

/**
 * Runs docker's hijackedIOStreamer: copies output (demultiplexed unless TTY) while forwarding
 * stdin, half-closing the connection at stdin EOF. Resolves when output ends or the user detaches.
 */
export function streamHijacked(h: Hijacked, opts: StreamOptions): Promise<StreamEnd> {
  const { socket } = h;
  socket.on('error', () => undefined);
  return new Promise<StreamEnd>((resolve, reject) => {
    let finished = false;
    const done = (how: StreamEnd): void => {
      if (finished) return;
      finished = true;
      if (opts.stdin !== null) {
        opts.stdin.removeListener('data', onData);
        opts.stdin.pause();
      }
      resolve(how);
    };
    const proxy = opts.tty && opts.stdin !== null ? new DetachProxy(opts.detachKeys ?? [16, 17]) : null;
    const onData = (chunk: Buffer): void => {
      let data: Buffer = chunk;
      if (proxy !== null) {
        const r = proxy.feed(chunk);
        data = r.forward;
        if (r.detached) {
          if (data.length > 0) socket.write(data);
          socket.destroy();
          done('detached');
          return;
        }
      }
      if (data.length > 0 && !socket.write(data)) {
        opts.stdin?.pause();
        socket.once('drain', () => opts.stdin?.resume());
      }
    };
    if (opts.stdin === null) {
      socket.end();
    } else {
      opts.stdin.on('data', onData);
      opts.stdin.once('end', () => {
        const rest = proxy?.flush();
        if (rest !== undefined && rest.length > 0) socket.write(rest);
        socket.end();
      });
      opts.stdin.once('error', () => socket.end());
      opts.stdin.resume();
    }
    const copy = opts.tty ? copyRaw(socketChunks(h), opts.stdout) : demux(socketChunks(h), { stdout: opts.stdout, stderr: opts.stderr });
    copy.then(() => done('eof'), (err: unknown) => {
      if (finished) return;
      finished = true;
      reject(err instanceof Error ? err : new Error(String(err)));
    });
  });
}
