import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { jsonObjects } from './json-objects.js';

async function all(chunks: string[]): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const v of jsonObjects(Readable.from(chunks.map((c) => Buffer.from(c))))) out.push(v);
  return out;
}

test('objects split across chunks, newline-separated or concatenated; braces inside strings', async () => {
  assert.deepEqual(await all(['{"a":1', ',"b":{"c":[1,2]}}\n{"s":"}{\\"x"}', '{"n":null}\n']), [
    { a: 1, b: { c: [1, 2] } }, { s: '}{"x' }, { n: null },
  ]);
});

test('a partial object at the end is dropped; malformed JSON throws', async () => {
  assert.deepEqual(await all(['{"a":1}\n{"b":']), [{ a: 1 }]);
  await assert.rejects(all(['{"a":x}\n']), SyntaxError);
});
