/**
 * A small method + regex router. Paths are matched after the `/v1.xx` prefix is removed;
 * image names may contain slashes, so their routes use greedy captures.
 */
import type { IncomingMessage } from 'node:http';
import type { Reply } from './reply.js';

export interface Ctx {
  req: IncomingMessage;
  params: string[];
  query: URLSearchParams;
  /** The API version of the request (from the path, else the current one). */
  version: string;
  /** Aborts when the client goes away. */
  signal: AbortSignal;
  /** The parsed JSON body (undefined when empty); 400 on invalid JSON. */
  body(): Promise<unknown>;
  /** The raw body as a stream (image load/import). */
  raw(): NodeJS.ReadableStream;
  reply: Reply;
}

export type Handler = (ctx: Ctx) => Promise<void>;

interface Route {
  method: string;
  re: RegExp;
  handler: Handler;
}

export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, handler: Handler): this {
    // `{name}` matches one segment; `{name*}` matches the rest, slashes included
    const src = pattern.replace(/\{\w+\*\}/g, '(.+)').replace(/\{\w+\}/g, '([^/]+)');
    this.routes.push({ method, re: new RegExp(`^${src}$`), handler });
    return this;
  }

  /** The handler and decoded params for a request, or 'no-route' / 'bad-method'. */
  match(method: string, path: string): { handler: Handler; params: string[] } | 'no-route' {
    const m = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    for (const r of this.routes) {
      if (!m.includes(r.method)) continue;
      const found = r.re.exec(path);
      if (found) return { handler: r.handler, params: found.slice(1).map((p) => decodeURIComponent(p)) };
    }
    return 'no-route';
  }
}
