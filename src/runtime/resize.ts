/**
 * resize: a TTY container's terminal through conmon's ctl FIFO (`1 <height> <width>\n`; conmon
 * src/ctrl.c applies it with TIOCSWINSZ on the pty it holds, and the kernel sends SIGWINCH).
 */
import { readFile } from 'node:fs/promises';
import { conflict } from '../core/index.js';
import type { RuntimeContext } from './context.js';
import { pathsOf } from './context.js';
import { checkTerminalSize, resizeTerminal } from './ctl.js';
import { readExitStatus } from './exit.js';

/**
 * Resizes the container's terminal. Throws 'invalid-argument' for a size outside 0..65535,
 * 'conflict' ("Container <id> is not running", moby's wording) when it exited or has no monitor,
 * and 'conflict' when it was created without a TTY (conmon would silently ignore the message).
 */
export async function resizeContainer(ctx: RuntimeContext, id: string, height: number, width: number): Promise<void> {
  checkTerminalSize(height, width);
  const paths = pathsOf(ctx, id);
  const notRunning = `Container ${id} is not running`;
  let terminal: unknown;
  try {
    terminal = (JSON.parse(await readFile(paths.config, 'utf8')) as { process?: { terminal?: unknown } }).process?.terminal;
  } catch {
    throw conflict(notRunning);
  }
  if (terminal !== true) throw conflict(`cannot resize container ${id}: it has no TTY`);
  if ((await readExitStatus(paths, id)) !== undefined) throw conflict(notRunning);
  await resizeTerminal(paths.ctl, height, width, notRunning);
}
