import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ApiError, type Client, type Filters, type Volume } from '../../client/index.js';
import { StatusError, type CommandDef, type Ctx } from '../command.js';
import { FlagError, parseFlags } from '../flags.js';
import { goMarshal, goVolume, volumeCreate, volumeCreateBody, volumeInspect, volumePrune, volumeRm } from './volume.js';
import { volumeFormat, volumeLs, volumeRow } from './volume-ls.js';
import { inspect } from './inspect.js';

const vol = (name: string, extra: Partial<Volume> = {}): Volume => ({
  Driver: 'local', Labels: null, Mountpoint: `/var/lib/berth/volumes/${name}/_data`, Name: name, Options: null, Scope: 'local', ...extra,
});

interface Fake {
  ctx: Ctx;
  out: () => string;
  err: () => string;
  calls: Array<[string, ...unknown[]]>;
}

/** A Ctx whose client answers from `volumes` (404 "get x: no such volume" otherwise) and records calls. */
function fake(volumes: Volume[], opts: { stdin?: string; prune?: { VolumesDeleted: string[] | null; SpaceReclaimed: number } } = {}): Fake {
  let out = '';
  let err = '';
  const calls: Fake['calls'] = [];
  const find = (name: string): Volume => {
    const v = volumes.find((x) => x.Name === name);
    if (v === undefined) throw new ApiError(404, `get ${name}: no such volume`);
    return v;
  };
  const client = {
    volumeCreate: async (body: unknown) => { calls.push(['create', body]); return vol((body as { Name?: string }).Name ?? 'f00d'); },
    volumeList: async (filters?: Filters) => { calls.push(['list', filters]); return { Volumes: volumes, Warnings: null }; },
    volumeInspect: async (name: string) => { calls.push(['inspect', name]); return find(name); },
    volumeRemove: async (name: string, o?: { force?: boolean }) => { calls.push(['rm', name, o]); find(name); },
    volumesPrune: async (filters?: Filters) => { calls.push(['prune', filters]); return opts.prune ?? { VolumesDeleted: null, SpaceReclaimed: 0 }; },
    containerInspect: async (name: string) => { throw new ApiError(404, `No such container: ${name}`); },
    imageInspectRaw: async (name: string) => { throw new ApiError(404, `No such image: ${name}`); },
    transport: { json: async () => { throw new ApiError(404, 'network x not found'); } },
  };
  const stdin = new PassThrough();
  if (opts.stdin !== undefined) stdin.end(opts.stdin);
  const ctx = {
    stdin, env: {}, client: () => client as unknown as Client,
    out: (t: string) => { out += t; }, err: (t: string) => { err += t; },
  } as unknown as Ctx;
  return { ctx, out: () => out, err: () => err, calls };
}

const run = (cmd: CommandDef, f: Fake, args: string[]) => {
  const p = parseFlags(args, cmd.flags);
  return cmd.run(f.ctx, p, p.positionals);
};

test('volume create: the body docker sends, name from the argument or --name', () => {
  const body = (args: string[]) => {
    const p = parseFlags(args, volumeCreate.flags);
    return volumeCreateBody(p, p.positionals);
  };
  assert.deepEqual(body([]), { Driver: 'local' });
  assert.deepEqual(body(['-d', 'local', '-o', 'type=tmpfs', '--opt', 'device=tmpfs', '-o', 'o=size=1m,uid=1000', '--label', 'a=b', '--label', 'c', 'v1']), {
    Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs', o: 'size=1m,uid=1000' }, Labels: { a: 'b', c: '' }, Name: 'v1',
  });
  assert.deepEqual(body(['--name', 'n']), { Driver: 'local', Name: 'n' });
  assert.throws(() => body(['--name', 'n', 'v']), { message: 'conflicting options: cannot specify a volume-name through both --name and as a positional arg' });
  assert.throws(() => body(['--label', '=x']), (e: unknown) => e instanceof FlagError && e.message === `invalid argument "=x" for "--label" flag: invalid label '=x': empty name`);
});

test('volume create prints the name the daemon answers', async () => {
  const f = fake([]);
  assert.equal(await run(volumeCreate, f, ['data']), 0);
  assert.equal(f.out(), 'data\n');
  const anon = fake([]);
  await run(volumeCreate, anon, []);
  assert.equal(anon.out(), 'f00d\n');
});

test('volume ls: DRIVER / VOLUME NAME table, natural sort, -q, formats, filters', async () => {
  const f = fake([vol('v10'), vol('v2'), vol('a', { Labels: { z: '1', b: '2' } })]);
  await run(volumeLs, f, ['-f', 'dangling=true', '--filter', 'label=x']);
  assert.equal(f.out(), 'DRIVER    VOLUME NAME\nlocal     a\nlocal     v2\nlocal     v10\n');
  assert.deepEqual(f.calls[0], ['list', { dangling: ['true'], label: ['x'] }]);
  const q = fake([vol('b'), vol('a')]);
  await run(volumeLs, q, ['-q']);
  assert.equal(q.out(), 'a\nb\n');
  const empty = fake([]);
  await run(volumeLs, empty, []);
  assert.equal(empty.out(), 'DRIVER    VOLUME NAME\n');
  const j = fake([vol('a')]);
  await run(volumeLs, j, ['--format', 'json']);
  assert.equal(j.out(), `{"Availability":"N/A","Driver":"local","Group":"N/A","Labels":"","Links":"N/A","Mountpoint":"/var/lib/berth/volumes/a/_data","Name":"a","Scope":"local","Size":"N/A","Status":"N/A"}\n`);
  assert.equal(volumeFormat('table', true), '{{.Name}}');
  assert.equal(volumeFormat('{{.Name}}', true), '{{.Name}}');
  const row = volumeRow(vol('x', { Labels: { z: '1', b: '2' }, UsageData: { RefCount: 2, Size: 1_500_000 } }));
  assert.equal(row['Labels'], 'b=2,z=1');
  assert.equal(row['Links'], '2');
  assert.equal(row['Size'], '1.5MB');
  await assert.rejects(run(volumeLs, fake([]), ['-f', 'dangling']), (e: unknown) => e instanceof FlagError && /for "-f, --filter" flag: bad format of filter/.test(e.message));
});

