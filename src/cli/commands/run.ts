import type { Hijacked } from '../../client/index.js';
import type { WaitResponse } from '../../protocol/types.js';
import { StatusError, describe, type CommandDef, type Ctx } from '../command.js';
import { FlagError, type Parsed } from '../flags.js';
import { parseDetachKeys } from '../io/detach-keys.js';
import { streamHijacked, type StreamEnd } from '../io/hijack-io.js';
import { proxySignals } from '../io/signals.js';
import { monitorTtySize, setRawTerminal, terminalSize } from '../io/tty.js';
import { buildContainerRequest, type ContainerRequest } from '../opts/container-config.js';
import { CONTAINER_FLAGS, RUN_ONLY_FLAGS } from '../opts/container-flags.js';
import { createContainer } from './create-container.js';
import { reportRunError, startErrorCode } from './run-errors.js';

/** Builds the request, mapping option errors to docker's `run` error output (exit 125). */
export function requestFromFlags(ctx: Ctx, command: string, p: Parsed, args: string[], detach: boolean): ContainerRequest {
  try {
    return buildContainerRequest(p, args[0]!, args.slice(1), ctx.env, process.cwd(), detach);
  } catch (err) {
    if (err instanceof FlagError || err instanceof StatusError) throw err;
    reportRunError(ctx, command, err);
    throw new StatusError(125);
  }
}

async function waitStatus(ctx: Ctx, pending: Promise<WaitResponse>): Promise<number> {
  try {
    const r = await pending;
    if (r.Error !== null && r.Error !== undefined && r.Error.Message !== '') {
      ctx.err(`${r.Error.Message}\n`);
      return 125;
    }
    return r.StatusCode;
  } catch (err) {
    ctx.err(`Error waiting for container: ${describe(err)}\n`);
    return 125;
  }
}

async function runContainer(ctx: Ctx, p: Parsed, args: string[]): Promise<number> {
  const detach = p.bool('detach');
  if (detach && p.list('attach').length > 0) throw new StatusError(1, 'conflicting options: cannot specify both --attach and --detach');
  const req = requestFromFlags(ctx, 'run', p, args, detach);
  const cfg = req.body;
  const tty = cfg.Tty === true;
  if (!detach && cfg.AttachStdin === true && tty && ctx.stdin.isTTY !== true) throw new StatusError(1, 'the input device is not a TTY');
  const size = tty ? terminalSize(ctx.stdout) : undefined;
  if (size !== undefined && cfg.HostConfig !== undefined) cfg.HostConfig.ConsoleSize = size;
  const detachKeys = p.str('detach-keys');
  let keys: number[] | undefined;
  try {
    keys = detachKeys === undefined ? undefined : parseDetachKeys(detachKeys);
  } catch (err) {
    reportRunError(ctx, 'run', err);
    return 125;
  }

  let id: string;
  try {
    id = await createContainer(ctx, req, p.bool('quiet'));
  } catch (err) {
    reportRunError(ctx, 'run', err);
    return startErrorCode(describe(err));
  }
  const client = ctx.client();
  const stopSignals = p.bool('sig-proxy') && !tty && !detach ? proxySignals(client, id) : (): void => undefined;
  const attachOut = cfg.AttachStdout === true || cfg.AttachStderr === true;
  const attachAny = attachOut || cfg.AttachStdin === true;
  if (!attachOut) ctx.out(`${id}\n`);

  // attach and wait are both in place before start; unlike the docker CLI, which sends them one
  // after the other, they go out together (a round trip less on every run)
  const attaching = attachAny
    ? client.containerAttach(id, {
      stream: true, stdin: cfg.AttachStdin === true, stdout: cfg.AttachStdout === true, stderr: cfg.AttachStderr === true,
      ...(detachKeys === undefined ? {} : { detachKeys }),
    })
    : Promise.resolve(undefined);
  const waiting = client.containerWait(id, cfg.HostConfig?.AutoRemove === true ? 'removed' : 'next-exit');
  const [attached, waited] = await Promise.allSettled([attaching, waiting]);
  if (attached.status === 'rejected' || waited.status === 'rejected') {
    if (attached.status === 'fulfilled') attached.value?.socket.destroy();
    throw attached.status === 'rejected' ? attached.reason : (waited as PromiseRejectedResult).reason;
  }
  const hijacked: Hijacked | undefined = attached.value;
  const wait = waited.value;
  try {
    await client.containerStart(id);
  } catch (err) {
    hijacked?.socket.destroy();
    stopSignals();
    reportRunError(ctx, 'run', err);
    if (cfg.HostConfig?.AutoRemove === true) await wait.result.catch(() => undefined);
    return startErrorCode(describe(err));
  }
  if (hijacked === undefined) return 0;

  if (tty && cfg.AttachStdin === true) setRawTerminal(ctx.stdin);
  const stopResize = tty && ctx.stdout.isTTY === true ? monitorTtySize(ctx.stdout, ctx.stderr, (h, w) => client.containerResize(id, h, w)) : (): void => undefined;
  let end: StreamEnd;
  try {
    end = await streamHijacked(hijacked, {
      stdin: cfg.AttachStdin === true ? ctx.stdin : null,
      stdout: cfg.AttachStdout === true ? ctx.stdout : null,
      stderr: cfg.AttachStderr === true ? (tty ? ctx.stdout : ctx.stderr) : null,
      tty,
      ...(keys === undefined ? {} : { detachKeys: keys }),
    });
  } finally {
    stopResize();
  }
  if (end === 'detached') {
    stopSignals();
    return 0;
  }
  if (!attachOut) return 0;
  const code = await waitStatus(ctx, wait.result);
  stopSignals();
  return code;
}

export const run: CommandDef = {
  name: 'run',
  usage: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
  short: 'Create and run a new container from an image',
  flags: [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS],
  interspersed: false,
  args: { min: 1 },
  run: runContainer,
};
