import { helpFlag, type CommandDef, type Ctx } from '../command.js';
import { humanSize } from '../format/units.js';
import { parseFilters } from './ps.js';

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
    const r = await ctx.client().containersPrune(parseFilters(p.list('filter')));
    const deleted = r.ContainersDeleted ?? [];
    if (deleted.length > 0) ctx.out(`Deleted Containers:\n${deleted.map((d) => `${d}\n`).join('')}\n`);
    ctx.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0, 4)}\n`);
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
    const filters = parseFilters(p.list('filter'));
    filters['dangling'] = [all ? 'false' : 'true'];
    const r = await ctx.client().imagesPrune(filters);
    const items = r.ImagesDeleted ?? [];
    if (items.length > 0) {
      ctx.out('Deleted Images:\n');
      for (const i of items) ctx.out(i.Untagged !== undefined ? `untagged: ${i.Untagged}\n` : `deleted: ${i.Deleted ?? ''}\n`);
      ctx.out('\n');
    }
    ctx.out(`Total reclaimed space: ${humanSize(r.SpaceReclaimed ?? 0, 4)}\n`);
    return 0;
  },
};
