import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type Client } from '../../client/index.js';
import type { CommandDef, Ctx } from '../command.js';
import { parseFlags } from '../flags.js';
import { pause, unpause } from './pause.js';

interface Fake {
  ctx: Ctx;
  out: () => string;
  calls: Array<[string, ...unknown[]]>;
}

/** A Ctx whose client knows the containers `known` (404 otherwise) and records the calls. */
function fake(known: string[]): Fake {
  let out = '';
  const calls: Fake['calls'] = [];
  const check = (id: string): void => {
    if (!known.includes(id)) throw new ApiError(404, `No such container: ${id}`);
  };
  const client = {
    containerPause: async (id: string) => { calls.push(['pause', id]); check(id); },
    containerUnpause: async (id: string) => { calls.push(['unpause', id]); check(id); },
  };
  const ctx = { env: {}, client: () => client as unknown as Client, out: (t: string) => { out += t; }, err: () => undefined } as unknown as Ctx;
  return { ctx, out: () => out, calls };
}

const run = (cmd: CommandDef, f: Fake, args: string[]): Promise<number> => {
  const p = parseFlags(args, cmd.flags);
  return cmd.run(f.ctx, p, p.positionals);
};

test('pause/unpause: names in argument order, errors at the end', async () => {
  const f = fake(['a', 'b']);
  assert.equal(await run(pause, f, ['a', 'b']), 0);
  await assert.rejects(run(unpause, f, ['x', 'a']), { message: 'Error response from daemon: No such container: x' });
  assert.equal(f.out(), 'a\nb\na\n');
  assert.deepEqual(f.calls, [['pause', 'a'], ['pause', 'b'], ['unpause', 'x'], ['unpause', 'a']]);
});
