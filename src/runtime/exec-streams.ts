/**
 * Node streams over an exec session's attach connection: stdout/stderr from conmon's packets,
 * stdin as a Writable whose callbacks wait for the socket (so a large stdin is not queued in
 * memory all at once), and stdin EOF as a half-close, which conmon turns into closing the
 * process's stdin.
 */
import { PassThrough, Writable } from 'node:stream';
import type { Readable } from 'node:stream';
import type { AttachSocket } from './attach.js';

export interface ExecStreams {
  stdin: Writable | null;
  stdout: Readable;
  stderr: Readable;
  /** Resolves when conmon closed the connection (after it drained the process's output). */
  closed: Promise<void>;
}

/** An already ended stream (stderr of a TTY exec, output of a detached one). */
export function endedStream(): PassThrough {
  const s = new PassThrough();
  s.end();
  return s;
}

/**
 * Wraps a connection. With a TTY everything is the terminal's output (stdout; stderr is ended);
 * stderr packets then carry only runtime noise and are dropped.
 */
export function execStreams(conn: AttachSocket, opts: { tty: boolean; stdin: boolean }): ExecStreams {
  const stdout = new PassThrough();
  const stderr = opts.tty ? endedStream() : new PassThrough();
  conn.onData((stream, data) => {
    if (stream === 1) stdout.write(data);
    else if (!opts.tty) stderr.write(data);
  });
  const closed = new Promise<void>((resolve) =>
    conn.onClose(() => {
      stdout.end();
      stderr.end();
      resolve();
    }),
  );
  return { stdin: opts.stdin ? stdinWritable(conn) : null, stdout, stderr, closed };
}

function stdinWritable(conn: AttachSocket): Writable {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      conn.send(chunk, cb);
    },
    final(cb) {
      conn.closeStdin();
      cb();
    },
    destroy(err, cb) {
      // a client that went away closes the process's stdin, as Docker does
      conn.closeStdin();
      cb(err);
    },
  });
  // once conmon closed the connection nothing more can be written: fail pending writes quickly
  conn.onClose(() => {
    if (!w.writableFinished) w.destroy();
  });
  return w;
}
