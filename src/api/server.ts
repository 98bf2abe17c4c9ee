/**
 * The Engine API HTTP server: versioned paths, Docker's common headers, one error → status
 * mapping, and hijacked upgrades. A failing handler answers with an error; it never brings
 * the daemon down.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import { invalidArgument, type Logger } from '../core/index.js';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, compareApiVersions } from '../protocol/index.js';
import { messageOf, statusOf } from './errors.js';
import { parseJson, readBody } from './http.js';
import { HttpReply, SocketReply, type Reply } from './reply.js';
import type { Ctx, Router } from './router.js';

const VERSIONED = /^\/v(\d+\.\d+)(\/.*)$/;

export function commonHeaders(): Record<string, string> {
  return {
    'Api-Version': API_VERSION,
    'Docker-Experimental': 'false',
    Ostype: 'linux',
    Server: `Docker/${ENGINE_VERSION} (linux)`,
  };
}

/** Reads an upgrade request's body from the bytes after the headers; puts back what follows it. */
function socketBody(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<Buffer> {
  const len = Number(req.headers['content-length'] ?? 0);
  if (!Number.isFinite(len) || len <= 0) {
    if (head.length > 0) socket.unshift(head);
    return Promise.resolve(Buffer.alloc(0));
  }
  return new Promise((resolve, reject) => {
    let buf = head;
    const check = (): boolean => {
      if (buf.length < len) return false;
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.pause();
      const rest = buf.subarray(len);
      if (rest.length > 0) socket.unshift(rest);
      resolve(buf.subarray(0, len));
      return true;
    };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      check();
    };
    const onEnd = (): void => reject(invalidArgument('request body ended early'));
    if (check()) return;
    socket.on('data', onData);
    socket.on('end', onEnd);
  });
}

export function createApiServer(opts: { router: Router; logger: Logger }): Server {
  const { router, logger } = opts;
  const server = createServer({ requestTimeout: 0, headersTimeout: 60_000, keepAliveTimeout: 30_000 });

  const handle = async (req: IncomingMessage, reply: Reply, ctxIO: Pick<Ctx, 'body' | 'raw'>, onClose: (cb: () => void) => void): Promise<void> => {
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://berth');
    let path = url.pathname;
    let version = API_VERSION;
    const vm = VERSIONED.exec(path);
    if (vm) {
      version = vm[1]!;
      path = vm[2]!;
    }
    const ac = new AbortController();
    onClose(() => ac.abort());
    try {
      if (compareApiVersions(version, MIN_API_VERSION) < 0) {
        throw invalidArgument(`client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      }
      if (compareApiVersions(version, API_VERSION) > 0) {
        throw invalidArgument(`client version ${version} is too new. Maximum supported API version is ${API_VERSION}`);
      }
      const m = router.match(req.method ?? 'GET', path);
      if (m === 'no-route') {
        reply.json(404, { message: 'page not found' });
        return;
      }
      await m.handler({ req, params: m.params, query: url.searchParams, version, signal: ac.signal, reply, ...ctxIO });
    } catch (err) {
      if (ac.signal.aborted) {
        // the client went away (e.g. docker run -d drops its pending /wait): nothing to answer
        logger.debug('client gone', { method: req.method, path, err: messageOf(err) });
        return;
      }
      const status = statusOf(err);
      if (status >= 500) logger.error('request failed', { method: req.method, path, err: messageOf(err) });
      else logger.debug('request refused', { method: req.method, path, status, err: messageOf(err) });
      if (reply.headersSent) return;
      if (status === 304) reply.empty(304);
      else reply.json(status, { message: messageOf(err) });
    } finally {
      logger.debug('request', { method: req.method, path: req.url, ms: Date.now() - started });
    }
  };

  server.on('request', (req, res) => {
    const reply = new HttpReply(req, res, commonHeaders());
    let bodyPromise: Promise<Buffer> | undefined;
    void handle(req, reply, {
      body: async () => parseJson(await (bodyPromise ??= readBody(req))),
      raw: () => req,
    }, (cb) => res.on('close', cb));
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => {});
    const reply = new SocketReply(socket, commonHeaders());
    let bodyPromise: Promise<Buffer> | undefined;
    void handle(req, reply, {
      body: async () => parseJson(await (bodyPromise ??= socketBody(req, socket, head))),
      raw: () => {
        const pt = new PassThrough();
        if (head.length > 0) pt.write(head);
        socket.pipe(pt);
        return pt;
      },
    }, (cb) => socket.on('close', cb));
  });

  server.on('clientError', (err, socket) => {
    logger.debug('bad request from client', { err: err.message });
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  return server;
}
