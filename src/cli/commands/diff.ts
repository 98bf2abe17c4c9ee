import { helpFlag, type CommandDef } from '../command.js';

/** Moby's archive.ChangeType letters. */
const KINDS = ['C', 'A', 'D'];

/** docker diff: one `C|A|D /path` line per change, in the daemon's order. */
export const diff: CommandDef = {
  name: 'diff',
  usage: 'diff CONTAINER',
  short: "Inspect changes to files or directories on a container's filesystem",
  flags: [helpFlag],
  args: { exact: 1 },
  async run(ctx, _p, args) {
    const changes = await ctx.client().containerChanges(args[0]!);
    ctx.out(changes.map((c) => `${KINDS[c.Kind] ?? ''} ${c.Path}\n`).join(''));
    return 0;
  },
};
