/**
 * `builder prune` and `system prune` (docker/cli cli/command/builder/prune.go and
 * cli/command/system/prune.go): the same prompts, sections and total as docker 28 prints them.
 * `system prune` runs the container, network, (with --volumes) volume, image and build cache
 * prunes in that order, each section followed by a blank line, then the space they freed.
 */
import type { Filters } from '../../client/index.js';
import { helpFlag, type CommandDef } from '../command.js';
import {
  confirm, printPruned, printReclaimed, pruneBuildCache, pruneContainers, pruneImages, pruneNetworks, pruneVolumes, type Pruned,
} from './prune.js';
import { parseFilters } from './ps.js';


/** The prompt's filter lines: every filter as key=value, sorted (docker's confirmationTemplate). */
function filterLines(filters: Filters): string[] {
  return Object.entries(filters).flatMap(([k, vs]) => vs.map((v) => (k.endsWith('!') ? `${k.slice(0, -1)}!=${v}` : `${k}=${v}`))).sort();
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
    const r = await pruneBuildCache(ctx, all, parseFilters(p.list('filter')));
    printPruned(ctx, r);
    printReclaimed(ctx, r.space);
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
    // `--filter label!=x` is kept as key `label!` (the daemon's form)
    const filters = parseFilters(p.list('filter'));
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
    // docker's order; volumes only with --volumes
    const prunes: Array<() => Promise<Pruned>> = [
      () => pruneContainers(ctx, filters),
      () => pruneNetworks(ctx, filters),
      ...(volumes ? [() => pruneVolumes(ctx, filters)] : []),
      () => pruneImages(ctx, all, filters),
      () => pruneBuildCache(ctx, all, filters),
    ];
    let space = 0;
    for (const prune of prunes) {
      const r = await prune();
      space += r.space;
      printPruned(ctx, r);
    }
    printReclaimed(ctx, space);
    return 0;
  },
};
