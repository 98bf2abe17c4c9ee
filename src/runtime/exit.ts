/**
 * Exit status: conmon writes the exit code to <exit-dir>/<id> (atomically, via rename) after it
 * drained the container's output, and an `oom` file in its cwd (the bundle) on an OOM kill.
 */
import { watch } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExitStatus } from './types.js';
import type { BundlePaths } from './paths.js';
import { parseSignal } from './signals.js';

/** Parses conmon's exit file content (`-1` when conmon could not tell). */
export function parseExitFile(text: string): number | undefined {
  const t = text.trim();
  if (!/^-?[0-9]+$/.test(t)) return undefined;
  return Number(t);
}

/** Exit code for a finished `runtime exec`. */
export function execExitCode(code: number | null, signal: string | null, runtimeError: string | undefined): number {
  if (runtimeError !== undefined) return /executable file not found|no such file or directory/i.test(runtimeError) ? 127 : 126;
  if (code !== null) return code;
  let n = 9;
  try {
    if (signal) n = parseSignal(signal);
  } catch {
    // unknown name: report as killed
  }
  return 128 + n;
}

/** The recorded exit status, or undefined while the container runs (or if its bundle is gone). */
export async function readExitStatus(paths: BundlePaths, id: string): Promise<ExitStatus | undefined> {
  const file = join(paths.exitDir, id);
  let text: string;
  let finishedAt: Date;
  try {
    [text, finishedAt] = await Promise.all([readFile(file, 'utf8'), stat(file).then((s) => s.mtime)]);
  } catch {
    return undefined;
  }
  const exitCode = parseExitFile(text);
  if (exitCode === undefined) return undefined;
  const oomKilled = await access(paths.oom).then(
    () => true,
    () => false,
  );
  return { exitCode, finishedAt, oomKilled };
}

/**
 * Calls cb once when the exit file appears (or right away if it already exists). The watch is
 * set up before the first check, so an exit between the two is not missed. Returns an unsubscribe.
 */
export function watchExit(paths: BundlePaths, id: string, cb: (s: ExitStatus) => void, onError: (e: unknown) => void): () => void {
  let done = false;
  let watcher: ReturnType<typeof watch> | undefined;
  const stop = (): void => {
    done = true;
    watcher?.close();
    watcher = undefined;
  };
  const check = (): void => {
    if (done) return;
    void readExitStatus(paths, id).then((s) => {
      if (s && !done) {
        stop();
        cb(s);
      }
    }, onError);
  };
  try {
    watcher = watch(paths.exitDir, { persistent: true }, (_event, name) => {
      if (name === null || String(name) === id) check();
    });
    watcher.on('error', (e) => {
      stop();
      onError(e);
    });
  } catch (e) {
    done = true;
    onError(e);
    return stop;
  }
  check();
  return stop;
}
