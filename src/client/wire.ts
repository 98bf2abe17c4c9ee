/**
 * HTTP/1.1 on a unix socket, one connection per request, without node:http.
 *
 * The CLI sends a handful of small requests per command. Through node:http the first of them
 * costs ~5 ms in a fresh process (loading the module, then the first ClientRequest, parser and
 * IncomingMessage), on a start path of ~40 ms; this client writes the request itself and reads
 * the status line, the headers and a body framed by Content-Length, chunked encoding or the end
 * of the connection, or hands over the socket after `101` for a hijack.
 */
import { connect, type Socket } from 'node:net';
import { Duplex, Readable } from 'node:stream';

/** A response as the client's callers read it: node's IncomingMessage has this shape too. */
export interface ApiResponse extends Readable {
  statusCode?: number | undefined;
  statusMessage?: string | undefined;
  headers: Record<string, string | string[] | undefined>;
}

export interface WireRequest {
  method: string;
  path: string;
  headers: Record<string, string | number | readonly string[] | undefined>;
  body?: string | undefined;
  signal?: AbortSignal | undefined;
}

export type WireResult =
  | { kind: 'response'; res: ApiResponse }
  | { kind: 'upgrade'; res: ApiResponse; socket: Duplex; head: Buffer };

const MAX_HEAD = 64 * 1024;

function abortError(): Error {
  return Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** The request's bytes; `Connection: close` unless the caller asked for an upgrade. */
export function serializeRequest(req: WireRequest): string {
  let out = `${req.method} ${req.path} HTTP/1.1\r\n`;
  const names = new Set<string>();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (/[\r\n]/.test(String(value)) || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new TypeError(`invalid header ${name}`);
    names.add(name.toLowerCase());
    for (const v of Array.isArray(value) ? value : [value]) out += `${name}: ${String(v)}\r\n`;
  }
  if (req.body !== undefined && !names.has('content-length')) out += `Content-Length: ${Buffer.byteLength(req.body)}\r\n`;
  if (!names.has('connection')) out += 'Connection: close\r\n';
  return `${out}\r\n${req.body ?? ''}`;
}

/** Status line and headers (names lowercased, repeated ones joined with ", " as node does). */
export function parseHead(text: string): { status: number; message: string; headers: Record<string, string> } | undefined {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return undefined;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
  }
  return { status: Number(m[1]), message: m[2] ?? '', headers };
}

/** Sends one request on a fresh connection to `socketPath`; resolves once the headers are in. */
export function wireRequest(socketPath: string, req: WireRequest): Promise<WireResult> {
  return new Promise<WireResult>((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(abortError());
      return;
    }
    const bytes = serializeRequest(req);
    const socket = connect({ path: socketPath, allowHalfOpen: true });
    let buf: Buffer = Buffer.alloc(0);
    let done = false;
    const detach = (): void => {
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('end', onEnd);
      req.signal?.removeEventListener('abort', onAbort);
    };
    function fail(err: Error): void {
      if (done) return;
      done = true;
      detach();
      socket.destroy();
      reject(err);
    }
    function onAbort(): void {
      fail(abortError());
    }
    function onEnd(): void {
      fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    }
    function onData(chunk: Buffer): void {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) {
          if (buf.length > MAX_HEAD) fail(new Error('the daemon sent response headers over 64 KiB'));
          return;
        }
        const head = parseHead(buf.subarray(0, end).toString('latin1'));
        if (!head) {
          fail(new Error('malformed HTTP response from the daemon'));
          return;
        }
        buf = buf.subarray(end + 4);
        // an informational answer (100 Continue) precedes the real one
        if (head.status >= 100 && head.status < 200 && head.status !== 101) continue;
        done = true;
        detach();
        const res = new Body(socket, req.signal) as Body & ApiResponse;
        res.statusCode = head.status;
        res.statusMessage = head.message;
        res.headers = head.headers;
        if (head.status === 101) {
          res.push(null);
          resolve({ kind: 'upgrade', res, socket: new Hijacked(socket), head: buf });
          return;
        }
        resolve({ kind: 'response', res });
        res.start(bodyFraming(req.method, head.status, head.headers), buf);
        return;
      }
    }
    socket.on('data', onData);
    socket.on('error', fail);
    socket.on('end', onEnd);
    req.signal?.addEventListener('abort', onAbort, { once: true });
    socket.write(bytes);
  });
}

type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

function bodyFraming(method: string, status: number, headers: Record<string, string>): Framing {
  if (method === 'HEAD' || status === 204 || status === 304) return { kind: 'none' };
  if (/\bchunked\b/i.test(headers['transfer-encoding'] ?? '')) return { kind: 'chunked' };
  const length = headers['content-length'];
  if (length !== undefined) return { kind: 'length', left: Number(length) };
  return { kind: 'close' };
}

