import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { Client, Filters } from '../../client/index.js';
import type { CommandDef, Ctx } from '../command.js';
import { parseFlags } from '../flags.js';
import { builderPrune, systemPrune } from './system-prune.js';

/** A Ctx whose client answers every prune with `deleted` (empty: nothing) and records the calls in order. */
function fake(stdin?: string, deleted = true) {
  let out = '';
  let err = '';
  const calls: Array<[string, unknown]> = [];
  const client = {
    containersPrune: async (f?: Filters) => { calls.push(['containers', f]); return { ContainersDeleted: deleted ? ['c1'] : null, SpaceReclaimed: deleted ? 1000 : 0 }; },
    volumesPrune: async (f?: Filters) => { calls.push(['volumes', f]); return { VolumesDeleted: deleted ? ['v1'] : null, SpaceReclaimed: deleted ? 2000 : 0 }; },
    imagesPrune: async (f?: Filters) => {
      calls.push(['images', f]);
      return { ImagesDeleted: deleted ? [{ Untagged: 'x:latest' }, { Deleted: 'sha256:ab' }] : null, SpaceReclaimed: deleted ? 3000 : 0 };
    },
    buildCachePrune: async (o?: unknown) => { calls.push(['build', o]); return { CachesDeleted: deleted ? ['k1', 'k2'] : null, SpaceReclaimed: deleted ? 307_200 : 0 }; },
    transport: { json: async (r: { path: string; query?: unknown }) => { calls.push(['networks', r.query]); return { NetworksDeleted: deleted ? ['n1'] : null }; } },
  };
  const input = new PassThrough();
  if (stdin !== undefined) input.end(stdin);
  const ctx = { stdin: input, env: {}, client: () => client as unknown as Client, out: (t: string) => { out += t; }, err: (t: string) => { err += t; } } as unknown as Ctx;
  return { ctx, out: () => out, err: () => err, calls };
}

const run = (cmd: CommandDef, f: ReturnType<typeof fake>, args: string[]) => {
  const p = parseFlags(args, cmd.flags);
  return cmd.run(f.ctx, p, p.positionals);
};

test('builder prune: the one-line prompt, the deleted ids and the total with four digits, as docker 28', async () => {
  const yes = fake('y\n');
  assert.equal(await run(builderPrune, yes, []), 0);
  assert.equal(yes.out(), 'WARNING! This will remove all dangling build cache. Are you sure you want to continue? [y/N] '
    + 'Deleted build cache objects:\nk1\nk2\n\nTotal reclaimed space: 307.2kB\n');
  assert.deepEqual(yes.calls, [['build', { all: false, filters: {} }]]);
  const no = fake('n\n');
  assert.equal(await run(builderPrune, no, ['-a']), 0);
  assert.equal(no.out(), 'WARNING! This will remove all build cache. Are you sure you want to continue? [y/N] ');
  assert.deepEqual(no.calls, []);
  const none = fake(undefined, false);
  await run(builderPrune, none, ['-af', '--filter', 'until=24h']);
  assert.deepEqual(none.calls, [['build', { all: true, filters: { until: ['24h'] } }]]);
  assert.equal(none.out(), 'Total reclaimed space: 0B\n');
});

test('system prune: the prompt with its filters, the prunes in docker\'s order, each section and one total', async () => {
  const no = fake('n\n');
  assert.equal(await run(systemPrune, no, ['--volumes', '--filter', 'label=a', '--filter', 'label!=b']), 0);
  assert.equal(no.out(), 'WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n'
    + '  - all anonymous volumes not used by at least one container\n  - all dangling images\n  - unused build cache\n\n'
    + '  Items to be pruned will be filtered with:\n  - label!=b\n  - label=a\n\nAre you sure you want to continue? [y/N] ');
  assert.deepEqual(no.calls, []);

  const yes = fake(undefined);
  assert.equal(await run(systemPrune, yes, ['-af', '--volumes']), 0);
  assert.deepEqual(yes.calls.map(([k]) => k), ['containers', 'networks', 'volumes', 'images', 'build']);
  assert.deepEqual(yes.calls[3], ['images', { dangling: ['false'] }]);
  assert.deepEqual(yes.calls[4], ['build', { all: true, filters: {} }]);
  assert.equal(yes.out(), 'Deleted Containers:\nc1\n\nDeleted Networks:\nn1\n\nDeleted Volumes:\nv1\n\n'
    + 'Deleted Images:\nuntagged: x:latest\ndeleted: sha256:ab\n\nDeleted build cache objects:\nk1\nk2\n\nTotal reclaimed space: 313.2kB\n');

  const empty = fake(undefined, false);
  await run(systemPrune, empty, ['-f']);
  assert.deepEqual(empty.calls.map(([k]) => k), ['containers', 'networks', 'images', 'build']);
  assert.equal(empty.out(), 'Total reclaimed space: 0B\n');

  const until = fake(undefined);
  assert.equal(await run(systemPrune, until, ['-f', '--volumes', '--filter', 'until=1h']), 1);
  assert.equal(until.err(), 'ERROR: The "until" filter is not supported with "--volumes"\n');
  assert.deepEqual(until.calls, []);
});
