import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBind, resolveMounts } from './mounts.js';
import { EngineError } from '../core/index.js';

const isInvalid = (e: unknown): boolean => e instanceof EngineError && e.kind === 'invalid-argument';

test('parseBind reads src:dst:ro', () => {
  const b = parseBind('/a:/b:ro');
  assert.equal(b.source, '/a');
  assert.equal(b.destination, '/b');
  assert.equal(b.readonly, true);
});

test('parseBind refuses relative destinations and bad modes', () => {
  assert.throws(() => parseBind('/a:b'), isInvalid);
  assert.throws(() => parseBind('/a:/b:xx'), isInvalid);
  assert.throws(() => parseBind('/a:/'), isInvalid);
});

test('-v creates a missing source; --mount bind refuses it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'berth-mounts-'));
  try {
    const missing = join(dir, 'new');
    await resolveMounts({ Binds: [`${missing}:/data`] });
    assert.ok((await stat(missing)).isDirectory());
    await assert.rejects(
      resolveMounts({ Mounts: [{ Type: 'bind', Source: join(dir, 'nope'), Target: '/x' }] }),
      (e: unknown) => isInvalid(e) && /bind source path does not exist/.test((e as Error).message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('tmpfs from Mounts and Tmpfs get Docker default options; duplicates refused', async () => {
  const r = await resolveMounts({ Mounts: [{ Type: 'tmpfs', Target: '/t', TmpfsOptions: { SizeBytes: 1024 } }], Tmpfs: { '/u': 'exec,size=1m' } });
  assert.deepEqual(r.requests[0], { type: 'tmpfs', destination: '/t', options: ['noexec', 'nosuid', 'nodev', 'size=1024'] });
  assert.deepEqual(r.requests[1], { type: 'tmpfs', destination: '/u', options: ['nosuid', 'nodev', 'exec', 'size=1m'] });
  await assert.rejects(resolveMounts({ Tmpfs: { '/a': '' }, Mounts: [{ Type: 'tmpfs', Target: '/a' }] }), isInvalid);
});