/** The response body, read from the socket with the framing the headers announced. */
class Body extends Readable {
  private framing: Framing = { kind: 'none' };
  private pending: Buffer = Buffer.alloc(0);
  private ended = false;
  /** Chunked decoding: bytes left in the current chunk, or the part being read. */
  private chunkLeft = 0;
  private chunkState: 'size' | 'data' | 'crlf' | 'trailer' = 'size';

  constructor(private readonly socket: Socket, private readonly signal: AbortSignal | undefined) {
    super();
  }

  start(framing: Framing, rest: Buffer): void {
    this.framing = framing;
    if (framing.kind === 'none' || (framing.kind === 'length' && framing.left === 0)) {
      this.finish();
      return;
    }
    if (framing.kind === 'length' && !(framing.left > 0)) {
      this.destroy(new Error('malformed Content-Length from the daemon'));
      return;
    }
    const onAbort = (): void => void this.destroy(abortError());
    this.signal?.addEventListener('abort', onAbort, { once: true });
    this.once('close', () => this.signal?.removeEventListener('abort', onAbort));
    this.socket.on('data', (c: Buffer) => this.feed(c));
    this.socket.on('end', () => {
      if (this.ended) return;
      if (this.framing.kind === 'close') this.finish();
      else this.destroy(Object.assign(new Error('the daemon closed the connection in the middle of a response'), { code: 'ECONNRESET' }));
    });
    this.socket.on('error', (err) => this.destroy(err));
    if (rest.length > 0) this.feed(rest);
  }

  override _read(): void {
    this.socket.resume();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    // a body read to its end has its socket closed by finish()
    if (!this.ended || err) this.socket.destroy();
    cb(err);
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.push(null);
    // Not at once: a socket's first destroy makes Node create process.stderr (net's _destroy
    // compares the socket with it), ~1 ms that would hold up the caller's next request.
    setImmediate(() => this.socket.destroy());
  }

  private emitData(b: Buffer): void {
    if (b.length > 0 && !this.push(b)) this.socket.pause();
  }

  private feed(chunk: Buffer): void {
    if (this.destroyed || this.ended) return;
    const f = this.framing;
    if (f.kind === 'close') {
      this.emitData(chunk);
      return;
    }
    if (f.kind === 'length') {
      const take = chunk.subarray(0, f.left);
      f.left -= take.length;
      this.emitData(take);
      if (f.left === 0) this.finish();
      return;
    }
    if (f.kind === 'chunked') this.feedChunked(chunk);
  }

  private feedChunked(chunk: Buffer): void {
    let buf = this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = Buffer.alloc(0);
    while (buf.length > 0 && !this.destroyed) {
      if (this.chunkState === 'data') {
        const take = buf.subarray(0, this.chunkLeft);
        this.chunkLeft -= take.length;
        buf = buf.subarray(take.length);
        this.emitData(take);
        if (this.chunkLeft === 0) this.chunkState = 'crlf';
        continue;
      }
      const nl = buf.indexOf('\r\n');
      if (nl < 0) {
        if (buf.length > 4096) this.destroy(new Error('malformed chunked response from the daemon'));
        else this.pending = Buffer.from(buf);
        return;
      }
      const line = buf.subarray(0, nl).toString('latin1');
      buf = buf.subarray(nl + 2);
      if (this.chunkState === 'crlf') {
        if (line !== '') return void this.destroy(new Error('malformed chunked response from the daemon'));
        this.chunkState = 'size';
      } else if (this.chunkState === 'size') {
        const size = Number.parseInt(line.split(';')[0]!.trim(), 16);
        if (!Number.isInteger(size) || size < 0 || !/^[0-9a-fA-F]+/.test(line.trim())) return void this.destroy(new Error('malformed chunked response from the daemon'));
        if (size === 0) this.chunkState = 'trailer';
        else {
          this.chunkLeft = size;
          this.chunkState = 'data';
        }
      } else if (line === '') {
        // the empty line after the (usually absent) trailers ends the body
        this.finish();
        return;
      }
    }
  }
}

/**
 * The connection after `101`, as a stream of its own: it starts paused, so what the daemon sent
 * (up to its end) waits for the caller's listeners instead of being emitted before them; the
 * socket's own events fire whether or not anyone listens yet.
 */
class Hijacked extends Duplex {
  constructor(private readonly socket: Socket) {
    super({ allowHalfOpen: true });
    socket.on('data', (d: Buffer) => {
      if (!this.push(d)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (err) => this.destroy(err));
    socket.on('close', () => {
      if (!this.readableEnded) this.push(null);
    });
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.socket.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.socket.end(cb);
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.socket.destroy();
    cb(err);
  }
}
