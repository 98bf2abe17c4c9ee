import type { ExecCreateBody } from '../../protocol/types.js';
import { StatusError, helpFlag, type CommandDef } from '../command.js';
import { parseDetachKeys } from '../io/detach-keys.js';
import { streamHijacked } from '../io/hijack-io.js';
import { monitorTtySize, setRawTerminal, terminalSize } from '../io/tty.js';
import { expandEnv, parseKeyValueFile } from '../opts/kv-file.js';

export const exec: CommandDef = {
  name: 'exec',
  usage: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
  short: 'Execute a command in a running container',
  flags: [
    { name: 'detach', short: 'd', kind: 'bool', help: 'Detached mode: run command in the background' },
    { name: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
    { name: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
    { name: 'env-file', kind: 'list', help: 'Read in a file of environment variables' },
    { name: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open even if not attached' },
    { name: 'privileged', kind: 'bool', help: 'Give extended privileges to the command' },
    { name: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
    { name: 'user', short: 'u', kind: 'string', help: 'Username or UID (format: "<name|uid>[:<group|gid>]")' },
    { name: 'workdir', short: 'w', kind: 'string', help: 'Working directory inside the container' },
    helpFlag,
  ],
  interspersed: false,
  args: { min: 2 },
  async run(ctx, p, args) {
    const [container, ...cmd] = args as [string, ...string[]];
    const client = ctx.client();
    const tty = p.bool('tty');
    const interactive = p.bool('interactive');
    const detach = p.bool('detach');
    // The docker CLI inspects the container first, so that "No such container" wins over the TTY
    // check. Only that case needs the round trip: exec create itself answers 404 for a missing
    // container and 409 for one that is not running, in the daemon's words.
    if (!detach && interactive && tty && ctx.stdin.isTTY !== true) {
      await client.containerInspect(container);
      throw new StatusError(1, 'the input device is not a TTY');
    }
    const env: string[] = [];
    for (const f of p.list('env-file')) env.push(...parseKeyValueFile(f, (k) => ctx.env[k]));
    for (const e of p.list('env')) env.push(expandEnv(e, ctx.env));
    const size = tty ? terminalSize(ctx.stdout) ?? null : null;
    const body: ExecCreateBody = {
      User: p.str('user') ?? '', Privileged: p.bool('privileged'), Tty: tty, ConsoleSize: size,
      AttachStdin: interactive && !detach, AttachStderr: !detach, AttachStdout: !detach,
      DetachKeys: p.str('detach-keys') ?? '', Env: env.length > 0 ? env : null, WorkingDir: p.str('workdir') ?? '', Cmd: cmd,
    };
    const { Id } = await client.execCreate(container, body);
    if (detach) {
      await client.execStartDetached(Id, { Tty: tty, ConsoleSize: size });
      return 0;
    }
    const keys = p.has('detach-keys') ? parseDetachKeys(p.str('detach-keys')!) : undefined;
    const h = await client.execStartAttached(Id, { Tty: tty, ConsoleSize: size });
    if (tty && interactive) setRawTerminal(ctx.stdin);
    const stopResize = tty && ctx.stdout.isTTY === true ? monitorTtySize(ctx.stdout, ctx.stderr, (hh, w) => client.execResize(Id, hh, w)) : (): void => undefined;
    const end = await streamHijacked(h, {
      stdin: interactive ? ctx.stdin : null, stdout: ctx.stdout, stderr: tty ? ctx.stdout : ctx.stderr, tty,
      ...(keys === undefined ? {} : { detachKeys: keys }),
    }).finally(stopResize);
    if (end === 'detached') return 0;
    const result = await client.execInspect(Id);
    return result.ExitCode ?? 0;
  },
};
