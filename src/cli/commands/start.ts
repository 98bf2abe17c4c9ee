import { StatusError, describe, helpFlag, type CommandDef, type Ctx } from '../command.js';
import type { Parsed } from '../flags.js';
import { parseDetachKeys } from '../io/detach-keys.js';
import { runAttachedSession } from '../io/attached-session.js';
import { proxySignals } from '../io/signals.js';

async function startAttached(ctx: Ctx, p: Parsed, name: string): Promise<number> {
  const client = ctx.client();
  const info = await client.containerInspect(name);
  const tty = info.Config.Tty === true;
  const withStdin = p.bool('interactive') && info.Config.OpenStdin === true;
  const detachKeys = p.str('detach-keys');
  const keys = detachKeys === undefined ? undefined : parseDetachKeys(detachKeys);
  const stopSignals = tty ? (): void => undefined : proxySignals(client, info.Id);
  const h = await client.containerAttach(info.Id, {
    stream: true, stdin: withStdin, stdout: true, stderr: true, ...(detachKeys === undefined ? {} : { detachKeys }),
  });
  const wait = await client.containerWait(info.Id, info.HostConfig.AutoRemove === true ? 'removed' : 'next-exit');
  try {
    await client.containerStart(info.Id);
  } catch (err) {
    h.socket.destroy();
    stopSignals();
    throw err;
  }
  return runAttachedSession(ctx, { client, id: info.Id, stream: h, wait, tty, withStdin, stopSignals, ...(keys === undefined ? {} : { keys }) });
}

export const start: CommandDef = {
  name: 'start',
  usage: 'start [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Start one or more stopped containers',
  flags: [
    { name: 'attach', short: 'a', kind: 'bool', help: 'Attach STDOUT/STDERR and forward signals' },
    { name: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
    { name: 'interactive', short: 'i', kind: 'bool', help: "Attach container's STDIN" },
    helpFlag,
  ],
  args: { min: 1 },
  async run(ctx, p, args) {
    if (p.bool('attach') || p.bool('interactive')) {
      if (args.length > 1) throw new StatusError(1, 'you cannot start and attach multiple containers at once');
      return startAttached(ctx, p, args[0]!);
    }
    const failed: string[] = [];
    for (const name of args) {
      try {
        await ctx.client().containerStart(name);
        ctx.out(`${name}\n`);
      } catch (err) {
        ctx.err(`${describe(err)}\n`);
        failed.push(name);
      }
    }
    if (failed.length > 0) throw new StatusError(1, `Error: failed to start containers: ${failed.join(', ')}`);
    return 0;
  },
};
