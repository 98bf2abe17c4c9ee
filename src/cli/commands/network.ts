import { StatusError, describe, helpFlag, isNotFound, type CommandDef } from '../command.js';
import { type FlagSpec, type Parsed } from '../flags.js';
import { mapOpts, networkCreateBody, validateLabel, type NetworkCreateFlags } from '../opts/network-create.js';
import { validateLink, type EndpointSettings } from '../opts/network-opts.js';
import { inspectObjects } from './inspect.js';
import * as api from './network-api.js';
import { confirm, printPruned, pruneNetworks } from './prune.js';
import { filterFlag } from './ps.js';

/** `network create|inspect|rm|prune|connect|disconnect` (docker/cli cli/command/network). */

const CREATE_FLAGS: FlagSpec[] = [
  { name: 'attachable', kind: 'bool', help: 'Enable manual container attachment' },
  { name: 'aux-address', kind: 'list', valueName: 'map', help: 'Auxiliary IPv4 or IPv6 addresses used by Network driver', defaultText: 'map[]' },
  { name: 'config-from', kind: 'string', help: 'The network from which to copy the configuration' },
  { name: 'config-only', kind: 'bool', help: 'Create a configuration only network' },
  { name: 'driver', short: 'd', kind: 'string', help: 'Driver to manage the Network', defaultText: '"bridge"' },
  { name: 'gateway', kind: 'list', csv: true, valueName: 'strings', help: 'IPv4 or IPv6 Gateway for the master subnet' },
  { name: 'ingress', kind: 'bool', help: 'Create swarm routing-mesh network' },
  { name: 'internal', kind: 'bool', help: 'Restrict external access to the network' },
  { name: 'ip-range', kind: 'list', csv: true, valueName: 'strings', help: 'Allocate container ip from a sub-range' },
  { name: 'ipam-driver', kind: 'string', help: 'IP Address Management Driver', defaultText: '"default"' },
  { name: 'ipam-opt', kind: 'list', valueName: 'map', help: 'Set IPAM driver specific options', defaultText: 'map[]' },
  { name: 'ipv4', kind: 'bool', defaultTrue: true, help: 'Enable or disable IPv4 address assignment' },
  { name: 'ipv6', kind: 'bool', help: 'Enable or disable IPv6 address assignment' },
  { name: 'label', kind: 'list', help: 'Set metadata on a network', validate: validateLabel },
  { name: 'opt', short: 'o', kind: 'list', valueName: 'map', help: 'Set driver specific options', defaultText: 'map[]' },
  { name: 'scope', kind: 'string', help: "Control the network's scope" },
  { name: 'subnet', kind: 'list', csv: true, valueName: 'strings', help: 'Subnet in CIDR format that represents a network segment' },
  helpFlag,
];

/** `network create` flags as the options runCreate takes. */
export function createFlags(name: string, p: Parsed): NetworkCreateFlags {
  const f: NetworkCreateFlags = {
    name,
    driver: p.str('driver') ?? 'bridge',
    opts: p.list('opt'),
    labels: p.list('label'),
    internal: p.bool('internal'),
    attachable: p.bool('attachable'),
    ingress: p.bool('ingress'),
    scope: p.str('scope') ?? '',
    configOnly: p.bool('config-only'),
    configFrom: p.str('config-from') ?? '',
    ipam: {
      driver: p.str('ipam-driver') ?? 'default',
      subnets: p.list('subnet'),
      ipRanges: p.list('ip-range'),
      gateways: p.list('gateway'),
      auxAddresses: mapOpts(p.list('aux-address')),
      driverOpts: mapOpts(p.list('ipam-opt')),
    },
  };
  if (p.has('ipv4')) f.ipv4 = p.bool('ipv4');
  if (p.has('ipv6')) f.ipv6 = p.bool('ipv6');
  return f;
}

export const networkCreate: CommandDef = {
  name: 'network create',
  usage: 'network create [OPTIONS] NETWORK',
  short: 'Create a network',
  flags: CREATE_FLAGS,
  args: { exact: 1 },
  async run(ctx, p, args) {
    const r = await api.networkCreate(ctx, networkCreateBody(createFlags(args[0]!, p)));
    ctx.out(`${r.Id}\n`);
    return 0;
  },
};

