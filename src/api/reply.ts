/**
 * How a handler answers: plain JSON, a stream, or a hijacked connection. Two implementations:
 * over a ServerResponse (ordinary requests) and over the raw socket of an upgrade request
 * (docker's attach and exec start send `Connection: Upgrade`, `Upgrade: tcp`).
 */
import { STATUS_CODES, type ServerResponse, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** A hijacked, bidirectional connection. */
export interface Hijacked {
  write(data: Buffer): void;
  /** Ends our side (half-close where the transport allows). */
  end(): void;
  onData(cb: (d: Buffer) => void): void;
  /** The client half-closed: its input is over. */
  onEnd(cb: () => void): void;
  onClose(cb: () => void): void;
}

export interface Reply {
  readonly headersSent: boolean;
  json(status: number, body: unknown): void;
  empty(status: number): void;
  /** A streaming 200 answer; write() may be called many times, then end(). */
  stream(contentType: string, extra?: Record<string, string>): { write(data: Buffer | string): void; end(): void };
  /** 101 UPGRADED when the client asked to upgrade, else a 200 raw stream. */
  hijack(contentType: string): Hijacked;
}

export class HttpReply implements Reply {
  constructor(private readonly req: IncomingMessage, private readonly res: ServerResponse, private readonly headers: Record<string, string>) {}

  get headersSent(): boolean {
    return this.res.headersSent;
  }

  json(status: number, body: unknown): void {
    const data = JSON.stringify(body) + '\n';
    this.res.writeHead(status, { ...this.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) });
    this.res.end(data);
  }

  empty(status: number): void {
    this.res.writeHead(status, this.headers);
    this.res.end();
  }

  stream(contentType: string, extra: Record<string, string> = {}): { write(data: Buffer | string): void; end(): void } {
    this.res.writeHead(200, { ...this.headers, ...extra, 'Content-Type': contentType });
    this.res.flushHeaders();
    return { write: (d) => void this.res.write(d), end: () => void this.res.end() };
  }

  hijack(contentType: string): Hijacked {
    this.res.writeHead(200, { ...this.headers, 'Content-Type': contentType });
    this.res.flushHeaders();
    const req = this.req;
    const res = this.res;
    return {
      write: (d) => void res.write(d),
      end: () => void res.end(),
      onData: (cb) => void req.on('data', cb),
      onEnd: (cb) => void req.on('end', cb),
      onClose: (cb) => void res.on('close', cb),
    };
  }
}

/** Answers on the raw socket of an upgrade request. */
export class SocketReply implements Reply {
  private sent = false;

  constructor(private readonly socket: Duplex, private readonly headers: Record<string, string>) {
    socket.on('error', () => {});
  }

  get headersSent(): boolean {
    return this.sent;
  }

  private head(status: number, extra: Record<string, string | number>): string {
    this.sent = true;
    const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`];
    for (const [k, v] of Object.entries({ ...this.headers, ...extra })) lines.push(`${k}: ${v}`);
    return lines.join('\r\n') + '\r\n\r\n';
  }

  json(status: number, body: unknown): void {
    const data = JSON.stringify(body) + '\n';
    this.socket.end(this.head(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data), Connection: 'close' }) + data);
  }

  empty(status: number): void {
    this.socket.end(this.head(status, { 'Content-Length': 0, Connection: 'close' }));
  }

  stream(contentType: string, extra: Record<string, string> = {}): { write(data: Buffer | string): void; end(): void } {
    this.socket.write(this.head(200, { ...extra, 'Content-Type': contentType, Connection: 'close' }));
    return { write: (d) => void this.socket.write(d), end: () => void this.socket.end() };
  }

  hijack(contentType: string): Hijacked {
    this.sent = true;
    const lines = ['HTTP/1.1 101 UPGRADED', `Content-Type: ${contentType}`, 'Connection: Upgrade', 'Upgrade: tcp'];
    for (const [k, v] of Object.entries(this.headers)) lines.push(`${k}: ${v}`);
    this.socket.write(lines.join('\r\n') + '\r\n\r\n');
    const sock = this.socket;
    return {
      write: (d) => {
        if (!sock.destroyed && sock.writable) sock.write(d);
      },
      end: () => {
        if (!sock.destroyed) sock.end();
      },
      // the body reader paused the socket; a 'data' listener alone does not resume it
      onData: (cb) => {
        sock.on('data', cb);
        sock.resume();
      },
      onEnd: (cb) => void sock.on('end', cb),
      onClose: (cb) => void sock.on('close', cb),
    };
  }
}
