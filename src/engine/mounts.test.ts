import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountRequests, parseBind, resolveMounts, type MountContext } from './mounts.js';
import { EngineError } from '../core/index.js';

const isInvalid = (e: unknown): boolean => e instanceof EngineError && e.kind === 'invalid-argument';

/** A fake volume store: records what was asked, names anonymous volumes anon-N. */
function fakeVolumes(): MountContext & { asked: Array<string | undefined> } {
  const asked: Array<string | undefined> = [];
  return {
    asked,
    volumes: {
      ensure: async (name) => {
        asked.push(name);
        const n = name ?? `anon-${asked.length}`;
        return { name: n, mountpoint: `/vols/${n}/_data` };
      },
    },
  };
}

test('parseBind reads src:dst:ro', () => {
  const b = parseBind('/a:/b:ro');
  assert.equal(b.source, '/a');
  assert.equal(b.destination, '/b');
  assert.equal(b.readonly, true);
});

test('parseBind tells binds, named volumes and anonymous volumes apart', () => {
  assert.equal(parseBind('/a:/b').kind, 'bind');
  assert.deepEqual(parseBind('data:/b:ro,nocopy'), {
    kind: 'volume', source: 'data', destination: '/b', readonly: true, propagation: '', mode: 'ro,nocopy', nocopy: true,
  });
  assert.equal(parseBind('data:/b').mode, 'z', 'Docker shows mode "z" for -v volumes');
  assert.equal(parseBind('/only').kind, 'anonymous');
  assert.throws(() => parseBind('data:/b:rshared'), isInvalid, 'propagation is for binds only');
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
    await resolveMounts({ Binds: [`${missing}:/data`] }, fakeVolumes());
    assert.ok((await stat(missing)).isDirectory());
    await assert.rejects(
      resolveMounts({ Mounts: [{ Type: 'bind', Source: join(dir, 'nope'), Target: '/x' }] }, fakeVolumes()),
      (e: unknown) => isInvalid(e) && /bind source path does not exist/.test((e as Error).message),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('tmpfs from Mounts and Tmpfs get Docker default options; duplicates refused', async () => {
  const hc = { Mounts: [{ Type: 'tmpfs' as const, Target: '/t', TmpfsOptions: { SizeBytes: 1024 } }], Tmpfs: { '/u': 'exec,size=1m' } };
  const points = await resolveMounts(hc, fakeVolumes());
  const r = await mountRequests(hc, points);
  assert.deepEqual(r[0], { type: 'tmpfs', destination: '/t', options: ['noexec', 'nosuid', 'nodev', 'size=1024'] });
  assert.deepEqual(r[1], { type: 'tmpfs', destination: '/u', options: ['nosuid', 'nodev', 'exec', 'size=1m'] });
  await assert.rejects(resolveMounts({ Tmpfs: { '/a': '' }, Mounts: [{ Type: 'tmpfs', Target: '/a' }] }, fakeVolumes()), isInvalid);
});

test('volumes: named, anonymous, --mount type=volume, image VOLUMEs and --volumes-from', async () => {
  const ctx = fakeVolumes();
  const points = await resolveMounts({
    Binds: ['data:/data', '/anon'],
    Mounts: [{ Type: 'volume', Source: 'cache', Target: '/cache', ReadOnly: true, VolumeOptions: { NoCopy: true } }],
    VolumesFrom: ['other:ro'],
  }, {
    ...ctx, imageVolumes: { '/data': {}, '/var/lib/app': {} },
    volumesFrom: () => [{ type: 'bind', source: '/srv', destination: '/srv', rw: true, mode: '', propagation: 'rprivate' }],
  });
  assert.deepEqual(ctx.asked, ['data', undefined, 'cache', undefined], 'the image VOLUME at /data is covered by -v');
  assert.deepEqual(points.map((p) => [p.type, p.name ?? p.source, p.destination, p.rw, p.mode, p.copyData]), [
    ['volume', 'data', '/data', true, 'z', true],
    ['volume', 'anon-2', '/anon', true, '', true],
    ['volume', 'cache', '/cache', false, '', false],
    ['bind', '/srv', '/srv', false, '', false],
    ['volume', 'anon-4', '/var/lib/app', true, '', true],
  ]);
  const req = await mountRequests({}, points);
  assert.deepEqual(req[0], { type: 'bind', source: '/vols/data/_data', destination: '/data', readonly: false, propagation: 'rprivate' });
  assert.equal(req.length, 5);
});
