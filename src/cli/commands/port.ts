import { helpFlag, type CommandDef } from '../command.js';
import { portLines, type PortMap } from '../format/ports.js';

/** `port CONTAINER [PRIVATE_PORT[/PROTO]]`: NetworkSettings.Ports of the container (docker/cli port.go). */
export const port: CommandDef = {
  name: 'port',
  usage: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
  short: 'List port mappings or a specific mapping for the container',
  flags: [helpFlag],
  args: { min: 1, max: 2 },
  async run(ctx, _p, args) {
    const c = await ctx.client().containerInspect(args[0]!);
    const ports = (c.NetworkSettings as { Ports?: PortMap | null } | undefined)?.Ports;
    const lines = portLines(ports, args[0]!, args[1]);
    if (lines.length > 0) ctx.out(`${lines.join('\n')}\n`);
    return 0;
  },
};
