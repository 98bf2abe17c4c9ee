import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable, Writable } from 'node:stream';
import { encodeFrame } from '../protocol/framing.js';
import { demux, jsonLines, SystemError } from './streams.js';
import { encodeQuery } from './transport.js';
import { parseHost } from './host.js';
import { apiErrorFromBody } from './errors.js';

function sink(): { w: Writable; data: () => Buffer } {
  const chunks: Buffer[] = [];
  const w = new Writable({ write(c: Buffer, _e, cb) { chunks.push(c); cb(); } });
  return { w, data: () => Buffer.concat(chunks) };
}

test('demux splits stdout/stderr byte-exact across chunk boundaries', async () => {
  const bin = Buffer.from([0, 1, 2, 255, 10]);
  const wire = Buffer.concat([encodeFrame(1, Buffer.from('out')), encodeFrame(2, Buffer.from('err')), encodeFrame(1, bin), encodeFrame(0, Buffer.from('in'))]);
  const chunks = [...wire].map((b) => Buffer.from([b])); // one byte at a time
  const out = sink();
  const err = sink();
  await demux(Readable.from(chunks), { stdout: out.w, stderr: err.w });
  assert.deepEqual(out.data(), Buffer.concat([Buffer.from('out'), bin, Buffer.from('in')]));
  assert.equal(err.data().toString(), 'err');
});

test('demux raises Systemerr frames', async () => {
  await assert.rejects(demux(Readable.from([encodeFrame(3, Buffer.from('boom'))]), { stdout: null, stderr: null }), new SystemError('boom'));
});

test('jsonLines parses split lines and a trailing object', async () => {
  const p = new PassThrough();
  p.end('{"status":"a"}\n{"stat' + 'us":"b"}\n{"stream":"c"}');
  const got = [];
  for await (const m of jsonLines(p)) got.push(m);
  assert.deepEqual(got, [{ status: 'a' }, { status: 'b' }, { stream: 'c' }]);
});

test('query encoding, repeated keys', () => {
  assert.equal(encodeQuery({ a: '1', b: undefined, c: ['x y', 'z'], d: 5 }), '?a=1&c=x%20y&c=z&d=5');
  assert.equal(encodeQuery({}), '');
});

test('hosts', () => {
  assert.deepEqual(parseHost(undefined), { kind: 'unix', socketPath: '/run/berth/berth.sock', url: 'unix:///run/berth/berth.sock' });
  assert.deepEqual(parseHost('tcp://127.0.0.1:2375'), { kind: 'tcp', hostname: '127.0.0.1', port: 2375, url: 'tcp://127.0.0.1:2375' });
  assert.throws(() => parseHost('ftp://x'));
});

test('API errors take the message of the body', () => {
  const e = apiErrorFromBody(404, '{"message":"No such container: x"}');
  assert.equal(e.status, 404);
  assert.equal(e.message, 'No such container: x');
  assert.equal(apiErrorFromBody(500, 'plain\n').message, 'plain');
});
