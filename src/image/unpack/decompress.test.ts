import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { isKind } from '../../core/index.js';
import { DEFAULT_DECOMPRESSORS, decompressStream, sniffCompression, type ExternalCompression } from './decompress.js';

async function collect(r: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of r) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('decompressStream', () => {
  const payload = Buffer.from('ustar-ish payload '.repeat(1000));

  it('sniffs formats by magic bytes', () => {
    assert.equal(sniffCompression(gzipSync(payload)), 'gzip');
    assert.equal(sniffCompression(Buffer.from([0x28, 0xb5, 0x2f, 0xfd])), 'zstd');
    assert.equal(sniffCompression(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])), 'xz');
    assert.equal(sniffCompression(Buffer.from('BZh9')), 'bzip2');
    assert.equal(sniffCompression(payload), 'none');
    assert.equal(sniffCompression(Buffer.alloc(0)), 'none');
  });

  it('passes plain data through and inflates gzip, in small chunks too', async () => {
    assert.deepEqual(await collect(await decompressStream(Readable.from([payload]))), payload);
    const gz = gzipSync(payload);
    const bytes = [...gz].map((b) => Buffer.from([b]));
    assert.deepEqual(await collect(await decompressStream(Readable.from(bytes))), payload);
  });

  it('keeps streams shorter than the magic bytes, and empty ones', async () => {
    assert.deepEqual(await collect(await decompressStream(Readable.from([Buffer.from('ab')]))), Buffer.from('ab'));
    assert.deepEqual(await collect(await decompressStream(Readable.from([], { objectMode: false }))), Buffer.alloc(0));
  });

  it('hands out the source itself for plain data (no stream in between)', async () => {
    const src = Readable.from([payload], { objectMode: false });
    assert.equal(await decompressStream(src), src);
  });

  for (const [name, first] of [['plain', payload], ['gzip', gzipSync(payload).subarray(0, 40)]] as const) {
    it(`reports a source failing right after its first bytes to the consumer (${name}), never as an uncaught error`, async () => {
      // The error arrives before the consumer attaches: it must still fail the consumer's read.
      const src = new Readable({ read() {} });
      src.push(first);
      const plain = await decompressStream(src);
      src.destroy(new Error('connection reset'));
      await new Promise((r) => setImmediate(r));
      await assert.rejects(collect(plain), /connection reset/);
    });
  }

  for (const kind of ['zstd', 'xz', 'bzip2'] as ExternalCompression[]) {
    const tool = DEFAULT_DECOMPRESSORS[kind];
    it(`reads ${kind} through ${tool}`, { skip: !existsSync(tool) && `${tool} missing` }, async () => {
      const packed = execFileSync(tool, ['-c', '-q'], { input: payload });
      assert.deepEqual(await collect(await decompressStream(Readable.from([packed]))), payload);
    });
  }

  it('refuses a format whose tool is missing with invalid-argument', async () => {
    const zstdFrame = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00, 0x00, 0x00]);
    await assert.rejects(
      decompressStream(Readable.from([zstdFrame]), { tools: { zstd: '/nonexistent/zstd' } }),
      (e: Error) => isKind(e, 'invalid-argument') && /zstd/.test(e.message),
    );
  });

  it('fails the stream with invalid-argument on corrupt data', async () => {
    const bad = Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(64, 0xaa)]);
    const tool = DEFAULT_DECOMPRESSORS.zstd;
    if (!existsSync(tool)) return;
    await assert.rejects(collect(await decompressStream(Readable.from([bad]))), (e: Error) => isKind(e, 'invalid-argument'));
    await assert.rejects(collect(await decompressStream(Readable.from([gzipSync(payload).subarray(0, 100)]))));
  });
});
