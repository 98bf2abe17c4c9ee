/** `update`: new resource limits and restart policy for running or stopped containers (docker/cli container/update.go). */
import type { UpdateBody } from '../../client/index.js';
import { StatusError, describe, helpFlag, type CommandDef } from '../command.js';
import type { FlagSpec, Parsed } from '../flags.js';
import { checkBytes, checkCpus, checkSwap, checkUint16, parseCpus, parseRestartPolicy, parseUint16 } from '../opts/resources.js';
import { memSwapBytes, ramInBytes } from '../opts/units.js';

/** docker 28's update flags, with its help texts (which differ slightly from run's). */
const UPDATE_FLAGS: FlagSpec[] = [
  { name: 'blkio-weight', kind: 'string', valueName: 'uint16', help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', validate: checkUint16 },
  { name: 'cpu-period', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { name: 'cpu-rt-period', kind: 'int', help: 'Limit the CPU real-time period in microseconds' },
  { name: 'cpu-rt-runtime', kind: 'int', help: 'Limit the CPU real-time runtime in microseconds' },
  { name: 'cpu-shares', short: 'c', kind: 'int', help: 'CPU shares (relative weight)' },
  { name: 'cpus', kind: 'string', valueName: 'decimal', help: 'Number of CPUs', validate: checkCpus },
  { name: 'cpuset-cpus', kind: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', kind: 'string', help: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'kernel-memory', kind: 'string', valueName: 'bytes', help: 'Kernel memory limit (deprecated)', hidden: true, validate: checkBytes },
  { name: 'memory', short: 'm', kind: 'string', valueName: 'bytes', help: 'Memory limit', validate: checkBytes },
  { name: 'memory-reservation', kind: 'string', valueName: 'bytes', help: 'Memory soft limit', validate: checkBytes },
  { name: 'memory-swap', kind: 'string', valueName: 'bytes', help: 'Swap limit equal to memory plus swap: -1 to enable unlimited swap', validate: checkSwap },
  { name: 'pids-limit', kind: 'int', help: 'Tune container pids limit (set -1 for unlimited)' },
  { name: 'restart', kind: 'string', help: 'Restart policy to apply when a container exits' },
  helpFlag,
];

/**
 * container.UpdateConfig as docker/cli's runUpdate fills it: unset limits are 0 (unchanged),
 * PidsLimit null unless non-zero, the restart policy empty unless `--restart` is given.
 * Throws Error for a malformed `--restart`.
 */
export function updateBody(p: Parsed): UpdateBody {
  const bytes = (name: string): number => (p.has(name) ? ramInBytes(p.str(name)!) : 0);
  const pids = p.int('pids-limit') ?? 0;
  const kernel = bytes('kernel-memory');
  return {
    CpuShares: p.int('cpu-shares') ?? 0,
    Memory: bytes('memory'),
    NanoCpus: p.has('cpus') ? parseCpus(p.str('cpus')!) : 0,
    CgroupParent: '',
    BlkioWeight: p.has('blkio-weight') ? parseUint16(p.str('blkio-weight')!) : 0,
    BlkioWeightDevice: null,
    BlkioDeviceReadBps: null,
    BlkioDeviceWriteBps: null,
    BlkioDeviceReadIOps: null,
    BlkioDeviceWriteIOps: null,
    CpuPeriod: p.int('cpu-period') ?? 0,
    CpuQuota: p.int('cpu-quota') ?? 0,
    CpuRealtimePeriod: p.int('cpu-rt-period') ?? 0,
    CpuRealtimeRuntime: p.int('cpu-rt-runtime') ?? 0,
    CpusetCpus: p.str('cpuset-cpus') ?? '',
    CpusetMems: p.str('cpuset-mems') ?? '',
    Devices: null,
    DeviceCgroupRules: null,
    DeviceRequests: null,
    ...(kernel !== 0 ? { KernelMemory: kernel } : {}),
    MemoryReservation: bytes('memory-reservation'),
    MemorySwap: p.has('memory-swap') ? memSwapBytes(p.str('memory-swap')!) : 0,
    MemorySwappiness: null,
    OomKillDisable: null,
    PidsLimit: pids !== 0 ? pids : null,
    Ulimits: null,
    CpuCount: 0,
    CpuPercent: 0,
    IOMaximumIOps: 0,
    IOMaximumBandwidth: 0,
    RestartPolicy: parseRestartPolicy(p.str('restart') ?? ''),
  };
}

/** `update [OPTIONS] CONTAINER...` (also `container update`). */
export const update: CommandDef = {
  name: 'update',
  usage: 'update [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Update configuration of one or more containers',
  flags: UPDATE_FLAGS,
  args: { min: 1 },
  async run(ctx, p, args) {
    if (!UPDATE_FLAGS.some((f) => p.has(f.name))) throw new Error('you must provide one or more flags when using this command');
    const body = updateBody(p);
    const warnings: string[] = [];
    const errors: string[] = [];
    for (const name of args) {
      try {
        const r = await ctx.client().containerUpdate(name, body);
        ctx.out(`${name}\n`);
        warnings.push(...(r?.Warnings ?? []));
      } catch (err) {
        errors.push(describe(err));
      }
    }
    if (warnings.length > 0) ctx.out(`${warnings.join('\n')}\n`);
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    return 0;
  },
};
