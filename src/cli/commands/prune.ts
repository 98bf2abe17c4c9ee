import type { Filters } from '../../client/index.js';
import { helpFlag, type CommandDef, type Ctx } from '../command.js';
import { humanSize } from '../format/units.js';
import { networksPrune } from './network-api.js';
import { parseFilters } from './ps.js';

/**
 * One prune as docker/cli's RunPrune functions report it: the section it prints ("Deleted …:"
 * and a line per item; nothing when nothing went) and the bytes it freed. The prune commands
 * print one; `system prune` prints them in turn and adds them up.
 */
export interface Pruned {
  output: string;
  space: number;
}

const section = (title: string, lines: readonly string[]): string => (lines.length > 0 ? `${title}\n${lines.map((l) => `${l}\n`).join('')}` : '');

export async function pruneContainers(ctx: Ctx, filters: Filters): Promise<Pruned> {
  const r = await ctx.client().containersPrune(filters);
  return { output: section('Deleted Containers:', r.ContainersDeleted ?? []), space: r.SpaceReclaimed ?? 0 };
}

export async function pruneNetworks(ctx: Ctx, filters: Filters): Promise<Pruned> {
  return { output: section('Deleted Networks:', (await networksPrune(ctx, filters)).NetworksDeleted ?? []), space: 0 };
}

export async function pruneVolumes(ctx: Ctx, filters: Filters): Promise<Pruned> {
  const r = await ctx.client().volumesPrune(filters);
  return { output: section('Deleted Volumes:', r.VolumesDeleted ?? []), space: r.SpaceReclaimed ?? 0 };
}

/** Dangling images, or with `all` every image no container uses. */
export async function pruneImages(ctx: Ctx, all: boolean, filters: Filters): Promise<Pruned> {
  const r = await ctx.client().imagesPrune({ ...filters, dangling: [all ? 'false' : 'true'] });
  const lines = (r.ImagesDeleted ?? []).map((i) => (i.Untagged !== undefined ? `untagged: ${i.Untagged}` : `deleted: ${i.Deleted ?? ''}`));
  return { output: section('Deleted Images:', lines), space: r.SpaceReclaimed ?? 0 };
}

export async function pruneBuildCache(ctx: Ctx, all: boolean, filters: Filters): Promise<Pruned> {
  const r = await ctx.client().buildCachePrune({ all, filters });
  return { output: section('Deleted build cache objects:', r.CachesDeleted ?? []), space: r.SpaceReclaimed ?? 0 };
}

/** The section (followed by a blank line) when there is one. */
export function printPruned(ctx: Ctx, r: Pruned): void {
  if (r.output) ctx.out(`${r.output}\n`);
}

export function printReclaimed(ctx: Ctx, space: number): void {
  ctx.out(`Total reclaimed space: ${humanSize(space, 4)}\n`);
}

/**
 * Prints the warning and prompt, reads one line from stdin and answers whether it is `y` (docker
 * 28's prompt.Confirm). The question goes on a line of its own, or after the warning on the same
 * line (`builder prune`'s one-line message).
 */
export async function confirm(ctx: Ctx, message: string, opts: { sameLine?: boolean } = {}): Promise<boolean> {
  ctx.out(`${message}${opts.sameLine ? ' ' : '\n'}Are you sure you want to continue? [y/N] `);
  const answer = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (chunk: Buffer): void => {
      buf += chunk.toString('utf8');
      if (buf.includes('\n')) finish();
    };
    const finish = (): void => {
      ctx.stdin.removeListener('data', onData);
      ctx.stdin.removeListener('end', finish);
      ctx.stdin.pause();
      resolve(buf.split('\n')[0] ?? '');
    };
    ctx.stdin.on('data', onData);
    ctx.stdin.once('end', finish);
  });
  return answer.trim().toLowerCase() === 'y';
}

export const containerPrune: CommandDef = {
  name: 'container prune',
  usage: 'container prune [OPTIONS]',
  short: 'Remove all stopped containers',
  flags: [
    { name: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    if (!p.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all stopped containers.'))) {
      return 0;
    }
    const r = await pruneContainers(ctx, parseFilters(p.list('filter')));
    printPruned(ctx, r);
    printReclaimed(ctx, r.space);
    return 0;
  },
};

export const imagePrune: CommandDef = {
  name: 'image prune',
  usage: 'image prune [OPTIONS]',
  short: 'Remove unused images',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', help: 'Remove all unused images, not just dangling ones' },
    { name: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const all = p.bool('all');
    const warning = all ? 'WARNING! This will remove all images without at least one container associated to them.' : 'WARNING! This will remove all dangling images.';
    if (!p.bool('force') && !(await confirm(ctx, warning))) {
      return 0;
    }
    const r = await pruneImages(ctx, all, parseFilters(p.list('filter')));
    printPruned(ctx, r);
    printReclaimed(ctx, r.space);
    return 0;
  },
};
