import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nullLogger } from '../core/index.js';
import type { ContainerRuntime, ExitStatus } from '../runtime/types.js';
import { adoptContainers } from './adopt.js';
import type { Containers } from './containers.js';
import { initialState, type ContainerRecord } from './record.js';
import type { ContainerStore } from './store.js';

/** A record as far as adoption looks at it. */
function record(id: string, status: ContainerRecord['state']['status']): ContainerRecord {
  return { id, name: id, state: { ...initialState(), status }, hasBeenStarted: false } as unknown as ContainerRecord;
}

function fakes(recs: ContainerRecord[], rt: { started: Set<string>; alive: Set<string>; exits: Map<string, ExitStatus> }) {
  const saved: string[] = [];
  const watched: string[] = [];
  const exited: Array<[string, number]> = [];
  const store = {
    orphans: () => [],
    all: () => recs,
    save: (r: ContainerRecord) => { saved.push(`${r.id}:${r.state.status}`); return Promise.resolve(); },
  } as unknown as ContainerStore;
  const runtime = {
    hasStarted: (id: string) => Promise.resolve(rt.started.has(id)),
    isMonitorAlive: (id: string) => Promise.resolve(rt.alive.has(id)),
    pid: (id: string) => Promise.resolve(rt.alive.has(id) ? 4242 : undefined),
    exitStatus: (id: string) => Promise.resolve(rt.exits.get(id)),
    cleanup: () => Promise.resolve(),
  } as unknown as ContainerRuntime;
  const containers = {
    isRunning: (r: ContainerRecord) => r.state.status === 'running',
    watchExit: (id: string) => void watched.push(id),
    handleExit: (id: string, st: ExitStatus) => { exited.push([id, st.exitCode]); return Promise.resolve(); },
  } as unknown as Containers;
  return { store, runtime, containers, saved, watched, exited };
}

test('adopt: a container started just before the daemon died, with its record still "created"', async () => {
  const recs = [record('up', 'created'), record('gone', 'created'), record('never', 'created')];
  const f = fakes(recs, {
    started: new Set(['up', 'gone']),
    alive: new Set(['up']),
    exits: new Map([['gone', { exitCode: 3, oomKilled: false } as ExitStatus]]),
  });
  const counts = await adoptContainers({ store: f.store, runtime: f.runtime, containers: f.containers, logger: nullLogger });
  // still running: adopted as running, its exit watched, its pid known
  assert.equal(recs[0]!.state.status, 'running');
  assert.equal(recs[0]!.state.pid, 4242);
  assert.equal(recs[0]!.hasBeenStarted, true);
  assert.deepEqual(f.watched, ['up']);
  // exited while the daemon was down: its exit code is recorded
  assert.deepEqual(f.exited, [['gone', 3]]);
  // created and never started: left alone
  assert.equal(recs[2]!.state.status, 'created');
  assert.deepEqual(counts, { adopted: 1, exited: 1, dead: 0 });
  assert.ok(f.saved.includes('up:running'));
});
