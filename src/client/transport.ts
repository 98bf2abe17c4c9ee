import type { Agent, IncomingMessage, ClientRequest, OutgoingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex, Readable } from 'node:stream';
import { http } from '../core/builtin.js';
import { wireRequest, type ApiResponse } from './wire.js';
import { API_VERSION, compareApiVersions } from '../protocol/version.js';
import { ApiError, ConnectError, apiErrorFromBody } from './errors.js';
import type { Endpoint } from './host.js';

/** Query values; undefined and false-y optional values are left out by the caller. */
export type Query = Record<string, string | number | boolean | string[] | undefined>;

export interface RequestOptions {
  method: string;
  path: string;
  query?: Query;
  headers?: OutgoingHttpHeaders;
  /** JSON body (serialised) or a raw stream (piped). */
  json?: unknown;
  body?: Readable;
  signal?: AbortSignal;
}

/** A hijacked connection after `101 UPGRADED`: raw duplex socket plus bytes read past the headers. */
export interface Hijacked {
  socket: Duplex;
  head: Buffer;
}

const USER_AGENT = 'berth-Client/0.1.0 (linux)';

/**
 * HTTP/1.1 to the Engine API over a unix socket or TCP, with keep-alive and version negotiation.
 *
 * Unlike the docker CLI, which pings before its first request on every command, the transport
 * first speaks our own API version (`/v1.47/…`) and negotiates only when the daemon answers that
 * it is too old for it ("client version 1.47 is too new…", 400): then it pings (`Api-Version`),
 * settles on the lower of the two versions and sends the request again. berthd and any recent
 * dockerd thus cost no extra round trip per command (~2–4 ms of a cold CLI's start).
 */
export class Transport {
  readonly endpoint: Endpoint;
  private agentInstance: Agent | undefined;
  private version: Promise<string> | undefined;
  private pinned: string | undefined;

  constructor(endpoint: Endpoint, options: { version?: string } = {}) {
    this.endpoint = endpoint;
    this.pinned = options.version;
  }

  /** The negotiated API version (min of the server's and ours); pings once. */
  apiVersion(): Promise<string> {
    if (this.pinned !== undefined) return Promise.resolve(this.pinned);
    this.version ??= this.ping().then((h) => {
      const server = h['api-version'];
      if (typeof server !== 'string' || server === '') return API_VERSION;
      return compareApiVersions(server, API_VERSION) < 0 ? server : API_VERSION;
    });
    return this.version;
  }

  /** The version for the next request: pinned, negotiated, or (not negotiated yet) our own. */
  private requestVersion(): Promise<string> {
    return this.pinned !== undefined || this.version !== undefined ? this.apiVersion() : Promise.resolve(API_VERSION);
  }

  /**
   * True when a failed request went out with our own version unasked and the daemon says that
   * version is too new for it: negotiate (ping) and send it again.
   */
  private renegotiate(status: number, text: string, sentWith: string): boolean {
    if (status !== 400 || this.pinned !== undefined || this.version !== undefined || sentWith !== API_VERSION) return false;
    if (!/client version \S+ is too new|client is newer than server/i.test(text)) return false;
    void this.apiVersion();
    return true;
  }

  /** Keep-alive connections for TCP and streamed uploads (node:http loads only for those). */
  private get agent(): Agent {
    this.agentInstance ??= new (http().Agent)({ keepAlive: true });
    return this.agentInstance;
  }

  /** `HEAD /_ping`, unversioned; answers the response headers. */
  async ping(): Promise<ApiResponse['headers']> {
    const res = await this.send({ method: 'HEAD', path: '/_ping' }, false);
    res.resume();
    if (res.statusCode !== undefined && res.statusCode >= 400 && res.statusCode !== 404) {
      throw new ApiError(res.statusCode, `ping failed with status ${res.statusCode}`);
    }
    return res.headers;
  }

  /** Sends a request and answers the response once its headers arrive; throws ApiError on non-2xx. */
  async stream(opts: RequestOptions): Promise<ApiResponse> {
    // A streamed body cannot be sent twice: settle the version first.
    if (opts.body !== undefined) await this.apiVersion();
    const sentWith = await this.requestVersion();
    const res = await this.send(opts, true);
    const status = res.statusCode ?? 0;
    if (status < 200 || status >= 300) {
      const text = await readText(res);
      if (this.renegotiate(status, text, sentWith)) return this.stream(opts);
      throw apiErrorFromBody(status, text);
    }
    return res;
  }

  /** Sends a request and parses a JSON answer (undefined for empty bodies such as 204). */
  async json<T>(opts: RequestOptions): Promise<T> {
    const res = await this.stream(opts);
    const text = await readText(res);
    return (text === '' ? undefined : JSON.parse(text)) as T;
  }

  /** Sends a request whose answer carries no body worth reading. */
  async call(opts: RequestOptions): Promise<void> {
    const res = await this.stream(opts);
    res.resume();
  }

  /**
   * Hijacks the connection (`Connection: Upgrade`, `Upgrade: tcp`); requires `101`.
   * The socket stays half-open-capable: `socket.end()` sends EOF while output is still read.
   */
  async hijack(opts: RequestOptions): Promise<Hijacked> {
    const sentWith = await this.requestVersion();
    try {
      return await this.hijackOnce(opts);
    } catch (err) {
      if (err instanceof ApiError && this.renegotiate(err.status, err.message, sentWith)) return this.hijackOnce(opts);
      throw err;
    }
  }

