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
  };
}
