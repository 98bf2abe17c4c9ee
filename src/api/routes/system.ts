/** /_ping, /version, /info */
import type { Router } from '../router.js';

export interface SystemInfo {
  info(): Promise<Record<string, unknown>>;
  version(): Record<string, unknown>;
}

export function systemRoutes(r: Router, sys: SystemInfo): void {
  const ping = async (ctx: Parameters<Parameters<Router['add']>[2]>[0]): Promise<void> => {
    const headers = { 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache', 'Builder-Version': '1' };
    // HEAD and GET answer "OK" with the version headers the CLI negotiates from
    const res = ctx.reply.stream('text/plain; charset=utf-8', headers);
    if (ctx.req.method !== 'HEAD') res.write('OK');
    res.end();
  };
  r.add('GET', '/_ping', ping);
  r.add('HEAD', '/_ping', ping);
  r.add('GET', '/version', async (ctx) => ctx.reply.json(200, sys.version()));
  r.add('GET', '/info', async (ctx) => ctx.reply.json(200, await sys.info()));
}
