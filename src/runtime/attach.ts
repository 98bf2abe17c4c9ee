/**
 * A client of conmon's attach socket (<bundle>/attach, SOCK_SEQPACKET, conmon src/conn_sock.c):
 * each packet from conmon is one pipe byte (2 = stdout, 3 = stderr) and the data; what we send is
 * written to the container's stdin as is (conmon reads at most 32767 bytes per packet). Shutting
 * down our write side makes conmon close the container's stdin unless it runs with
 * --leave-stdin-open.
 */
import { closeSync, openSync } from 'node:fs';
import { SeqpacketSocket } from 'node-unix-socket';
import { internal, notFound } from '../core/index.js';
import type { AttachConnection } from './types.js';

/** An attach connection that can also report when a write reached the socket (for back-pressure). */
export interface AttachSocket extends AttachConnection {
  /** Writes to stdin like write(); cb runs once all of it is in the socket (or with an error). */
  send(data: Buffer, cb: (err?: Error | null) => void): void;
}

const MAX_PACKET = 32767;
/**
 * Receive buffer per packet. conmon sends at most STDIO_BUF_SIZE (8192) + 1 bytes per packet; the
 * binding allocates (and zeroes) this much for every read, so its 256 KiB default costs more than
 * the data for bulk output. 64 KiB keeps a wide margin: a packet larger than this would be truncated.
 */
const READ_BUFFER = 65536;
const MAX_SUN_PATH = 107;
const STDOUT_PIPE = 2;
const STDERR_PIPE = 3;

/** Splits a write into packets conmon reads whole. */
export function chunkPackets(data: Buffer, max = MAX_PACKET): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < data.length; off += max) out.push(data.subarray(off, off + max));
  return out;
}

/** Decodes one packet from conmon: which stream and the bytes. */
export function decodePacket(packet: Buffer): { stream: 1 | 2; data: Buffer } | undefined {
  if (packet.length < 1) return undefined;
  const pipe = packet[0];
  if (pipe === STDOUT_PIPE) return { stream: 1, data: packet.subarray(1) };
  if (pipe === STDERR_PIPE) return { stream: 2, data: packet.subarray(1) };
  return undefined;
}

/** Connects to an attach socket; paths longer than sun_path go through /proc/self/fd/<dirfd>. */
export function connectAttach(socketPath: string, bundleDir: string): Promise<AttachSocket> {
  return new Promise((resolve, reject) => {
    const sock = new SeqpacketSocket();
    sock.setInternalReadBufferSize(READ_BUFFER);
    let dirFd: number | undefined;
    let target = socketPath;
    if (Buffer.byteLength(socketPath) > MAX_SUN_PATH) {
      dirFd = openSync(bundleDir, 'r');
      target = `/proc/self/fd/${dirFd}/attach`;
    }
    const releaseDir = (): void => {
      if (dirFd !== undefined) closeSync(dirFd);
      dirFd = undefined;
    };
    const onError = (e: Error): void => {
      releaseDir();
      const code = (e as NodeJS.ErrnoException).code ?? '';
      reject(/ENOENT|ECONNREFUSED/.test(code + e.message) ? notFound(`attach socket ${socketPath} is not available`) : internal(`attach: ${e.message}`, e));
    };
    sock.once('error', onError);
    try {
      sock.connect(target, () => {
        releaseDir();
        sock.off('error', onError);
        resolve(wrap(sock));
      });
    } catch (e) {
      onError(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

function wrap(sock: SeqpacketSocket): AttachSocket {
  const dataCbs: ((stream: 1 | 2, data: Buffer) => void)[] = [];
  const closeCbs: (() => void)[] = [];
  const pending: { stream: 1 | 2; data: Buffer }[] = [];
  let closed = false;
  let ended = false;
  const fireClose = (): void => {
    if (closed) return;
    closed = true;
    for (const cb of closeCbs) cb();
  };
  sock.on('data', (buf: Buffer) => {
    const p = decodePacket(buf);
    if (!p || p.data.length === 0) return;
    if (dataCbs.length === 0) pending.push(p);
    for (const cb of dataCbs) cb(p.stream, p.data);
  });
  sock.on('error', () => fireClose());
  sock.on('end', () => {
    sock.destroy();
    fireClose();
  });
  sock.on('close', fireClose);
  return {
    onData(cb) {
      dataCbs.push(cb);
      for (const p of pending.splice(0)) cb(p.stream, p.data);
    },
    onClose(cb) {
      if (closed) cb();
      else closeCbs.push(cb);
    },
    write(data) {
      if (closed || ended) return;
      for (const chunk of chunkPackets(data)) sock.write(chunk);
    },
    send(data, cb) {
      if (closed || ended) {
        cb(new Error('attach connection is closed'));
        return;
      }
      const chunks = chunkPackets(data);
      if (chunks.length === 0) {
        cb();
        return;
      }
      try {
        chunks.forEach((chunk, i) => sock.write(chunk, 0, chunk.length, i === chunks.length - 1 ? () => cb() : undefined));
      } catch (e) {
        cb(e instanceof Error ? e : new Error(String(e)));
      }
    },
    closeStdin() {
      if (closed || ended) return;
      ended = true;
      sock.end();
    },
    close() {
      if (!closed) sock.destroy();
      fireClose();
    },
  };
}
