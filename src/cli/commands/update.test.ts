import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError, type Client } from '../../client/index.js';
import { StatusError, type CommandDef, type Ctx } from '../command.js';
import { FlagError, parseFlags } from '../flags.js';
import { update, updateBody } from './update.js';

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
    containerUpdate: async (id: string, body: unknown) => {
      calls.push(['update', id, body]);
      check(id);
      return { Warnings: id === 'warn' ? ['Your kernel does not support swap limit capabilities'] : null };
    },
  };
  const ctx = { env: {}, client: () => client as unknown as Client, out: (t: string) => { out += t; }, err: () => undefined } as unknown as Ctx;
  return { ctx, out: () => out, calls };
}

const run = (cmd: CommandDef, f: Fake, args: string[]): Promise<number> => {
  const p = parseFlags(args, cmd.flags);
  return cmd.run(f.ctx, p, p.positionals);
};

test('update: body as docker\'s UpdateConfig', () => {
  const b = updateBody(parseFlags(['-m', '256m', '--memory-swap', '-1', '--cpus', '0.5', '--pids-limit', '50', '--restart', 'always', 'c'], update.flags));
  assert.equal(b.Memory, 256 * 1024 ** 2);
  assert.equal(b.MemorySwap, -1);
  assert.equal(b.NanoCpus, 500_000_000);
  assert.equal(b.PidsLimit, 50);
  assert.deepEqual(b.RestartPolicy, { Name: 'always', MaximumRetryCount: 0 });
  assert.equal(b.MemorySwappiness, null);
  assert.equal(b.OomKillDisable, null);
  assert.equal('KernelMemory' in b, false);
  const none = updateBody(parseFlags(['--cpu-shares', '2', 'c'], update.flags));
  assert.equal(none.PidsLimit, null);
  assert.deepEqual(none.RestartPolicy, { Name: '', MaximumRetryCount: 0 });
});

test('update: names printed as given, warnings after, errors joined with exit 1', async () => {
  const f = fake(['a', 'warn']);
  await assert.rejects(run(update, f, ['-m', '64m', 'a', 'nope', 'warn', 'gone']), (e: unknown) => e instanceof StatusError && e.code === 1
    && e.message === 'Error response from daemon: No such container: nope\nError response from daemon: No such container: gone');
  assert.equal(f.out(), 'a\nwarn\nYour kernel does not support swap limit capabilities\n');
  assert.deepEqual(f.calls.map((c) => c[1]), ['a', 'nope', 'warn', 'gone']);
});

test('update: no flag, bad restart, bad size', async () => {
  const f = fake(['a']);
  await assert.rejects(run(update, f, ['a']), { message: 'you must provide one or more flags when using this command' });
  await assert.rejects(run(update, f, ['--restart', ':1', 'a']), { message: 'invalid restart policy format: no policy provided before colon' });
  assert.throws(() => parseFlags(['-m', 'abc', 'a'], update.flags), (e: unknown) => e instanceof FlagError
    && e.message === 'invalid argument "abc" for "-m, --memory" flag: invalid size: \'abc\'');
  assert.equal(f.calls.length, 0);
});
