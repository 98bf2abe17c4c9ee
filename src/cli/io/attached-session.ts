/**
 * The attached part of `attach` and `start -a`: raw terminal and resize monitoring with a TTY,
 * the hijacked stream until it ends or the user detaches, then the container's exit code.
 */
import type { Client, Hijacked, PendingWait } from '../../client/index.js';
import type { Ctx } from '../command.js';
import { streamHijacked } from './hijack-io.js';
import { monitorTtySize, setRawTerminal } from './tty.js';

export interface AttachedSession {
  client: Client;
  id: string;
  stream: Hijacked;
  wait: PendingWait;
  tty: boolean;
  withStdin: boolean;
  keys?: number[];
  /** Stops forwarding signals (sig-proxy) once the stream is over. */
  stopSignals: () => void;
}

/** Streams until the end or a detach; returns 0 on detach, else the exit code from the wait. */
export async function runAttachedSession(ctx: Ctx, s: AttachedSession): Promise<number> {
  if (s.tty && s.withStdin) setRawTerminal(ctx.stdin);
  const stopResize = s.tty && ctx.stdout.isTTY === true
    ? monitorTtySize(ctx.stdout, ctx.stderr, (h, w) => s.client.containerResize(s.id, h, w))
    : (): void => undefined;
  const end = await streamHijacked(s.stream, {
    stdin: s.withStdin ? ctx.stdin : null, stdout: ctx.stdout, stderr: s.tty ? ctx.stdout : ctx.stderr, tty: s.tty,
    ...(s.keys === undefined ? {} : { detachKeys: s.keys }),
  }).finally(stopResize);
  s.stopSignals();
  if (end === 'detached') return 0;
  return (await s.wait.result).StatusCode;
}
