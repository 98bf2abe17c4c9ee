import type { SystemInfo } from '../../client/index.js';
import { describe, helpFlag, type CommandDef } from '../command.js';
import { formatG } from '../format/units.js';
import { Template } from '../format/template.js';

const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** go-units BytesSize: binary units, 4 significant digits (`23.54GiB`). */
export function bytesSize(n: number): string {
  let s = n;
  let i = 0;
  while (s >= 1024 && i < BINARY_UNITS.length - 1) {
    s /= 1024;
    i++;
  }
  return `${formatG(s, 4)}${BINARY_UNITS[i]}`;
}

function serverLines(i: SystemInfo): string[] {
  const l: string[] = [];
  const add = (k: string, v: unknown): void => void l.push(` ${k}: ${v === undefined ? '' : String(v)}`);
  add('Containers', i.Containers ?? 0);
  l.push(`  Running: ${i.ContainersRunning ?? 0}`, `  Paused: ${i.ContainersPaused ?? 0}`, `  Stopped: ${i.ContainersStopped ?? 0}`);
  add('Images', i.Images ?? 0);
  add('Server Version', i.ServerVersion);
  add('Storage Driver', i.Driver);
  for (const [k, v] of i.DriverStatus ?? []) l.push(`  ${k}: ${v}`);
  add('Logging Driver', i.LoggingDriver);
  add('Cgroup Driver', i.CgroupDriver);
  add('Cgroup Version', i.CgroupVersion);
  if (i.Plugins !== undefined) {
    l.push(' Plugins:');
    l.push(`  Volume: ${(i.Plugins.Volume ?? []).join(' ')}`);
    l.push(`  Network: ${(i.Plugins.Network ?? []).join(' ')}`);
    l.push(`  Log: ${(i.Plugins.Log ?? []).join(' ')}`);
  }
  add('Swarm', i.Swarm?.LocalNodeState ?? 'inactive');
  add('Runtimes', Object.keys(i.Runtimes ?? {}).join(' '));
  add('Default Runtime', i.DefaultRuntime);
  if (i.InitBinary !== undefined) add('Init Binary', i.InitBinary);
  if (i.ContainerdCommit !== undefined) add('containerd version', i.ContainerdCommit.ID);
  if (i.RuncCommit !== undefined) add('runc version', i.RuncCommit.ID);
  if (i.InitCommit !== undefined) add('init version', i.InitCommit.ID);
  if ((i.SecurityOptions ?? []).length > 0) {
    l.push(' Security Options:');
    for (const o of i.SecurityOptions ?? []) {
      const parts = o.split(',').map((kv) => kv.split('='));
      const name = parts.find(([k]) => k === 'name')?.[1] ?? o;
      l.push(`  ${name}`);
      for (const [k = "", v] of parts) if (k !== "name" && v !== undefined) l.push(`   ${k.charAt(0).toUpperCase()}${k.slice(1)}: ${v}`);
    }
  }
  add('Kernel Version', i.KernelVersion);
  add('Operating System', i.OperatingSystem);
  add('OSType', i.OSType);
  add('Architecture', i.Architecture);
  add('CPUs', i.NCPU);
  add('Total Memory', bytesSize(i.MemTotal ?? 0));
  add('Name', i.Name);
  add('ID', i.ID);
  add('Docker Root Dir', i.DockerRootDir);
  add('Debug Mode', i.Debug === true);
  add('Experimental', i.ExperimentalBuild === true);
  const insecure = i.RegistryConfig?.InsecureRegistryCIDRs ?? [];
  if (insecure.length > 0) l.push(' Insecure Registries:', ...insecure.map((c) => `  ${c}`));
  add('Live Restore Enabled', i.LiveRestoreEnabled === true);
  return l;
}

export const info: CommandDef = {
  name: 'info',
  usage: 'info [OPTIONS]',
  short: 'Display system-wide information',
  flags: [{ name: 'format', short: 'f', kind: 'string', help: 'Format output using a custom template' }, helpFlag],
  args: { none: true },
  async run(ctx, p) {
    let server: SystemInfo | undefined;
    let serverErr: unknown;
    try {
      server = await ctx.client().info();
    } catch (err) {
      serverErr = err;
    }
    const format = p.str('format');
    if (format !== undefined && format !== '') {
      if (server === undefined) throw serverErr;
      ctx.out(`${format === 'json' ? JSON.stringify(server) : new Template(format).execute(server)}\n`);
      return 0;
    }
    ctx.out('Client:\n Version:    0.1.0\n Context:    default\n Debug Mode: false\n\nServer:\n');
    if (server === undefined) {
      ctx.err(`${describe(serverErr)}\n`);
      return 1;
    }
    ctx.out(`${serverLines(server).join('\n')}\n\n`);
    for (const w of server.Warnings ?? []) ctx.err(`${w}\n`);
    return 0;
  },
};
