/** What every runtime operation needs: the host seam, the runtime CLI, paths and settings. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/index.js';
import { invalidArgument } from '../core/index.js';
import type { ExecLauncher } from './exec-launcher.js';
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
  /** A busybox whose mount and umount applets mount container root filesystems (see overlay.ts). */
  busybox?: string;
  /**
   * The other runtimes that can run here, by name (each with a state root of its own): for
   * `--runtime`, and for containers made before a switch of the default, which keep being driven
   * by the runtime that made them.
   */
  others: Map<string, RuntimeCli>;
  /** crun only: filters it compiled, handed back to it for later containers. */
  seccompBpf?: SeccompBpfCache;
  /** Bundle dirs of containers created by this process (others default to execRoot/containers/<id>). */
  bundles: Map<string, string>;
  /** Forks the runtime for attached execs ahead of time (see exec-launcher.ts). */
  launcher?: ExecLauncher;
  /** setpriv(1), which ties a primed runtime's life to berthd's (`--pdeathsig`); none: no priming. */
  setpriv?: string;
}

/** The runtime CLI that made container `id`: the one whose state root holds it, else the default. */
export function cliFor(ctx: RuntimeContext, id: string): RuntimeCli {
  if (ctx.others.size === 0 || existsSync(join(ctx.cli.root, id))) return ctx.cli;
  for (const other of ctx.others.values()) if (existsSync(join(other.root, id))) return other;
  return ctx.cli;
}

/** The runtime CLI called `name` (undefined: the default); throws for one that cannot run here. */
export function cliNamed(ctx: RuntimeContext, name: string | undefined): RuntimeCli {
  if (name === undefined || name === '' || name === ctx.cli.name) return ctx.cli;
  const cli = ctx.others.get(name);
  if (!cli) throw invalidArgument(`unknown or invalid runtime name: ${name}`);
  return cli;
}

/** The bundle paths of a container id. */
export function pathsOf(ctx: RuntimeContext, id: string): BundlePaths {
  return bundlePaths(ctx.bundles.get(id) ?? join(ctx.execRoot, 'containers', id));
}
