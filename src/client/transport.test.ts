import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transport } from './transport.js';
import { parseHost } from './host.js';
import { API_VERSION } from '../protocol/version.js';

/** A daemon that speaks API `max` at most, answering as dockerd does; records the paths asked. */
async function fakeDaemon(max: string): Promise<{ server: Server; socket: string; seen: string[]; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-transport-'));
  const socket = join(dir, 'd.sock');
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    if (req.url === '/_ping') {
      res.writeHead(200, { 'Api-Version': max }).end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    const v = /^\/v([\d.]+)\//.exec(req.url ?? '')?.[1];
    if (v !== undefined && Number(v.split('.')[1]) > Number(max.split('.')[1])) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: `client version ${v} is too new. Maximum supported API version is ${max}` }));
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('[]');
  });
  server.on('upgrade', (req, sock) => {
    seen.push(`${req.method} ${req.url} (upgrade)`);
    const v = /^\/v([\d.]+)\//.exec(req.url ?? '')?.[1] ?? max;
    if (Number(v.split('.')[1]) > Number(max.split('.')[1])) {
      const body = JSON.stringify({ message: `client version ${v} is too new. Maximum supported API version is ${max}` });
      sock.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      return;
    }
    sock.end('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nhello');
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return { server, socket, seen, done: async () => { await new Promise((r) => server.close(r)); await rm(dir, { recursive: true, force: true }); } };
}

test('transport: a current daemon gets our version at once, with no ping', async () => {
  const d = await fakeDaemon(API_VERSION);
  try {
    const t = new Transport(parseHost(`unix://${d.socket}`));
    assert.deepEqual(await t.json({ method: 'GET', path: '/containers/json' }), []);
    assert.deepEqual(d.seen, [`GET /v${API_VERSION}/containers/json`]);
    t.close();
  } finally {
    await d.done();
  }
});

test('transport: an older daemon that says our version is too new makes it negotiate and resend', async () => {
  const d = await fakeDaemon('1.43');
  try {
    const t = new Transport(parseHost(`unix://${d.socket}`));
    assert.deepEqual(await t.json({ method: 'POST', path: '/containers/create', json: { Image: 'x' } }), []);
    assert.deepEqual(d.seen, [`POST /v${API_VERSION}/containers/create`, 'HEAD /_ping', 'POST /v1.43/containers/create']);
    // negotiated once: later requests (and hijacks) use 1.43 directly
    await t.json({ method: 'GET', path: '/containers/json' });
    const h = await t.hijack({ method: 'POST', path: '/containers/x/attach' });
    h.socket.destroy();
    assert.deepEqual(d.seen.slice(3), ['GET /v1.43/containers/json', 'POST /v1.43/containers/x/attach (upgrade)']);
    t.close();
  } finally {
    await d.done();
  }
});

test('transport: a hijack refused as too new is negotiated and sent again', async () => {
  const d = await fakeDaemon('1.41');
  try {
    const t = new Transport(parseHost(`unix://${d.socket}`));
    const h = await t.hijack({ method: 'POST', path: '/containers/x/attach' });
    assert.equal(h.head.toString() + (await new Promise<string>((r) => h.socket.once('data', (c: Buffer) => r(c.toString())).once('end', () => r('')))), 'hello');
    h.socket.destroy();
    assert.deepEqual(d.seen, [`POST /v${API_VERSION}/containers/x/attach (upgrade)`, 'HEAD /_ping', 'POST /v1.41/containers/x/attach (upgrade)']);
    t.close();
  } finally {
    await d.done();
  }
});

test('transport: other 400s are errors, not a reason to negotiate', async () => {
  const d = await fakeDaemon(API_VERSION);
  d.server.removeAllListeners('request');
  d.server.on('request', (req, res) => {
    d.seen.push(`${req.method} ${req.url}`);
    res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ message: 'invalid reference format' }));
  });
  try {
    const t = new Transport(parseHost(`unix://${d.socket}`));
    await assert.rejects(t.json({ method: 'POST', path: '/containers/create', json: {} }), /invalid reference format/);
    assert.deepEqual(d.seen, [`POST /v${API_VERSION}/containers/create`]);
    t.close();
  } finally {
    await d.done();
  }
});
