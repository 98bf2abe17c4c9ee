/**
 * Output framing for hijacked and log streams: multiplexed frames without a TTY, raw bytes
 * with one (docker-protocol.md). The content type names the multiplexed stream only for
 * API ≥ 1.42, as dockerd does.
 */
import { compareApiVersions, encodeFrame } from '../../protocol/index.js';
import type { ClientStream } from '../../engine/index.js';
import type { Hijacked } from '../reply.js';

export function streamContentType(tty: boolean, version: string): string {
  return !tty && compareApiVersions(version, '1.42') >= 0
    ? 'application/vnd.docker.multiplexed-stream'
    : 'application/vnd.docker.raw-stream';
}

/** Adapts a hijacked connection to the engine's ClientStream. */
export function clientStream(conn: Hijacked, tty: boolean): ClientStream {
  let ended = false;
  return {
    write: (stream, data) => {
      if (ended) return;
      conn.write(tty ? data : encodeFrame(stream, data));
    },
    end: () => {
      if (ended) return;
      ended = true;
      conn.end();
    },
    onInput: (cb) => conn.onData(cb),
    onInputEnd: (cb) => conn.onEnd(cb),
    onClose: (cb) => conn.onClose(cb),
  };
}