export const networkInspect: CommandDef = {
  name: 'network inspect',
  usage: 'network inspect [OPTIONS] NETWORK [NETWORK...]',
  short: 'Display detailed information on one or more networks',
  flags: [
    { name: 'format', short: 'f', kind: 'string', help: 'Format output using a custom template' },
    { name: 'verbose', short: 'v', kind: 'bool', help: 'Verbose output for diagnostics' },
    helpFlag,
  ],
  args: { min: 1 },
  run: (ctx, p, args) => inspectObjects(ctx, args, {
    kinds: ['network'], ...(p.has('format') ? { format: p.str('format')! } : {}), size: false, verbose: p.bool('verbose'),
  }),
};

export const networkRm: CommandDef = {
  name: 'network rm',
  usage: 'network rm NETWORK [NETWORK...]',
  short: 'Remove one or more networks',
  flags: [{ name: 'force', short: 'f', kind: 'bool', help: 'Do not error if the network does not exist' }, helpFlag],
  args: { min: 1 },
  async run(ctx, p, args) {
    let failed = false;
    for (const name of args) {
      try {
        await api.networkRemove(ctx, name);
        ctx.out(`${name}\n`);
      } catch (err) {
        if (p.bool('force') && isNotFound(err)) continue;
        ctx.err(`${describe(err)}\n`);
        failed = true;
      }
    }
    if (failed) throw new StatusError(1, 'exit status 1');
    return 0;
  },
};

export const networkPrune: CommandDef = {
  name: 'network prune',
  usage: 'network prune [OPTIONS]',
  short: 'Remove all unused networks',
  flags: [
    { name: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "until=<timestamp>")' },
    { name: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const filters = filterFlag(p, '--filter');
    if (!p.bool('force') && !(await confirm(ctx, 'WARNING! This will remove all custom networks not used by at least one container.'))) {
      return 0;
    }
    printPruned(ctx, await pruneNetworks(ctx, filters));
    return 0;
  },
};

/** convertDriverOpt: `--driver-opt k=v` (trimmed) into a map; throws on a missing key. */
export function driverOpts(values: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    const k = (eq < 0 ? v : v.slice(0, eq)).trim();
    if (eq < 0 || k === '') throw new Error('invalid key/value pair format in driver options');
    out[k] = v.slice(eq + 1).trim();
  }
  return out;
}

/** runConnect's EndpointSettings: IPAMConfig always present, as docker CLI 28 sends it. */
export function connectEndpoint(p: Parsed): EndpointSettings {
  const lli = p.list('link-local-ip');
  return {
    IPAMConfig: {
      ...(p.str('ip') ? { IPv4Address: p.str('ip')! } : {}),
      ...(p.str('ip6') ? { IPv6Address: p.str('ip6')! } : {}),
      ...(lli.length > 0 ? { LinkLocalIPs: lli } : {}),
    },
    Links: p.has('link') ? p.list('link') : null,
    Aliases: p.list('alias'),
    MacAddress: '',
    DriverOpts: driverOpts(p.list('driver-opt')),
    GwPriority: p.int('gw-priority') ?? 0,
  };
}

export const networkConnect: CommandDef = {
  name: 'network connect',
  usage: 'network connect [OPTIONS] NETWORK CONTAINER',
  short: 'Connect a container to a network',
  flags: [
    { name: 'alias', kind: 'list', csv: true, valueName: 'strings', help: 'Add network-scoped alias for the container' },
    { name: 'driver-opt', kind: 'list', csv: true, valueName: 'strings', help: 'driver options for the network' },
    { name: 'gw-priority', kind: 'int', help: 'Highest gw-priority provides the default gateway. Accepts positive and negative values.' },
    { name: 'ip', kind: 'string', help: 'IPv4 address (e.g., "172.30.100.104")' },
    { name: 'ip6', kind: 'string', help: 'IPv6 address (e.g., "2001:db8::33")' },
    { name: 'link', kind: 'list', help: 'Add link to another container', validate: validateLink },
    { name: 'link-local-ip', kind: 'list', csv: true, valueName: 'strings', help: 'Add a link-local address for the container' },
    helpFlag,
  ],
  args: { exact: 2 },
  async run(ctx, p, args) {
    await api.networkConnect(ctx, args[0]!, args[1]!, connectEndpoint(p));
    return 0;
  },
};

export const networkDisconnect: CommandDef = {
  name: 'network disconnect',
  usage: 'network disconnect [OPTIONS] NETWORK CONTAINER',
  short: 'Disconnect a container from a network',
  flags: [{ name: 'force', short: 'f', kind: 'bool', help: 'Force the container to disconnect from a network' }, helpFlag],
  args: { exact: 2 },
  async run(ctx, p, args) {
    await api.networkDisconnect(ctx, args[0]!, args[1]!, p.bool('force'));
    return 0;
  },
};
