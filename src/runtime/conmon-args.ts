/** conmon's argv for creating a container (conmon 2.1 CLI, src/cli.c). Pure. */
import type { BundlePaths, ExecSessionPaths } from './paths.js';

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

export interface ExecConmonArgsInput {
  /** The container's runtime id (conmon names the exit file after it). */
  containerId: string;
  /** The exec session id (conmon's --cuuid). */
  sessionId: string;
  runtimePath: string;
  runtimeArgs: string[];
  /** The session's files: its dir holds the attach socket, ctl/winsz FIFOs, pid and exit files. */
  session: ExecSessionPaths;
  tty: boolean;
  openStdin: boolean;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

/**
 * conmon's argv for an exec session (conmon 2.1 `--exec`, as Podman drives it): conmon runs
 * `runtime exec --detach --pid-file … --process <spec> [--tty] <ctr>`, binds the session's
 * attach socket and FIFOs in the session dir (-b, with --full-attach), and with --exec-attach
 * waits on the start pipe before running the runtime, so no output is lost before we connect.
 * Output is not logged (`-l none`); the exit file is `<session dir>/<container id>`.
 */
export function execConmonArgs(i: ExecConmonArgsInput): string[] {
  const args = [
    '--api-version', '1',
    '-c', i.containerId,
    '-u', i.sessionId,
    '-n', i.containerId,
    '-r', i.runtimePath,
    '-b', i.session.dir,
    '-p', i.session.pid,
    '-P', i.session.conmonPid,
    '-l', 'none',
    '--exit-dir', i.session.dir,
    '--socket-dir-path', i.session.dir,
    '--full-attach',
    '--log-level', i.logLevel,
    '-e',
    '--exec-attach',
    '--exec-process-spec', i.session.process,
  ];
  for (const a of i.runtimeArgs) args.push('--runtime-arg', a);
  if (i.tty) args.push('-t');
  if (i.openStdin) args.push('-i');
  return args;
}
