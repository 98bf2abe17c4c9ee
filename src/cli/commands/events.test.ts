import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import type { Client, EventsOptions } from '../../client/index.js';
import { StatusError, type Ctx } from '../command.js';
import { parseFlags } from '../flags.js';
import { events } from './events.js';

interface Fake {
  ctx: Ctx;
  out: () => string;
  calls: EventsOptions[];
}

/** A Ctx whose client streams `lines` from GET /events and records the options. */
function fake(lines: string[] = []): Fake {
  let out = '';
  const calls: EventsOptions[] = [];
  const client = {
    events: async (opts: EventsOptions) => {
      const { signal: _signal, ...rest } = opts;
      calls.push(rest);
      return Readable.from(lines.map((l) => Buffer.from(`${l}\n`)));
    },
  };
  const ctx = { env: {}, client: () => client as unknown as Client, out: (t: string) => { out += t; }, err: () => undefined } as unknown as Ctx;
  return { ctx, out: () => out, calls };
}

const run = (f: Fake, args: string[]): Promise<number> => {
  const p = parseFlags(args, events.flags);
  return events.run(f.ctx, p, p.positionals);
};

test('events: default lines, filters normalised, since converted, stream end exits 0', async () => {
  const f = fake([
    '{"Type":"container","Action":"start","Actor":{"ID":"c1","Attributes":{"name":"web","image":"busybox"}},"time":1,"timeNano":1000000001}',
  ]);
  assert.equal(await run(f, ['-f', ' Type = container ', '--filter', 'event=start', '--since', '1700000000', '--format', '{{.Action}} {{.Actor.Attributes.name}}']), 0);
  assert.equal(f.out(), 'start web\n');
  assert.deepEqual(f.calls, [{ filters: { type: ['container'], event: ['start'] }, since: '1700000000' }]);
});

test('events: bad filter is a flag error, bad format exits 64, bad time fails', async () => {
  assert.throws(() => parseFlags(['-f', 'nope'], events.flags), { message: 'invalid argument "nope" for "-f, --filter" flag: bad format of filter (expected name=value)' });
  await assert.rejects(run(fake(), ['--format', '{{.Nope}}']), (e: unknown) => e instanceof StatusError && e.code === 64
    && e.message.startsWith('Error parsing format: template: :1:2: executing "" at <.Nope>'));
  await assert.rejects(run(fake(), ['--since', 'yesterday']), { message: 'failed to parse value as time or duration: "yesterday"' });
});

test('events: the default line, one per message', async () => {
  const f = fake([
    '{"Type":"network","Action":"create","Actor":{"ID":"n1","Attributes":{"type":"bridge","name":"evnet"}},"time":1,"timeNano":1000000001}',
    '{"Type":"volume","Action":"destroy","Actor":{"ID":"v1","Attributes":{"driver":"local"}},"time":2,"timeNano":2000000002}',
  ]);
  assert.equal(await run(f, []), 0);
  const lines = f.out().split('\n');
  assert.match(lines[0]!, /^1970-01-01T\d\d:\d\d:01\.000000001(Z|[+-]\d\d:\d\d) network create n1 \(name=evnet, type=bridge\)$/);
  assert.match(lines[1]!, / volume destroy v1 \(driver=local\)$/);
  assert.equal(lines.length, 3);
});

test('events: SIGINT ends the stream with exit 0', async () => {
  const body = new PassThrough();
  const client = {
    events: async (opts: EventsOptions) => {
      opts.signal?.addEventListener('abort', () => body.destroy(new Error('aborted')));
      return body;
    },
  };
  const ctx = { env: {}, client: () => client as unknown as Client, out: () => undefined, err: () => undefined } as unknown as Ctx;
  const done = events.run(ctx, parseFlags([], events.flags), []);
  await new Promise((r) => setImmediate(r));
  process.emit('SIGINT');
  assert.equal(await done, 0);
  assert.equal(process.listenerCount('SIGINT'), 0);
});
