import { PROG, describe, type Ctx } from '../command.js';

/**
 * docker/cli's runStartContainerErr: 127 when the command is not found, 126 when it cannot be
 * invoked (permission denied, is a directory), else 125 (daemon error).
 */
export function startErrorCode(message: string): number {
  const m = message.replace(/^Error response from daemon: /, '');
  if (m.includes('executable file not found') || m.includes('no such file or directory') || m.includes('system cannot find the file specified')) return 127;
  if (m.includes('permission denied') || m.includes('is a directory')) return 126;
  return 125;
}

/** Prints `berth: <error>` with docker 28's `Run '… --help'` trailer for `run`/`create`. */
export function reportRunError(ctx: Ctx, command: string, err: unknown): void {
  ctx.err(`${PROG}: ${describe(err)}\n\nRun '${PROG} ${command} --help' for more information\n`);
}
