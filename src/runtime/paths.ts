/** The files of one container's bundle directory (<execRoot>/containers/<id>). */
import { join } from 'node:path';

export interface BundlePaths {
  dir: string;
  config: string;
  rootfs: string;
  conmonPid: string;
  containerPid: string;
  exitDir: string;
  /** The attach socket conmon binds with --full-attach. */
  attach: string;
  ctl: string;
  winsz: string;
  /** conmon creates this (in its cwd, the bundle) when the kernel OOM-killed the container. */
  oom: string;
  /** Short symlinks to lower dirs when the overlay options would exceed a page. */
  layerLinks: string;
  /** Where exec process.json files are written. */
  execDir: string;
  /** --ipc shareable: the /dev/shm tmpfs, mounted on the host so that other containers can share it. */
  shm: string;
}

export function bundlePaths(dir: string): BundlePaths {
  return {
    dir,
    config: join(dir, 'config.json'),
    rootfs: join(dir, 'rootfs'),
    conmonPid: join(dir, 'conmon.pid'),
    containerPid: join(dir, 'pidfile'),
    exitDir: join(dir, 'exits'),
    attach: join(dir, 'attach'),
    ctl: join(dir, 'ctl'),
    winsz: join(dir, 'winsz'),
    oom: join(dir, 'oom'),
    layerLinks: join(dir, 'l'),
    execDir: join(dir, 'exec'),
    shm: join(dir, 'shm'),
  };
}

/** The files of one exec session (<bundle>/exec/<session id>), as conmon's exec mode lays them out. */
export interface ExecSessionPaths {
  dir: string;
  /** The OCI process spec handed to `runtime exec --process`. */
  process: string;
  /** `runtime exec --pid-file`: the exec'd process's host pid. */
  pid: string;
  conmonPid: string;
  /** conmon's attach socket for the session (--full-attach: in the session dir). */
  attach: string;
  /** Control FIFO: `1 <h> <w>\n` resizes the session's terminal. */
  ctl: string;
  /** Exit file: conmon names it after the container id (-c), in --exit-dir (the session dir). */
  exit: string;
  /**
   * The runtime's own log (`--log`, JSON lines): where crun reports a failed TTY exec, which
   * conmon cannot pass on (the runtime's stderr is not piped back in terminal mode).
   */
  runtimeLog: string;
}

export function execSessionPaths(bundle: BundlePaths, containerId: string, sessionId: string): ExecSessionPaths {
  const dir = join(bundle.execDir, sessionId);
  return {
    dir,
    process: join(dir, 'process.json'),
    pid: join(dir, 'pid'),
    conmonPid: join(dir, 'conmon.pid'),
    attach: join(dir, 'attach'),
    ctl: join(dir, 'ctl'),
    exit: join(dir, containerId),
    runtimeLog: join(dir, 'runtime.log'),
  };
}
