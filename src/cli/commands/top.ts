import { helpFlag, type CommandDef } from '../command.js';
import { tabwrite } from '../format/tabwriter.js';

export const top: CommandDef = {
  name: 'top',
  usage: 'top CONTAINER [ps OPTIONS]',
  short: 'Display the running processes of a container',
  flags: [helpFlag],
  interspersed: false,
  args: { min: 1 },
  async run(ctx, _p, args) {
    const [name, ...psArgs] = args as [string, ...string[]];
    const r = await ctx.client().containerTop(name, psArgs.length > 0 ? psArgs.join(' ') : undefined);
    const lines = [r.Titles.join('\t'), ...r.Processes.map((row) => row.join('\t'))];
    ctx.out(tabwrite(`${lines.join('\n')}\n`, { minwidth: 20, padding: 3 }));
    return 0;
  },
};
