import { StatusError, describe, forEachArg, helpFlag, isNotFound, type CommandDef } from '../command.js';

/** `stop`, `restart`, `kill`, `rm`, `wait`, `rename`: one small request per container. */

export const stop: CommandDef = {
  name: 'stop',
  usage: 'stop [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Stop one or more running containers',
  flags: [
    { name: 'signal', short: 's', kind: 'string', help: 'Signal to send to the container' },
    { name: 'time', short: 't', kind: 'int', help: 'Seconds to wait before killing the container' },
    helpFlag,
  ],
  args: { min: 1 },
  run: (ctx, p, args) => forEachArg(ctx, args, async (name) => {
    const opts: { timeout?: number; signal?: string } = {};
    if (p.has('time')) opts.timeout = p.int('time')!;
    if (p.has('signal')) opts.signal = p.str('signal')!;
    await ctx.client().containerStop(name, opts);
    return name;
  }),
};

export const restart: CommandDef = {
  ...stop,
  name: 'restart',
  usage: 'restart [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Restart one or more containers',
  run: (ctx, p, args) => forEachArg(ctx, args, async (name) => {
    const opts: { timeout?: number; signal?: string } = {};
    if (p.has('time')) opts.timeout = p.int('time')!;
    if (p.has('signal')) opts.signal = p.str('signal')!;
    await ctx.client().containerRestart(name, opts);
    return name;
  }),
};

export const kill: CommandDef = {
  name: 'kill',
  usage: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Kill one or more running containers',
  flags: [{ name: 'signal', short: 's', kind: 'string', help: 'Signal to send to the container' }, helpFlag],
  args: { min: 1 },
  run: (ctx, p, args) => forEachArg(ctx, args, async (name) => {
    await ctx.client().containerKill(name, p.str('signal'));
    return name;
  }),
};

export const rm: CommandDef = {
  name: 'rm',
  usage: 'rm [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Remove one or more containers',
  flags: [
    { name: 'force', short: 'f', kind: 'bool', help: 'Force the removal of a running container (uses SIGKILL)' },
    { name: 'link', short: 'l', kind: 'bool', help: 'Remove the specified link' },
    { name: 'volumes', short: 'v', kind: 'bool', help: 'Remove anonymous volumes associated with the container' },
    helpFlag,
  ],
  args: { min: 1 },
  async run(ctx, p, args) {
    let failed = false;
    for (const name of args) {
      try {
        const n = name.replace(/^\/+/, '');
        if (n === '') throw new Error('Container name cannot be empty');
        await ctx.client().containerRemove(n, { force: p.bool('force'), volumes: p.bool('volumes'), link: p.bool('link') });
        ctx.out(`${name}\n`);
      } catch (err) {
        ctx.err(`${describe(err)}\n`);
        // docker rm -f ignores containers that do not exist
        if (!(p.bool('force') && isNotFound(err))) failed = true;
      }
    }
    return failed ? 1 : 0;
  },
};

export const wait: CommandDef = {
  name: 'wait',
  usage: 'wait CONTAINER [CONTAINER...]',
  short: 'Block until one or more containers stop, then print their exit codes',
  flags: [helpFlag],
  args: { min: 1 },
  run: (ctx, _p, args) => forEachArg(ctx, args, async (name) => {
    const pending = await ctx.client().containerWait(name);
    const r = await pending.result;
    if (r.Error !== null && r.Error !== undefined && r.Error.Message !== '') throw new Error(r.Error.Message);
    return String(r.StatusCode);
  }),
};

export const rename: CommandDef = {
  name: 'rename',
  usage: 'rename CONTAINER NEW_NAME',
  short: 'Rename a container',
  flags: [helpFlag],
  args: { exact: 2 },
  async run(ctx, _p, args) {
    const [oldName, newName] = args as [string, string];
    if (newName.trim() === '' || oldName.trim() === '') throw new Error('Error: Neither old nor new names may be empty');
    try {
      await ctx.client().containerRename(oldName.trim(), newName.trim());
    } catch (err) {
      ctx.err(`${describe(err)}\n`);
      throw new StatusError(1, `Error: failed to rename container named ${oldName}`);
    }
    return 0;
  },
};
