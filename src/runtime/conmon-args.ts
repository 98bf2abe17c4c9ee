/** conmon's argv for creating a container (conmon 2.1 CLI, src/cli.c). Pure. */
import type { BundlePaths } from './paths.js';

export interface ConmonArgsInput {
  id: string;
  /** Name shown in conmon's logs (the container id). */
  name: string;
  runtimePath: string;
  /** Global flags passed before the runtime command, e.g. ['--root=/run/berth/runc']. */
  runtimeArgs: string[];
  paths: BundlePaths;
  logPath: string;
  tty: boolean;
  openStdin: boolean;
  /** Close the container's stdin when the attached client closes its write side (docker StdinOnce). */
  stdinOnce: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/** Builds the conmon argv. The sync pipe is passed in the environment, not here. */
export function conmonArgs(i: ConmonArgsInput): string[] {
  const args = [
    '--api-version', '1',
    '-c', i.id,
    '-u', i.id,
    '-n', i.name,
    '-r', i.runtimePath,
    '-b', i.paths.dir,
    '-p', i.paths.containerPid,
    '-P', i.paths.conmonPid,
    '-l', `k8s-file:${i.logPath}`,
    '--log-size-max', '-1',
    '--exit-dir', i.paths.exitDir,
    '--socket-dir-path', i.paths.dir,
    '--full-attach',
    '--log-level', i.logLevel,
  ];
  for (const a of i.runtimeArgs) args.push('--runtime-arg', a);
  if (i.tty) args.push('-t');
  if (i.openStdin) {
    args.push('-i');
    if (!i.stdinOnce) args.push('--leave-stdin-open');
  }
  return args;
}
