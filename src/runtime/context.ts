/** What every runtime operation needs: the host seam, the runtime CLI, paths and settings. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/index.js';
import type { Host } from './host.js';
import type { OciSeccomp } from './oci-types.js';
import { bundlePaths } from './paths.js';
import type { BundlePaths } from './paths.js';
import type { RuntimeCli } from './runc.js';
import type { SeccompBpfCache } from './seccomp-cache.js';

export interface RuntimeContext {
  host: Host;
  log: Logger;
  cli: RuntimeCli;
  execRoot: string;
  conmonPath: string;
  initPath: string | undefined;
  cgroupParent: string;
  seccomp: OciSeccomp | undefined;
  /** The default profile as parsed (moby format), converted again for other capability sets. */
  seccompProfile?: unknown;
  /** Sub-architectures the kernel lacks, left out of seccomp filters. */
  unsupportedArches?: readonly string[];
  conmonLogLevel: 'debug' | 'info' | 'warn' | 'error';
  /**
   * The other runtime, when its state root still holds containers (made before a switch between
   * runc and crun): those keep being driven by the runtime that made them.
   */
  previousCli?: RuntimeCli;
  /** crun only: filters it compiled, handed back to it for later containers. */
  seccompBpf?: SeccompBpfCache;
  /** Bundle dirs of containers created by this process (others default to execRoot/containers/<id>). */
  bundles: Map<string, string>;
}

/** The runtime CLI that made container `id` (see RuntimeContext.previousCli). */
export function cliFor(ctx: RuntimeContext, id: string): RuntimeCli {
  const prev = ctx.previousCli;
  if (prev === undefined || existsSync(join(ctx.cli.root, id)) || !existsSync(join(prev.root, id))) return ctx.cli;
  return prev;
}

/** The bundle paths of a container id. */
export function pathsOf(ctx: RuntimeContext, id: string): BundlePaths {
  return bundlePaths(ctx.bundles.get(id) ?? join(ctx.execRoot, 'containers', id));
}
