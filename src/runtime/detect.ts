/** Picks the OCI runtime: crun when asked and usable, else runc (crun 1.8 refuses hybrid cgroups). */
import { access, constants } from 'node:fs/promises';
import type { Logger } from '../core/index.js';
import type { Host } from './host.js';

export const TMPFS_MAGIC = 0x01021994;
export const CGROUP2_SUPER_MAGIC = 0x63677270;

export type CgroupMode = 'v1' | 'hybrid' | 'v2';

/** cgroup layout from the filesystem types of /sys/fs/cgroup and /sys/fs/cgroup/unified. */
export function cgroupMode(rootType: number | undefined, unifiedType: number | undefined): CgroupMode {
  if (rootType === CGROUP2_SUPER_MAGIC) return 'v2';
  return unifiedType === CGROUP2_SUPER_MAGIC ? 'hybrid' : 'v1';
}

export interface DetectedRuntime {
  name: 'runc' | 'crun';
  path: string;
  cgroups: CgroupMode;
}

const DEFAULT_PATHS = { runc: ['/usr/sbin/runc', '/usr/bin/runc', '/usr/local/sbin/runc', '/usr/local/bin/runc'], crun: ['/usr/bin/crun', '/usr/local/bin/crun'] };

async function firstExecutable(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      await access(p, constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return undefined;
}

/**
 * Resolves the runtime to use. crun on hybrid cgroups, or when its binary is missing, falls back
 * to runc with a log line. Throws if no runc is found either.
 */
export async function detectRuntime(opts: {
  host: Host;
  logger: Logger;
  runtime?: 'runc' | 'crun';
  runtimePath?: string;
}): Promise<DetectedRuntime> {
  const cgroups = cgroupMode(await opts.host.fsType('/sys/fs/cgroup'), await opts.host.fsType('/sys/fs/cgroup/unified'));
  const wanted = opts.runtime ?? 'runc';
  if (wanted === 'crun') {
    const path = await firstExecutable(opts.runtimePath ? [opts.runtimePath] : DEFAULT_PATHS.crun);
    if (path && cgroups !== 'hybrid') return { name: 'crun', path, cgroups };
    opts.logger.warn('crun is not usable here, falling back to runc', {
      reason: path ? 'crun refuses hybrid cgroups' : 'crun not found',
      cgroups,
    });
  }
  const explicit = wanted === 'runc' && opts.runtimePath ? [opts.runtimePath] : DEFAULT_PATHS.runc;
  const path = await firstExecutable(explicit);
  if (!path) throw new Error(`no OCI runtime found (looked for ${explicit.join(', ')})`);
  return { name: 'runc', path, cgroups };
}
