import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { EngineError, nullLogger } from '../core/index.js';
import type { ContainerRuntime, ExecProcess } from '../runtime/types.js';
import type { Containers } from './containers.js';
import { Execs, KEEP_EXITED_MS } from './execs.js';
import type { ContainerStore } from './store.js';

const CTR = 'c'.repeat(64);

/** Execs over a fake container that always runs, a runtime whose processes exit when told, and a settable clock. */
function setup(opts: { refuse?: boolean } = {}) {
  let now = 1_000_000;
  const exits: Array<(code: number) => void> = [];
  const store = { get: () => ({ id: CTR, config: { Env: [] }, state: { status: 'running' } }) } as unknown as ContainerStore;
  const containers = { isRunning: () => true } as unknown as Containers;
  const runtime = {
    async exec(): Promise<ExecProcess> {
      if (opts.refuse) throw new EngineError('internal', 'runtime refused');
      return {
        pid: 4242, stdin: null, stdout: Readable.from([]), stderr: Readable.from([]),
        exited: new Promise<number>((resolve) => exits.push(resolve)),
      };
    },
  } as unknown as ContainerRuntime;
  const execs = new Execs({ store, containers, runtime, logger: nullLogger, detachKeys: Buffer.from([16, 17]), now: () => now });
  return { execs, exits, advance: (ms: number) => (now += ms) };
}

const settle = () => new Promise((r) => setImmediate(r));

test('an exec is in its container\'s ExecIDs until it exits, then stays inspectable until swept', async () => {
  const { execs, exits, advance } = setup();
  const id = execs.create(CTR, { Cmd: ['true'] });
  assert.deepEqual(execs.idsFor(CTR), [id], 'created, not started');
  await execs.start(id, undefined);
  assert.deepEqual(execs.idsFor(CTR), [id], 'running');
  exits[0]!(3);
  await settle();
  assert.deepEqual(execs.idsFor(CTR), [], 'exited: out of ExecIDs, as in Docker');
  assert.equal(execs.inspect(id).ExitCode, 3);

  advance(KEEP_EXITED_MS - 1);
  execs.sweep();
  assert.equal(execs.inspect(id).Running, false, 'still inspectable before the keep time');
  advance(1);
  execs.sweep();
  assert.throws(() => execs.inspect(id), (e: unknown) => e instanceof EngineError && e.kind === 'not-found');
});

test('a sweep keeps created and running execs however old', async () => {
  const { execs, advance } = setup();
  const created = execs.create(CTR, { Cmd: ['true'] });
  const running = execs.create(CTR, { Cmd: ['sleep', '1'] });
  await execs.start(running, undefined);
  advance(KEEP_EXITED_MS * 10);
  execs.sweep();
  assert.deepEqual(execs.idsFor(CTR).sort(), [created, running].sort());
});

test('an exec the runtime could not start leaves ExecIDs and is swept like an exited one', async () => {
  const { execs, advance } = setup({ refuse: true });
  const id = execs.create(CTR, { Cmd: ['true'] });
  await assert.rejects(execs.start(id, undefined), /runtime refused/);
  assert.deepEqual(execs.idsFor(CTR), []);
  advance(KEEP_EXITED_MS);
  execs.sweep();
  assert.throws(() => execs.get(id));
});
