import type { CommandDef } from '../command.js';
import { CONTAINER_FLAGS } from '../opts/container-flags.js';
import { createContainer } from './create-container.js';
import { requestFromFlags } from './run.js';

export const create: CommandDef = {
  name: 'create',
  usage: 'create [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create a new container',
  flags: CONTAINER_FLAGS,
  interspersed: false,
  args: { min: 1 },
  async run(ctx, p, args) {
    const req = requestFromFlags(ctx, 'create', p, args, false);
    const id = await createContainer(ctx, req, p.bool('quiet'));
    ctx.out(`${id}\n`);
    return 0;
  },
};
