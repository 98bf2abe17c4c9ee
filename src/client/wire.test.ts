import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHead, serializeRequest, wireRequest } from './wire.js';
import { readText } from './transport.js';

/** A raw server that answers each connection with `reply` (pieces written 5 ms apart) after reading the request head. */
async function rawServer(reply: (req: string, s: Socket) => void): Promise<{ socket: string; requests: string[]; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-wire-'));
  const socket = join(dir, 's.sock');
  const requests: string[] = [];
  const server = createServer({ allowHalfOpen: true }, (s) => {
    let buf = '';
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const len = Number(/content-length: (\d+)/i.exec(buf)?.[1] ?? 0);
      if (buf.length < end + 4 + len) return;
      requests.push(buf);
      buf = '';
      reply(requests.at(-1)!, s);
    });
    s.on('error', () => undefined);
    s.on('end', () => s.end());
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return { socket, requests, done: async () => { await new Promise((r) => server.close(r)); await rm(dir, { recursive: true, force: true }); } };
}

function dribble(s: Socket, pieces: string[], end = true): void {
  let i = 0;
  const next = (): void => {
    if (i < pieces.length) {
      s.write(pieces[i++]!);
      setTimeout(next, 5);
    } else if (end) s.end();
  };
  next();
}

test('wire: serializes the request with Content-Length and Connection: close; rejects header injection', () => {
  const text = serializeRequest({ method: 'POST', path: '/v1.47/containers/create?name=a', headers: { Host: 'api.moby.localhost', 'Content-Type': 'application/json' }, body: '{"Image":"é"}' });
  assert.equal(text, 'POST /v1.47/containers/create?name=a HTTP/1.1\r\nHost: api.moby.localhost\r\nContent-Type: application/json\r\nContent-Length: 14\r\nConnection: close\r\n\r\n{"Image":"é"}');
  assert.throws(() => serializeRequest({ method: 'GET', path: '/', headers: { X: 'a\r\nEvil: 1' } }), /invalid header/);
  assert.deepEqual(parseHead('HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nX: a\r\nx: b'), { status: 200, message: 'OK', headers: { 'api-version': '1.47', x: 'a, b' } });
  assert.equal(parseHead('SSH-2.0 hello'), undefined);
});

test('wire: bodies framed by Content-Length, by chunks split anywhere, and by the end of the connection', async () => {
  const bodies: Record<string, string[]> = {
    '/length': ['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Len', 'gth: 11\r\n\r\n{"a":', '[1,2]}'],
    '/chunked': ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', 'lo\r\n7;ext=1\r\n, world\r', '\n0\r\n', '\r\n'],
    '/close': ['HTTP/1.1 200 OK\r\n\r\nuntil ', 'the end'],
  };
  const srv = await rawServer((req, s) => dribble(s, bodies[req.split(' ')[1]!]!));
  try {
    for (const [path, want] of [['/length', '{"a":[1,2]}'], ['/chunked', 'hello, world'], ['/close', 'until the end']] as const) {
      const r = await wireRequest(srv.socket, { method: 'GET', path, headers: { Host: 'x' } });
      assert.equal(r.kind, 'response');
      assert.equal(r.res.statusCode, 200);
      assert.equal(await readText(r.res), want, path);
    }
    assert.equal(srv.requests.length, 3);
  } finally {
    await srv.done();
  }
});

test('wire: HEAD and 204 have no body even when the connection stays open', async () => {
  const srv = await rawServer((req, s) => {
    if (req.startsWith('HEAD')) s.write('HTTP/1.1 200 OK\r\nApi-Version: 1.47\r\nContent-Length: 2\r\n\r\n');
    else s.write('HTTP/1.1 204 No Content\r\n\r\n');
  });
  try {
    const head = await wireRequest(srv.socket, { method: 'HEAD', path: '/_ping', headers: {} });
    assert.equal(head.res.headers['api-version'], '1.47');
    assert.equal(await readText(head.res), '');
    const started = await wireRequest(srv.socket, { method: 'POST', path: '/start', headers: {} });
    assert.equal(started.res.statusCode, 204);
    assert.equal(await readText(started.res), '');
  } finally {
    await srv.done();
  }
});

test('wire: 101 hands over the socket with the bytes read past the headers; errors and early ends are reported', async () => {
  const srv = await rawServer((req, s) => {
    const path = req.split(' ')[1];
    if (path === '/attach') {
      s.write('HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nfirst');
      s.on('data', (d: Buffer) => s.end(`echo:${d.toString()}`));
    } else if (path === '/cut') s.end('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort');
    else s.end('HTTP/1.1 200 OK\r\nContent-Le');
  });
  try {
    const up = await wireRequest(srv.socket, { method: 'POST', path: '/attach', headers: { Connection: 'Upgrade', Upgrade: 'tcp' } });
    assert.equal(up.kind, 'upgrade');
    if (up.kind !== 'upgrade') return;
    assert.equal(up.head.toString(), 'first');
    up.socket.write('hi');
    assert.equal(await readText(up.socket), 'echo:hi');

    const cut = await wireRequest(srv.socket, { method: 'GET', path: '/cut', headers: {} });
    await assert.rejects(readText(cut.res), /closed the connection in the middle/);
    await assert.rejects(wireRequest(srv.socket, { method: 'GET', path: '/head-cut', headers: {} }), /socket hang up/);
    await assert.rejects(wireRequest(join(srv.socket, 'nope'), { method: 'GET', path: '/', headers: {} }), (e: NodeJS.ErrnoException) => e.code === 'ENOENT' || e.code === 'ENOTDIR');
  } finally {
    await srv.done();
  }
});

test('wire: aborting stops a streamed body', async () => {
  const srv = await rawServer((_req, s) => {
    s.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n');
    const t = setInterval(() => s.write('3\r\nabc\r\n'), 5);
    s.on('close', () => clearInterval(t));
    s.on('error', () => clearInterval(t));
  });
  try {
    const ac = new AbortController();
    const r = await wireRequest(srv.socket, { method: 'GET', path: '/events', headers: {}, signal: ac.signal });
    let got = '';
    r.res.on('data', (d: Buffer) => {
      got += d.toString();
      if (got.length >= 9) ac.abort();
    });
    await assert.rejects(new Promise((resolve, reject) => r.res.on('end', resolve).on('error', reject)), /aborted/);
    assert.match(got, /^(abc)+$/);
  } finally {
    await srv.done();
  }
});
