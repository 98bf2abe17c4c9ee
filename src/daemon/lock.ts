/**
 * One daemon per data root: an exclusive lock file holding the owner's pid. A lock whose
 * owner is gone is taken over.
 */
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class LockHeldError extends Error {
  constructor(readonly pid: number, readonly path: string) {
    super(`another berthd (pid ${pid}) is already using this data root (lock ${path}); stop it first or pass a different --data-root`);
  }
}

/** Takes the lock or throws LockHeldError. Returns a release function. */
export function acquireLock(path: string): () => void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(path, 'utf8').trim());
      if (owner > 0 && owner !== process.pid && alive(owner)) throw new LockHeldError(owner, path);
      unlinkSync(path);
    }
  }
  throw new Error(`could not take the lock ${path}`);
}
