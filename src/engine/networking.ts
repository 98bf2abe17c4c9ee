/**
 * A container's networking as the engine sees it: the network mode and endpoints checked at
 * create, the namespace and files made at start, the teardown at exit, and NetworkSettings.
 * Modes: bridge (the default network), a user network, host, none, container:<id>.
 */
import { conflict, invalidArgument, shortId } from '../core/index.js';
import {
  portRequests, type Attachment, type NetworkRecord, type NetworkService, type PreparedAttachment,
} from '../network/index.js';
import type { ContainerCreateBody, ContainerConfig, HostConfig } from '../protocol/index.js';
import type { ContainerRecord, EndpointConfigRecord } from './record.js';
import type { ContainerStore } from './store.js';

/** What the runtime gets for the network namespace. */
export type NetnsPlan = { mode: 'none' | 'host' } | { mode: 'path'; path: string };

/** The result of bringing a container's networking up for one start. */
export interface NetworkStart {
  netns: NetnsPlan;
  /** The container's own address for /etc/hosts (first network). */
  ip?: string;
  /** Nameservers for /etc/resolv.conf instead of the host's (name resolution on user networks). */
  nameservers?: string[];
  /** For container:<id> mode: the other container's files are shared. */
  shareFilesOf?: string;
  /** Runs in parallel with the runtime's create: netavark setup. */
  complete(): Promise<void>;
  /** Undoes everything (start failed). */
  abort(): Promise<void>;
}

type EndpointsConfig = Record<string, { IPAMConfig?: { IPv4Address?: string } | null; Aliases?: string[] | null; MacAddress?: string; NetworkID?: string }>;

export class ContainerNetworking {
  constructor(
    readonly networks: NetworkService,
    private readonly store: ContainerStore,
  ) {}

  /** The network mode a container gets when none was asked for. */
  private defaultMode(): string {
    return this.networks.records.defaultBridge() ? 'bridge' : 'none';
  }

  /**
   * Checks the networking part of a create request and returns the endpoints to record
   * (network name → config). As Docker, only container: mode is checked here; networks, addresses
   * and aliases are checked at start, which leaves a created container behind when they fail.
   */
  configure(body: ContainerCreateBody, hostConfig: HostConfig, config: ContainerConfig): Record<string, EndpointConfigRecord> {
    const mode = hostConfig.NetworkMode || 'default';
    const requested = (body.NetworkingConfig?.EndpointsConfig ?? {}) as EndpointsConfig;
    if (mode.startsWith('container:')) {
      const ref = mode.slice('container:'.length);
      if (!ref) throw invalidArgument('invalid network mode: container:');
      if (Object.keys(hostConfig.PortBindings ?? {}).length > 0 || hostConfig.PublishAllPorts) {
        throw invalidArgument('conflicting options: port publishing and the container type network mode');
      }
      if (Object.keys(body.ExposedPorts ?? {}).length > 0) throw invalidArgument('conflicting options: port exposing and the container type network mode');
      if (body.Hostname) throw invalidArgument('conflicting options: hostname and the network mode');
      if (hostConfig.Dns?.length) throw invalidArgument('conflicting options: dns and the network mode');
      if (hostConfig.ExtraHosts?.length) throw invalidArgument('conflicting options: custom host-to-IP mapping and the network mode');
      const target = this.store.find(ref);
      if (target) hostConfig.NetworkMode = `container:${target.id}`;
      return {};
    }
    const primary = mode === 'default' ? this.defaultMode() : mode;
    const names = [primary, ...Object.keys(requested).filter((k) => k !== mode && k !== primary)];
    if (names.length > 1) {
      throw invalidArgument(`Container cannot be connected to network endpoints: ${names.join(', ')}`);
    }
    const want = requested[mode] ?? requested[primary] ?? {};
    const ip = want.IPAMConfig?.IPv4Address || undefined;
    const aliases = want.Aliases ?? [];
    const mac = want.MacAddress || config.MacAddress || '';
    if (mac && !/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/.test(mac)) throw invalidArgument(`invalid MAC address: ${mac}`);
    return {
      [primary]: {
        NetworkID: '', Aliases: aliases.length > 0 ? aliases : null, IPAMConfig: ip ? { IPv4Address: ip } : null, MacAddress: mac,
      },
    };
  }