  private async hijackOnce(opts: RequestOptions): Promise<Hijacked> {
    const path = await this.fullPath(opts.path, opts.query, true);
    const headers: OutgoingHttpHeaders = {
      'User-Agent': USER_AGENT,
      Connection: 'Upgrade',
      Upgrade: 'tcp',
      ...opts.headers,
    };
    const payload = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    if (payload !== undefined) headers['Content-Type'] = 'application/json';
    else headers['Content-Type'] ??= 'text/plain';
    if (payload !== undefined) headers['Content-Length'] = Buffer.byteLength(payload);
    if (this.endpoint.kind === 'unix') {
      const r = await wireRequest(this.endpoint.socketPath, { method: opts.method, path, headers: { Host: this.hostHeader(), ...headers }, body: payload })
        .catch((err: unknown) => {
          throw this.connectError(err);
        });
      if (r.kind === 'upgrade') return { socket: r.socket, head: r.head };
      const status = r.res.statusCode ?? 0;
      const text = await readText(r.res);
      throw status >= 400 ? apiErrorFromBody(status, text) : new Error(`unable to upgrade to tcp, received ${status}`);
    }
    return new Promise<Hijacked>((resolve, reject) => {
      const req = this.open(opts.method, path, headers, false);
      req.on('upgrade', (res: IncomingMessage, socket: Socket, head: Buffer) => {
        if (res.statusCode !== 101) {
          socket.destroy();
          reject(new Error(`unable to upgrade to tcp, received ${res.statusCode ?? 0}`));
          return;
        }
        resolve({ socket, head });
      });
      req.on('response', (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        void readText(res).then((text) => {
          reject(status >= 400 ? apiErrorFromBody(status, text) : new Error(`unable to upgrade to tcp, received ${status}`));
        }, reject);
      });
      req.on('error', (err) => reject(this.connectError(err)));
      req.end(payload);
    });
  }

  /** Closes idle keep-alive connections so the process can exit. */
  close(): void {
    this.agentInstance?.destroy();
  }

  private async send(opts: RequestOptions, versioned: boolean): Promise<ApiResponse> {
    const path = await this.fullPath(opts.path, opts.query, versioned);
    const headers: OutgoingHttpHeaders = { 'User-Agent': USER_AGENT, ...opts.headers };
    const payload = opts.json === undefined ? undefined : JSON.stringify(opts.json);
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(payload);
    }
    if (this.endpoint.kind === 'unix' && opts.body === undefined) {
      // A connection of our own per request (a unix connection costs ~0.1 ms) and no node:http
      // (see wire.ts). Streamed uploads (cp, build, load) go through node:http and its Agent:
      // when the daemon answers an error before reading the whole body, that path hands us its
      // response, where a bare socket reported the write's EPIPE instead.
      const r = await wireRequest(this.endpoint.socketPath, { method: opts.method, path, headers: { Host: this.hostHeader(), ...headers }, body: payload, signal: opts.signal })
        .catch((err: unknown) => {
          throw this.connectError(err);
        });
      return r.res;
    }
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = this.open(opts.method, path, headers, true, opts.signal);
      req.on('response', resolve);
      req.on('error', (err) => reject(this.connectError(err)));
      if (opts.body !== undefined) {
        opts.body.on('error', (err) => req.destroy(err));
        opts.body.pipe(req);
      } else {
        req.end(payload);
      }
    });
  }

  private open(method: string, path: string, headers: OutgoingHttpHeaders, pooled: boolean, signal?: AbortSignal): ClientRequest {
    const common = { method, path, headers: { Host: this.hostHeader(), ...headers }, ...(signal === undefined ? {} : { signal }) };
    const target = this.endpoint.kind === 'unix'
      ? { socketPath: this.endpoint.socketPath, host: 'api.moby.localhost' }
      : { host: this.endpoint.hostname, port: this.endpoint.port };
    return http().request({ ...common, ...target, agent: pooled ? this.agent : false });
  }

  /** The Host header as the docker CLI sends it: api.moby.localhost on a socket, host:port on tcp. */
  private hostHeader(): string {
    if (this.endpoint.kind === 'unix') return 'api.moby.localhost';
    const h = this.endpoint.hostname;
    return `${h.includes(':') ? `[${h}]` : h}:${this.endpoint.port}`;
  }

  private async fullPath(path: string, query: Query | undefined, versioned: boolean): Promise<string> {
    const prefix = versioned ? `/v${await this.requestVersion()}` : '';
    return `${prefix}${path}${encodeQuery(query)}`;
  }

  private connectError(err: unknown): Error {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ECONNREFUSED' || code === 'EACCES' || code === 'ENOTFOUND') {
      return new ConnectError(this.endpoint.url, err);
    }
    return err instanceof Error ? err : new Error(String(err));
  }
}

/** `?a=1&b=x` from a query object; undefined values are skipped. */
export function encodeQuery(query: Query | undefined): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    const values = Array.isArray(v) ? v : [typeof v === 'boolean' ? (v ? '1' : '0') : String(v)];
    for (const s of values) parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(s)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** Reads a whole response body as UTF-8 text. */
export function readText(res: Readable): Promise<string> {
  // events rather than `for await`: the async iterator's setup (end-of-stream, an iterator
  // object, a promise per chunk) costs more than the usual few hundred bytes of JSON
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => chunks.push(chunk));
    res.once('end', () => {
      resolve(Buffer.concat(chunks).toString('utf8'));
      res.destroy(); // as `for await` does: a hijacked connection is closed once read
    });
    res.once('error', reject);
    res.once('close', () => {
      if (!res.readableEnded) reject(Object.assign(new Error('the daemon closed the connection in the middle of a response'), { code: 'ECONNRESET' }));
    });
  });
}
