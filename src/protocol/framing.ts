/**
 * Docker's multiplexed stream framing (moby pkg/stdcopy): an 8-byte header
 * [STREAM, 0, 0, 0, SIZE(big-endian uint32)] followed by SIZE payload bytes.
 * STREAM 0 = stdin, 1 = stdout, 2 = stderr, 3 = systemerr.
 */
export type StreamId = 0 | 1 | 2 | 3;

export function encodeFrame(stream: StreamId, payload: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

/** Incremental decoder: push chunks in, get whole frames out. */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Uint8Array): Array<{ stream: StreamId; payload: Buffer }> {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    const out: Array<{ stream: StreamId; payload: Buffer }> = [];
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      out.push({ stream: (this.buf[0]! & 3) as StreamId, payload: this.buf.subarray(8, 8 + size) });
      this.buf = this.buf.subarray(8 + size);
    }
    return out;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }
}