test('volume inspect: Go struct order and omitempty, 4-space indent; errors as docker', async () => {
  const v = vol('data', { CreatedAt: '2024-05-01T10:00:00Z', Labels: { 'b<': '1', a: '2' }, Options: {} });
  assert.deepEqual(Object.keys(goVolume(v)), ['CreatedAt', 'Driver', 'Labels', 'Mountpoint', 'Name', 'Options', 'Scope']);
  const f = fake([v]);
  await run(volumeInspect, f, ['data']);
  assert.equal(f.out(), `[
    {
        "CreatedAt": "2024-05-01T10:00:00Z",
        "Driver": "local",
        "Labels": {
            "a": "2",
            "b\\u003c": "1"
        },
        "Mountpoint": "/var/lib/berth/volumes/data/_data",
        "Name": "data",
        "Options": {},
        "Scope": "local"
    }
]
`);
  const miss = fake([vol('a')]);
  await assert.rejects(run(volumeInspect, miss, ['a', 'nope', '']), (e: unknown) =>
    e instanceof StatusError && e.code === 1 && e.message === 'Error response from daemon: get nope: no such volume\nError response from daemon: get : no such volume');
  assert.match(miss.out(), /^\[\n {4}\{\n/);
  const none = fake([]);
  await assert.rejects(run(volumeInspect, none, ['x']));
  assert.equal(none.out(), '[]\n');
  assert.equal(goMarshal([{ Name: 'a', Labels: { '10': 'x', '9': 'y' } }], ''), '[{"Name":"a","Labels":{"10":"x","9":"y"}}]');
});

test('volume inspect -f: templates on the typed volume; nothing found prints an empty line', async () => {
  const f = fake([vol('a', { Labels: { k: 'v' } })]);
  await run(volumeInspect, f, ['-f', '{{.Name}} {{.Labels}} {{if .UsageData}}u{{else}}-{{end}} {{json .}}', 'a']);
  assert.equal(f.out(), 'a map[k:v] - {"Driver":"local","Labels":{"k":"v"},"Mountpoint":"/var/lib/berth/volumes/a/_data","Name":"a","Options":null,"Scope":"local"}\n');
  const j = fake([vol('a')]);
  await run(volumeInspect, j, ['-f', 'json', 'a']);
  assert.equal(j.out(), '[{"Driver":"local","Labels":null,"Mountpoint":"/var/lib/berth/volumes/a/_data","Name":"a","Options":null,"Scope":"local"}]\n');
  const none = fake([]);
  await assert.rejects(run(volumeInspect, none, ['-f', '{{.Name}}', 'x']));
  assert.equal(none.out(), '\n');
  await assert.rejects(run(volumeInspect, fake([]), ['-f', '{{.Name', 'x']), (e: unknown) => e instanceof StatusError && e.code === 64 && e.message.startsWith('template parsing error: template: '));
});

test('volume rm: names printed, errors joined at the end, -f sends force', async () => {
  const f = fake([vol('a'), vol('b')]);
  await assert.rejects(run(volumeRm, f, ['-f', 'a', 'gone', 'b']), (e: unknown) =>
    e instanceof StatusError && e.code === 1 && e.message === 'Error response from daemon: get gone: no such volume');
  assert.equal(f.out(), 'a\nb\n');
  assert.deepEqual(f.calls[0], ['rm', 'a', { force: true }]);
  const ok = fake([vol('a')]);
  assert.equal(await run(volumeRm, ok, ['a']), 0);
});

test('volume prune: prompt, --all filter, output and reclaimed space', async () => {
  const prune = { VolumesDeleted: ['v1', 'v2'], SpaceReclaimed: 2_048_000 };
  const yes = fake([], { stdin: 'y\n', prune });
  await run(volumePrune, yes, []);
  assert.equal(yes.out(), 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] '
    + 'Deleted Volumes:\nv1\nv2\n\nTotal reclaimed space: 2.048MB\n');
  assert.deepEqual(yes.calls[0], ['prune', {}]);
  const no = fake([], { stdin: 'n\n', prune });
  assert.equal(await run(volumePrune, no, ['-a']), 0);
  assert.equal(no.out(), 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ');
  assert.equal(no.calls.length, 0);
  const all = fake([]);
  await run(volumePrune, all, ['-af', '--filter', 'label=x']);
  assert.deepEqual(all.calls[0], ['prune', { label: ['x'], all: ['true'] }]);
  assert.equal(all.out(), 'Total reclaimed space: 0B\n');
  await assert.rejects(run(volumePrune, fake([]), ['-a', '--filter', 'all=1']), { message: 'conflicting options: cannot specify both --all and --filter all=1' });
});

test('inspect falls back to volumes after containers, images and networks; --type volume', async () => {
  const f = fake([vol('data')]);
  await run(inspect, f, ['-f', '{{.Name}}', 'data']);
  assert.equal(f.out(), 'data\n');
  const typed = fake([]);
  await assert.rejects(run(inspect, typed, ['--type', 'volume', 'x']), (e: unknown) => e instanceof StatusError && e.message === 'Error response from daemon: get x: no such volume');
  const untyped = fake([]);
  await assert.rejects(run(inspect, untyped, ['x']), (e: unknown) => e instanceof StatusError && e.message === 'Error: No such object: x');
});
