/**
 * conmon's control FIFO (<bundle>/ctl, src/ctrl.c): lines `<type> <height> <width>\n`, type 1 =
 * resize the terminal, 2 = reopen the log file. Opened non-blocking so a dead conmon fails fast.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { conflict, invalidArgument, isKind } from '../core/index.js';

export const CTL_RESIZE = 1;
export const CTL_REOPEN_LOGS = 2;

/** One control message line. */
export function ctlMessage(type: number, height = 0, width = 0): string {
  return `${type} ${height} ${width}\n`;
}

/** Writes one message to conmon's ctl FIFO. Throws 'conflict' when no conmon reads it. */
export async function sendCtl(ctlPath: string, message: string): Promise<void> {
  let fh;
  try {
    fh = await open(ctlPath, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'ENOENT') throw conflict('container monitor is not running');
    throw e;
  }
  try {
    await fh.write(message);
  } finally {
    await fh.close();
  }
}

/** Checks a terminal size: integers in 0..65535 (struct winsize holds unsigned shorts). */
export function checkTerminalSize(height: number, width: number): void {
  const ok = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 65535;
  if (!ok(height) || !ok(width)) throw invalidArgument(`invalid terminal size ${height}x${width}`);
}

/**
 * Resizes the terminal a conmon holds (its ctl FIFO). conmon applies it once it has the pty, so a
 * resize sent before the runtime handed the pty over is not lost. Throws 'conflict' with
 * `notRunning` as the message when no conmon reads the FIFO any more.
 */
export async function resizeTerminal(ctlPath: string, height: number, width: number, notRunning: string): Promise<void> {
  checkTerminalSize(height, width);
  try {
    await sendCtl(ctlPath, ctlMessage(CTL_RESIZE, height, width));
  } catch (e) {
    if (isKind(e, 'conflict')) throw conflict(notRunning);
    throw e;
  }
}
