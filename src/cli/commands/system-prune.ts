/**
 * `builder prune` and `system prune` (docker/cli cli/command/builder/prune.go and
 * cli/command/system/prune.go): the same prompts, sections and total as docker 28 prints them.
 * `system prune` runs the container, network, (with --volumes) volume, image and build cache
 * prunes in that order, each section followed by a blank line, then the space they freed.
 */
import { helpFlag, type CommandDef, type Ctx } from '../command.js';
import { humanSize } from '../format/units.js';
import { networksPrune } from './network-api.js';
import { confirm } from './prune.js';
import { parseFilters } from './ps.js';

type Filters = Record<string, string[]>;

/** One prune: what it printed (a section, or nothing) and the bytes it freed. */
interface Pruned {
  output: string;
  space: number;
}

const section = (title: string, lines: readonly string[]): string => (lines.length > 0 ? `${title}\n${lines.map((l) => `${l}\n`).join('')}` : '');

async function pruneBuildCache(ctx: Ctx, all: boolean, filters: Filters): Promise<Pruned> {
  const r = await ctx.client().buildCachePrune({ all, filters });
  return { output: section('Deleted build cache objects:', r.CachesDeleted ?? []), space: r.SpaceReclaimed ?? 0 };
}

/** The prompt's filter lines: every filter as key=value, sorted (docker's confirmationTemplate). */
function filterLines(filters: Filters): string[] {
  return Object.entries(filters).flatMap(([k, vs]) => vs.map((v) => (k.endsWith('!') ? `${k.slice(0, -1)}!=${v}` : `${k}=${v}`))).sort();
}

/** `--filter label!=x` is kept as key `label!` (the daemon's form) by parseFilters. */
function filtersOf(values: readonly string[]): Filters {
  return parseFilters([...values]);
}

export const builderPrune: CommandDef = {
  name: 'builder prune',
  usage: 'builder prune',
  short: 'Remove build cache',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', help: 'Remove all unused build cache, not just dangling ones' },
    { name: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "until=24h")' },
    { name: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
    { name: 'keep-storage', kind: 'string', valueName: 'bytes', help: 'Amount of disk space to keep for cache' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const all = p.bool('all');
    const warning = all ? 'WARNING! This will remove all build cache.' : 'WARNING! This will remove all dangling build cache.';
    if (!p.bool('force') && !(await confirm(ctx, warning, { sameLine: true }))) return 0;
    const r = await pruneBuildCache(ctx, all, filtersOf(p.list('filter')));
    if (r.output) ctx.out(`${r.output}\n`);
    ctx.out(`Total reclaimed space: ${humanSize(r.space, 4)}\n`);
    return 0;
  },
};

export const systemPrune: CommandDef = {
  name: 'system prune',
  usage: 'system prune [OPTIONS]',
  short: 'Remove unused data',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', help: 'Remove all unused images not just dangling ones' },
    { name: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "label=<key>=<value>")' },
    { name: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
    { name: 'volumes', kind: 'bool', help: 'Prune anonymous volumes' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const all = p.bool('all');
    const volumes = p.bool('volumes');
    const filters = filtersOf(p.list('filter'));
    if (volumes && filters['until'] !== undefined) {
      ctx.err('ERROR: The "until" filter is not supported with "--volumes"\n');
      return 1;
    }
    if (!p.bool('force')) {
      const items = [
        'all stopped containers',
        'all networks not used by at least one container',
        ...(volumes ? ['all anonymous volumes not used by at least one container'] : []),
        all ? 'all images without at least one container associated to them' : 'all dangling images',
        all ? 'all build cache' : 'unused build cache',
      ];
      const lines = filterLines(filters);
      const filtered = lines.length > 0 ? `\n  Items to be pruned will be filtered with:${lines.map((l) => `\n  - ${l}`).join('')}\n` : '';
      const message = `WARNING! This will remove:${items.map((i) => `\n  - ${i}`).join('')}\n${filtered}`;
      if (!(await confirm(ctx, message))) return 0;
    }
    const client = ctx.client();
    const prunes: Array<() => Promise<Pruned>> = [
      async () => {
        const r = await client.containersPrune(filters);
        return { output: section('Deleted Containers:', r.ContainersDeleted ?? []), space: r.SpaceReclaimed ?? 0 };
      },
      async () => ({ output: section('Deleted Networks:', (await networksPrune(ctx, filters)).NetworksDeleted ?? []), space: 0 }),
      ...(volumes ? [async () => {
        const r = await client.volumesPrune(filters);
        return { output: section('Deleted Volumes:', r.VolumesDeleted ?? []), space: r.SpaceReclaimed ?? 0 };
      }] : []),
      async () => {
        const r = await client.imagesPrune({ ...filters, dangling: [all ? 'false' : 'true'] });
        const lines = (r.ImagesDeleted ?? []).map((i) => (i.Untagged !== undefined ? `untagged: ${i.Untagged}` : `deleted: ${i.Deleted ?? ''}`));
        return { output: section('Deleted Images:', lines), space: r.SpaceReclaimed ?? 0 };
      },
      () => pruneBuildCache(ctx, all, filters),
    ];
    let space = 0;
    for (const prune of prunes) {
      const r = await prune();
      space += r.space;
      if (r.output) ctx.out(`${r.output}\n`);
    }
    ctx.out(`Total reclaimed space: ${humanSize(space, 4)}\n`);
    return 0;
  },
};
