import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { OciSpec } from './oci-types.js';
import { SECCOMP_BPF_ANNOTATION, SeccompBpfCache } from './seccomp-cache.js';

function spec(defaultAction: string): OciSpec {
  return {
    ociVersion: '1.0.2',
    root: { path: 'rootfs' },
    annotations: { 'io.berth.user': '' },
    linux: { seccomp: { defaultAction, syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ALLOW' }] } },
  } as unknown as OciSpec;
}

test('SeccompBpfCache: learns what crun compiled, then hands it back for the same filter only', async () => {
  const root = await mkdtemp(join(tmpdir(), 'berth-bpf-'));
  try {
    const cache = new SeccompBpfCache(root);
    const first = spec('SCMP_ACT_ERRNO');
    const key = cache.apply(first);
    assert.ok(key, 'an unknown filter is to be learnt');
    assert.equal(first.annotations?.[SECCOMP_BPF_ANNOTATION], undefined);

    // nothing in the state dir: nothing learnt
    await cache.learn(key, 'gone');
    assert.equal(cache.size, 0);
    // a file that is not whole instructions is not taken
    await mkdir(join(root, 'odd'));
    await writeFile(join(root, 'odd', 'seccomp.bpf'), Buffer.alloc(13));
    await cache.learn(key, 'odd');
    assert.equal(cache.size, 0);

    const program = Buffer.from('0123456789abcdef');
    await mkdir(join(root, 'c1'));
    await writeFile(join(root, 'c1', 'seccomp.bpf'), program);
    await cache.learn(key, 'c1');
    assert.equal(cache.size, 1);

    const second = spec('SCMP_ACT_ERRNO');
    assert.equal(cache.apply(second), undefined, 'a known filter needs no learning');
    assert.equal(second.annotations?.[SECCOMP_BPF_ANNOTATION], program.toString('base64'));
    assert.equal(second.annotations?.['io.berth.user'], '', 'other annotations are kept');

    const other = spec('SCMP_ACT_KILL');
    assert.ok(cache.apply(other), 'another filter is compiled afresh');
    assert.equal(other.annotations?.[SECCOMP_BPF_ANNOTATION], undefined);

    const none = { ociVersion: '1.0.2', root: { path: 'rootfs' }, linux: {} } as unknown as OciSpec;
    assert.equal(cache.apply(none), undefined, 'unconfined containers carry no program');
    assert.equal(none.annotations, undefined);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
