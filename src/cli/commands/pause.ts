/** `pause` / `unpause` (docker/cli container/pause.go, unpause.go): one request per container, in parallel. */
import type { Client } from '../../client/index.js';
import { StatusError, describe, helpFlag, type CommandDef, type Ctx } from '../command.js';

/**
 * Runs `op` on every container at once (docker's parallelOperation), then prints the names that
 * succeeded in argument order; the errors follow on stderr, one per line, and the exit code is 1.
 */
async function parallel(ctx: Ctx, args: string[], op: (client: Client, id: string) => Promise<void>): Promise<number> {
  const client = ctx.client();
  const results = await Promise.allSettled(args.map(async (a) => op(client, a)));
  const errors: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') ctx.out(`${args[i]}\n`);
    else errors.push(describe(r.reason));
  });
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

/** `pause CONTAINER...` (also `container pause`). */
export const pause: CommandDef = {
  name: 'pause',
  usage: 'pause CONTAINER [CONTAINER...]',
  short: 'Pause all processes within one or more containers',
  flags: [helpFlag],
  args: { min: 1 },
  run: (ctx, _p, args) => parallel(ctx, args, (c, id) => c.containerPause(id)),
};

/** `unpause CONTAINER...` (also `container unpause`). */
export const unpause: CommandDef = {
  name: 'unpause',
  usage: 'unpause CONTAINER [CONTAINER...]',
  short: 'Unpause all processes within one or more containers',
  flags: [helpFlag],
  args: { min: 1 },
  run: (ctx, _p, args) => parallel(ctx, args, (c, id) => c.containerUnpause(id)),
};
