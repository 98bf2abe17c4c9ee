/**
 * A raw hijacked connection (attach, exec start) as the docker CLI opens it: a POST with
 * `Connection: Upgrade` / `Upgrade: tcp`, then the socket carries both directions.
 */
import { connect, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/protocol/framing.js';

export interface HijackedStream {
  /** The status line and headers of the answer (e.g. "HTTP/1.1 101 UPGRADED"). */
  head: string;
  socket: Socket;
  /** Resolves with everything received after the headers once the daemon closes its side. */
  done: Promise<Buffer>;
  /** What has arrived so far after the headers. */
  received(): Buffer;
}

export function hijack(socketPath: string, path: string, body?: unknown): Promise<HijackedStream> {
  return new Promise((resolve, reject) => {
    const sock = connect(socketPath);
    const payload = body === undefined ? '' : JSON.stringify(body);
    sock.on('error', reject);
    sock.on('connect', () => {
      sock.write(
        `POST ${path} HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
      );
    });
    let buf = Buffer.alloc(0);
    let head: string | undefined;
    let endResolve!: (b: Buffer) => void;
    const done = new Promise<Buffer>((r) => (endResolve = r));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (head === undefined) {
        const i = buf.indexOf('\r\n\r\n');
        if (i === -1) return;
        head = buf.subarray(0, i).toString();
        buf = buf.subarray(i + 4);
        resolve({ head, socket: sock, done, received: () => buf });
      }
    });
    sock.on('end', () => endResolve(buf));
    sock.on('close', () => endResolve(buf));
  });
}

/** Splits a multiplexed stream into its stdout and stderr text. */
export function demuxFrames(buf: Buffer): { stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  for (const f of new FrameDecoder().push(buf)) {
    if (f.stream === 1) out.stdout += f.payload.toString();
    if (f.stream === 2) out.stderr += f.payload.toString();
  }
  return out;
}