  /** Resolves a recorded endpoint to its network; Docker's start-time errors for what does not fit. */
  private resolveEndpoint(name: string, ep: EndpointConfigRecord, mode: string): NetworkRecord {
    const net = ep.NetworkID ? this.networks.records.get(ep.NetworkID) : this.networks.records.get(name);
    const ip = ep.IPAMConfig?.IPv4Address;
    if (ip && (net.predefined || mode === 'none')) {
      throw invalidArgument('user specified IP address is supported on user defined networks only');
    }
    if (ip && !net.userSubnet) {
      throw invalidArgument('user specified IP address is supported only when connecting to networks with user configured subnets');
    }
    if (ep.Aliases?.length && net.predefined) {
      throw invalidArgument('network-scoped alias is supported only for containers in user defined networks');
    }
    return net;
  }

  /** The mode a record runs in. */
  modeOf(rec: ContainerRecord): string {
    const m = rec.hostConfig.NetworkMode || 'default';
    return m === 'default' ? this.defaultMode() : m;
  }

  /**
   * Brings networking up for a start, up to the point where the runtime can create the
   * container in the namespace; `complete()` finishes it. Throws for a missing network, a taken
   * address or port, or a container: target that does not run.
   */
  async start(rec: ContainerRecord): Promise<NetworkStart> {
    const mode = this.modeOf(rec);
    const nothing = { complete: async () => {}, abort: async () => {} };
    if (mode === 'host') return { netns: { mode: 'host' }, ...nothing };
    if (mode === 'none') return { netns: { mode: 'none' }, ...nothing };
    if (mode.startsWith('container:')) {
      const target = this.store.get(mode.slice('container:'.length));
      if (target.state.status !== 'running' || !target.state.pid) {
        throw conflict(`cannot join network of a non running container: ${target.id}`);
      }
      const att = this.networks.attachments.get(target.id);
      const path = att?.netnsPath ?? `/proc/${target.state.pid}/ns/net`;
      return { netns: { mode: 'path', path }, shareFilesOf: target.id, ...nothing };
    }
    const configured = rec.networks ?? { [mode]: { NetworkID: '', Aliases: null, IPAMConfig: null, MacAddress: '' } };
    const endpoints = Object.entries(configured).map(([name, ep]) => {
      const net = this.resolveEndpoint(name, ep, mode);
      if (rec.networks?.[name] && !ep.NetworkID) ep.NetworkID = net.id;
      return {
        network: net.id,
        aliases: [...(ep.Aliases ?? []), ...(net.dns ? [shortId(rec.id), ...(rec.config.Hostname && rec.config.Hostname !== shortId(rec.id) ? [rec.config.Hostname] : [])] : [])],
        ...(ep.IPAMConfig?.IPv4Address ? { ip: ep.IPAMConfig.IPv4Address } : {}),
        ...(ep.MacAddress ? { mac: ep.MacAddress } : {}),
      };
    });
    const first = endpoints[0] ? this.networks.records.find(endpoints[0].network) : undefined;
    const prepared: PreparedAttachment = await this.networks.attachments.prepare({
      containerId: rec.id, containerName: rec.name, endpoints,
      // ports are published on the first network, unless it is internal (Docker ignores them there)
      ports: first?.internal ? [] : portRequests({
        bindings: rec.hostConfig.PortBindings, exposed: rec.config.ExposedPorts, publishAll: rec.hostConfig.PublishAllPorts ?? false,
      }),
      dnsServers: rec.hostConfig.Dns ?? [],
    });
    const att = prepared.attachment;
    const dnsNet = att.endpoints.find((e) => this.networks.records.find(e.networkId)?.dns);
    return {
      netns: { mode: 'path', path: att.netnsPath },
      ...(att.endpoints[0] ? { ip: att.endpoints[0].ip } : {}),
      ...(dnsNet ? { nameservers: [dnsNet.gateway] } : {}),
      complete: async () => void (await prepared.complete()),
      abort: () => prepared.abort(),
    };
  }

  /** Frees the published ports at once (so that a new container can take them while teardown runs). */
  releasePorts(id: string): void {
    this.networks.attachments.releasePorts(id);
  }

  /** Removes the container's namespace, interfaces, rules and addresses. Idempotent. */
  stop(id: string): Promise<void> {
    return this.networks.attachments.detach(id);
  }

  attachment(id: string): Attachment | undefined {
    return this.networks.attachments.get(id);
  }

  /** The address `host-gateway` stands for in --add-host. */
  hostGateway(): string | undefined {
    return this.networks.hostGateway();
  }
}
