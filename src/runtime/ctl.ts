/**
 * conmon's control FIFO (<bundle>/ctl, src/ctrl.c): lines `<type> <height> <width>\n`, type 1 =
 * resize the terminal, 2 = reopen the log file. Opened non-blocking so a dead conmon fails fast.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { conflict } from '../core/index.js';

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
