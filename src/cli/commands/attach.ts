import { StatusError, helpFlag, type CommandDef } from '../command.js';
import { parseDetachKeys } from '../io/detach-keys.js';
import { runAttachedSession } from '../io/attached-session.js';
import { proxySignals } from '../io/signals.js';

export const attach: CommandDef = {
  name: 'attach',
  usage: 'attach [OPTIONS] CONTAINER',
  short: "Attach local standard input, output, and error streams to a running container",
  flags: [
    { name: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
    { name: 'no-stdin', kind: 'bool', help: 'Do not attach STDIN' },
    { name: 'sig-proxy', kind: 'bool', defaultTrue: true, help: 'Proxy all received signals to the process' },
    helpFlag,
  ],
  args: { exact: 1 },
  async run(ctx, p, args) {
    const client = ctx.client();
    const name = args[0]!;
    const wait = await client.containerWait(name);
    const info = await client.containerInspect(name);
    if (!info.State.Running) throw new StatusError(1, 'You cannot attach to a stopped container, start it first');
    if (info.State.Paused) throw new StatusError(1, 'You cannot attach to a paused container, unpause it first');
    if (info.State.Restarting) throw new StatusError(1, 'You cannot attach to a restarting container, wait until it is running');
    const tty = info.Config.Tty === true;
    const withStdin = !p.bool('no-stdin') && info.Config.OpenStdin === true;
    if (withStdin && tty && ctx.stdin.isTTY !== true) throw new StatusError(1, 'the input device is not a TTY');
    const detachKeys = p.str('detach-keys');
    const keys = detachKeys === undefined ? undefined : parseDetachKeys(detachKeys);
    const stopSignals = p.bool('sig-proxy') && !tty ? proxySignals(client, info.Id) : (): void => undefined;
    const h = await client.containerAttach(info.Id, { stream: true, stdin: withStdin, stdout: true, stderr: true, ...(detachKeys === undefined ? {} : { detachKeys }) });
    return runAttachedSession(ctx, { client, id: info.Id, stream: h, wait, tty, withStdin, stopSignals, ...(keys === undefined ? {} : { keys }) });
  },
};
