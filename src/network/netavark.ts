/**
 * The netavark driver: turns networks and endpoints into netavark's network options (its JSON
 * contract, netavark 1.x `src/network/types.rs`) and runs `netavark setup|teardown` on a netns.
 * Calls are serialised host-wide with flock(1), as Podman serialises its own: netavark creates
 * shared firewall chains and bridges and is not safe to run twice at once.
 */
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { EngineError, type Logger } from '../core/index.js';
import type { Endpoint, NetworkRecord, PortMapping } from './types.js';

/** The part of the host the driver needs: run a command to completion. */
export interface CommandRunner {
  run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export interface NetavarkPaths {
  netavark: string;
  aardvark: string;
  /** netavark --config: aardvark-dns keeps its per-network files here. */
  configDir: string;
  /** flock(1) lock file shared by every berthd on the machine. */
  lockFile: string;
}

interface NetavarkNetwork {
  name: string;
  id: string;
  driver: 'bridge';
  network_interface: string;
  subnets: Array<{ subnet: string; gateway?: string }>;
  ipv6_enabled: false;
  internal: boolean;
  dns_enabled: boolean;
  options?: Record<string, string>;
}

export interface NetavarkOptions {
  container_id: string;
  container_name: string;
  networks: Record<string, { interface_name: string; static_ips: string[]; aliases?: string[]; static_mac?: string }>;
  network_info: Record<string, NetavarkNetwork>;
  port_mappings?: Array<{ host_ip: string; container_port: number; host_port: number; range: number; protocol: string }>;
  dns_servers?: string[];
}

/** netavark's answer to setup, per network (keyed by the network's id). */
export type SetupResult = Record<string, {
  dns_server_ips?: string[];
  interfaces?: Record<string, { mac_address: string; subnets?: Array<{ ipnet: string; gateway?: string }> }>;
}>;

/**
 * The netavark description of one network. netavark names its firewall chains after a hash of the
 * network's name, so the name it gets is the network's id: two daemons (or a daemon and Podman)
 * with a network called "bridge" must never share, and tear down, each other's chains.
 */
export function netavarkNetwork(net: NetworkRecord): NetavarkNetwork {
  const options: Record<string, string> = {};
  if (net.mtu) options.mtu = String(net.mtu);
  return {
    name: net.id,
    id: net.id,
    driver: 'bridge',
    network_interface: net.bridge ?? '',
    subnets: net.ipam.config.map((c) => ({ subnet: c.Subnet, gateway: c.Gateway })),
    ipv6_enabled: false,
    internal: net.internal,
    dns_enabled: net.dns,
    ...(Object.keys(options).length > 0 ? { options } : {}),
  };
}

/** The options for setting up (or tearing down) `endpoints` and `ports` of one container. */
export function netavarkOptions(opts: {
  containerId: string;
  containerName: string;
  endpoints: readonly Endpoint[];
  networks: ReadonlyMap<string, NetworkRecord>;
  ports: readonly PortMapping[];
  dnsServers: readonly string[];
}): NetavarkOptions {
  const networks: NetavarkOptions['networks'] = {};
  const info: NetavarkOptions['network_info'] = {};
  for (const ep of opts.endpoints) {
    const net = opts.networks.get(ep.networkId);
    if (!net) continue;
    networks[net.id] = {
      interface_name: ep.interfaceName,
      static_ips: [ep.ip],
      ...(net.dns ? { aliases: ep.dnsNames.filter((n) => n !== opts.containerName) } : {}),
      ...(ep.mac ? { static_mac: ep.mac } : {}),
    };
    info[net.id] = netavarkNetwork(net);
  }
  return {
    container_id: opts.containerId,
    container_name: opts.containerName,
    networks,
    network_info: info,
    ...(opts.ports.length > 0 ? {
      port_mappings: opts.ports.map((p) => ({
        host_ip: p.hostIp, container_port: p.containerPort, host_port: p.hostPort, range: 1, protocol: p.protocol,
      })),
    } : {}),
    ...(opts.dnsServers.length > 0 ? { dns_servers: [...opts.dnsServers] } : {}),
  };
}

/** Runs netavark; one call at a time on this machine. */
export class Netavark {
  constructor(
    private readonly paths: NetavarkPaths,
    private readonly runner: CommandRunner,
    private readonly logger: Logger,
  ) {}

  /** Configures the netns; `optionsFile` receives the options (kept for the teardown). */
  async setup(netnsPath: string, options: NetavarkOptions, optionsFile: string): Promise<SetupResult> {
    await writeFile(optionsFile, JSON.stringify(options));
    const out = await this.exec('setup', netnsPath, optionsFile);
    try {
      return JSON.parse(out) as SetupResult;
    } catch {
      throw new EngineError('internal', `netavark setup printed something that is not JSON: ${out.slice(0, 200)}`);
    }
  }

  /** Removes what setup made for these options (interfaces, firewall rules, DNS entries). */
  async teardown(netnsPath: string, optionsFile: string): Promise<void> {
    await this.exec('teardown', netnsPath, optionsFile);
  }

  /**
   * Deletes a network's port-forwarding chain once the network is down. netavark removes it only
   * when the last teardown carries ports, which a network's keeper never does; iptables refuses
   * to delete a chain that still has rules or references, so this never removes anything in use.
   */
  async dropPortChain(networkId: string): Promise<void> {
    const r = await this.runner.run('flock', ['-o', '-w', '60', this.paths.lockFile, 'iptables', '-w', '-t', 'nat', '-X', portChainName(networkId)]);
    this.logger.debug('port chain dropped', { network: networkId, code: r.code });
  }

  private async exec(cmd: 'setup' | 'teardown', netnsPath: string, file: string): Promise<string> {
    const args = [
      '-o', '-w', '60', this.paths.lockFile, this.paths.netavark,
      '--config', this.paths.configDir, '--aardvark-binary', this.paths.aardvark, '--file', file, cmd, netnsPath,
    ];
    const started = Date.now();
    const r = await this.runner.run('flock', args);
    this.logger.debug('netavark', { cmd, netns: netnsPath, code: r.code, ms: Date.now() - started });
    if (r.code !== 0) throw new EngineError('internal', `netavark ${cmd} failed: ${netavarkError(r.stdout, r.stderr)}`);
    return r.stdout;
  }
}

/** netavark's name for a network's port-forwarding chain: NETAVARK-DN- and 13 hex of sha512(name). */
export function portChainName(networkName: string): string {
  return `NETAVARK-DN-${createHash('sha512').update(networkName).digest('hex').slice(0, 13).toUpperCase()}`;
}

/** netavark reports errors as `{"error": "..."}` on stdout (1.x) or as text on stderr. */
export function netavarkError(stdout: string, stderr: string): string {
  for (const text of [stdout, stderr]) {
    const line = text.trim().split('\n').reverse().find((l) => l.startsWith('{'));
    if (!line) continue;
    try {
      const parsed = JSON.parse(line) as { error?: unknown };
      if (typeof parsed.error === 'string') return parsed.error;
    } catch {
      // not JSON: fall through to the raw text
    }
  }
  return (stderr.trim() || stdout.trim() || 'no output').split('\n').slice(-3).join('; ');
}
