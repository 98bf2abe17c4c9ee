/**
 * Pull, push and pull back through the real registry client against Debian's docker-registry
 * (no root; 127.0.0.1 only). Skipped when /usr/bin/docker-registry is missing.
 */
import assert from 'node:assert/strict';
import { createReadStream, existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mkimage } from '../../../test/fixtures/image/mkimage.js';
import { openTestStore, type TestStore } from '../../../test/fixtures/image/service.js';
import { REGISTRY_BIN, startRegistry, type TestRegistry } from '../../../test/helpers/registry.js';
import { createRegistryClient } from '../../registry/index.js';

const skip = existsSync(REGISTRY_BIN) ? false : `${REGISTRY_BIN} is not installed`;

describe('push and pull through docker-registry', { skip }, () => {
  let reg: TestRegistry;
  let work: string;
  const stores: TestStore[] = [];
  before(async () => {
    reg = await startRegistry({ mode: 'open' });
    work = await mkdtemp(join(tmpdir(), 'berth-roundtrip-'));
  });
  after(async () => {
    for (const s of stores) await s.cleanup();
    await reg.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('push with berth, delete locally, pull back: same digests and image id', async () => {
    const a = await openTestStore({ registry: createRegistryClient });
    stores.push(a);
    const name = `${reg.host}/berth/busybox:v1`;
    await a.svc.load(createReadStream(await mkimage(work, { format: 'docker', tag: name })));
    const local = await a.svc.get(name);
    await a.svc.push(name);
    const pushed = (await a.svc.get(name)).repoDigests;
    assert.equal(pushed.length, 1);
    const b = await openTestStore({ registry: createRegistryClient });
    stores.push(b);
    assert.equal(await b.svc.pull(name), local.id);
    assert.deepEqual((await b.svc.get(name)).repoDigests, pushed);
    await b.svc.tag(name, `${reg.host}/berth/copy`, 'v1');
    await b.svc.push(`${reg.host}/berth/copy:v1`);
    const digest = pushed[0]!.split('@')[1]!;
    assert.ok((await b.svc.get(`${reg.host}/berth/copy:v1`)).repoDigests.includes(`${reg.host}/berth/copy@${digest}`));
  });
});
