import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NetnsPool, poolPrefix } from './netns.js';
import type { CommandRunner } from './netavark.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } } as never;

function fakeRunner(): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    run: async (file, args) => {
      calls.push([file, ...args].join(' '));
      return { code: 0, stdout: '', stderr: '' };
    },
  };
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition never held');
}

test('poolPrefix: one per exec dir, stable', () => {
  assert.equal(poolPrefix('/run/berth/network'), poolPrefix('/run/berth/network'));
  assert.notEqual(poolPrefix('/run/berth/network'), poolPrefix('/tmp/other/network'));
  assert.match(poolPrefix('/run/berth/network'), /^berth-pool-[0-9a-f]{10}-$/);
});

test('NetnsPool: the first start makes its own namespace, later ones take spares made after it; close deletes the spares', async () => {
  const runner = fakeRunner();
  const pool = new NetnsPool(runner, 'berth-pool-test-', quiet, 2, () => true);
  assert.equal(await pool.take('berth-c1'), '/run/netns/berth-c1');
  assert.deepEqual(runner.calls, ['ip netns add berth-c1']);
  // two spares follow, a little later
  await until(() => runner.calls.length === 3);
  const spares = runner.calls.slice(1).map((c) => c.split(' ').pop()!);
  assert.ok(spares.every((n) => n.startsWith('berth-pool-test-')));
  const taken = await pool.take('berth-c2');
  assert.equal(taken, `/run/netns/${spares[0]}`);
  assert.ok(!runner.calls.includes('ip netns add berth-c2'), 'a spare was there: nothing made for the start');
  await until(() => runner.calls.length === 4); // the replacement
  await pool.close();
  const deleted = runner.calls.filter((c) => c.startsWith('ip netns delete')).map((c) => c.split(' ').pop());
  assert.equal(deleted.length, 2);
  assert.ok(!deleted.includes(spares[0]), 'the taken one belongs to its container');
  // closed: no more spares
  assert.equal(await pool.take('berth-c3'), '/run/netns/berth-c3');
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(runner.calls.filter((c) => c.startsWith('ip netns add berth-pool')).length, 3);
});

test('NetnsPool: a spare deleted behind its back is skipped, not handed out', async () => {
  const runner = fakeRunner();
  const gone = new Set<string>();
  const pool = new NetnsPool(runner, 'berth-pool-test-', quiet, 2, (p) => !gone.has(p));
  await pool.take('berth-a');
  await until(() => runner.calls.length === 3);
  for (const c of runner.calls.slice(1)) gone.add(`/run/netns/${c.split(' ').pop()}`);
  assert.equal(await pool.take('berth-b'), '/run/netns/berth-b');
  await pool.close();
});
