/**
 * Containers on networks: a namespace per container, an address on each network, published
 * ports, all set up through netavark and recorded in the exec root before anything is made, so
 * that a crashed daemon finds and removes every piece after a restart.
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { conflict, errorMessage, EngineError, forbidden, shortId, type Logger } from '../core/index.js';
import { parseIp } from './ip.js';
import { netavarkOptions, type CommandRunner, type Netavark } from './netavark.js';
import { deleteNetns, netnsName, type NetnsPool } from './netns.js';
import type { NetworkRecords } from './networks.js';
import { holdPorts, rehold, type PortHold } from './port-holder.js';
import type { NetworkFiles } from './store.js';
import type { AttachRequest, Attachment, Endpoint, EndpointRequest, NetworkRecord } from './types.js';

/** An attachment whose namespace, addresses and ports exist but whose interfaces are not set up yet. */
export interface PreparedAttachment {
  attachment: Attachment;
  /** Runs netavark setup; on failure everything is removed again and the error thrown. */
  complete(): Promise<Attachment>;
  /** Removes everything (after a failed container create). */
  abort(): Promise<void>;
}

/** Docker's MAC for an address: 02:42 followed by the four bytes of the IPv4 address. */
export function macFor(ip: string): string {
  const n = parseIp(ip) ?? 0;
  return ['02', '42', ...[n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

export class Attachments {
  private readonly live = new Map<string, Attachment>();
  private readonly holds = new Map<string, PortHold>();
  private readonly keepers = new Map<string, Promise<void>>();

  constructor(
    private readonly records: NetworkRecords,
    private readonly files: NetworkFiles,
    private readonly netavark: Netavark,
    private readonly runner: CommandRunner,
    private readonly logger: Logger,
    private readonly spares: NetnsPool,
  ) {}

  /** Reads the attachments left by an earlier daemon and re-leases their addresses. */
  async load(): Promise<void> {
    for (const att of await this.files.loadAttachments()) {
      this.live.set(att.containerId, att);
      for (const ep of att.endpoints) this.records.pool(ep.networkId)?.reserve(ep.ip);
    }
    // spares an earlier daemon of this exec root left (killed before it could delete them)
    await this.spares.sweep(new Set([...this.live.values()].map((a) => a.netnsPath)));
  }

  get(containerId: string): Attachment | undefined {
    return this.live.get(containerId);
  }

  /** Container ids with an interface on the network (its keeper not counted). */
  usersOf(networkId: string): string[] {
    return [...this.live.values()]
      .filter((a) => !this.isKeeper(a.containerId) && a.endpoints.some((e) => e.networkId === networkId))
      .map((a) => a.containerId);
  }

  /**
   * A keeper is a placeholder attachment (an empty namespace with the network's last address)
   * that keeps a network's bridge, firewall chains and DNS server in place while the network is
   * used, as Docker keeps docker0: netavark removes them with the last interface on the bridge,
   * and making them again costs each lone `run` some 250 ms. It is named by the network's id.
   */
  private isKeeper(id: string): boolean {
    return this.records.find(id)?.id === id;
  }

  private async ensureKeeper(net: NetworkRecord): Promise<void> {
    if (this.live.has(net.id)) return;
    let pending = this.keepers.get(net.id);
    if (!pending) {
      pending = (async () => {
        const pool = this.records.pool(net.id);
        const prepared = await this.prepare({
          containerId: net.id, containerName: `berth-keeper-${net.id.slice(0, 12)}`,
          endpoints: [{ network: net.id, aliases: [], ...(pool ? { ip: pool.lastHost() } : {}) }], ports: [],
        });
        await prepared.complete();
        this.logger.debug('network kept up', { network: net.name });
      })().catch((err) => {
        this.logger.warn('could not keep the network up; containers on it start slower', { network: net.name, err: errorMessage(err) });
      }).finally(() => this.keepers.delete(net.id));
      this.keepers.set(net.id, pending);
    }
    await pending;
  }

  /** Tears a network's keeper down (network removal, daemon shutdown). */
  async dropKeeper(networkId: string): Promise<void> {
    await this.keepers.get(networkId);
    if (!this.live.has(networkId)) return;
    await this.detach(networkId);
    if (!this.live.has(networkId)) await this.netavark.dropPortChain(networkId).catch(() => {});
  }

  /** At shutdown: drops the keepers of networks no container uses any more. */
  async dropIdleKeepers(): Promise<void> {
    for (const id of [...this.live.keys()]) {
      if (this.isKeeper(id) && this.usersOf(id).length === 0) await this.dropKeeper(id);
    }
  }

  /**
   * Creates the namespace, leases addresses and binds the published ports. Throws (having undone
   * its work) for an unknown network, a taken address or port.
   */
  async prepare(req: AttachRequest): Promise<PreparedAttachment> {
    if (this.live.has(req.containerId)) await this.detach(req.containerId);
    for (const want of req.endpoints) {
      const net = this.records.find(want.network);
      if (net && net.id !== req.containerId) await this.ensureKeeper(net);
    }
    const endpoints: Endpoint[] = [];
    let hold: PortHold | undefined;
    let netns: string | undefined;
    const undo = async () => {
      hold?.release();
      for (const ep of endpoints) this.records.pool(ep.networkId)?.release(ep.ip);
      if (netns) await deleteNetns(this.runner, netns).catch(() => {});
    };
    try {
      for (const want of req.endpoints) endpoints.push(this.lease(req, want, endpoints));
      hold = await holdPorts(req.ports, {
        containerName: req.containerName, endpointId: endpoints[0]?.endpointId ?? randomBytes(32).toString('hex'),
        containerIp: () => endpoints[0]?.ip,
      });
      netns = await this.spares.take(netnsName(req.containerId));
    } catch (err) {
      await undo();
      throw err;
    }
    const att: Attachment = {
      containerId: req.containerId, containerName: req.containerName, netnsPath: netns, endpoints,
      ports: hold.mappings, dnsServers: req.dnsServers ?? [],
    };
    const portHold = hold;
    try {
      await this.files.saveAttachment(att);
    } catch (err) {
      await undo();
      throw err;
    }
    this.live.set(att.containerId, att);
    this.holds.set(att.containerId, portHold);
    return {
      attachment: att,
      complete: async () => {
        if (att.endpoints.length === 0) return att;
        try {
          await this.netavark.setup(att.netnsPath, this.optionsFor(att, att.endpoints, true), this.files.optionsFile(att.containerId));
        } catch (err) {
          await this.detach(att.containerId, { skipTeardown: true });
          throw err;
        }
        return att;
      },
      abort: () => this.detach(att.containerId),
    };
  }

  private lease(req: AttachRequest, want: EndpointRequest, taken: readonly Endpoint[]): Endpoint {
    const net = this.records.get(want.network);
    if (net.driver !== 'bridge') {
      throw forbidden('container cannot be disconnected from host network or connected to host network');
    }
    if (taken.some((e) => e.networkId === net.id)) throw forbidden(`container ${shortId(req.containerId)} is already attached to network ${net.name}`);
    const pool = this.records.pool(net.id);
    if (!pool) throw new EngineError('internal', `network ${net.name} has no address pool`);
    const ip = pool.lease(want.ip);
    const used = new Set(taken.map((e) => e.interfaceName));
    let i = 0;
    while (used.has(`eth${i}`)) i++;
    const aliases = [...new Set(want.aliases)];
    return {
      networkId: net.id, networkName: net.name, endpointId: randomBytes(32).toString('hex'), interfaceName: `eth${i}`,
      ip, prefixLen: pool.prefix, gateway: net.ipam.config[0]?.Gateway ?? '', mac: want.mac || macFor(ip), aliases,
      dnsNames: net.dns ? [...new Set([req.containerName, shortId(req.containerId), ...aliases])] : [],
    };
  }

  private optionsFor(att: Attachment, endpoints: readonly Endpoint[], withPorts: boolean) {
    const networks = new Map<string, NetworkRecord>();
    for (const ep of endpoints) {
      const net = this.records.find(ep.networkId);
      if (net) networks.set(net.id, net);
    }
    return netavarkOptions({
      containerId: att.containerId, containerName: att.containerName, endpoints, networks,
      // IPv6 host addresses are served by berthd's forwarder: the networks are IPv4-only
      ports: withPorts ? att.ports.filter((p) => !p.hostIp.includes(':')) : [], dnsServers: att.dnsServers,
    });
  }

  /**
   * Tears down a container's networking: netavark teardown (interfaces, firewall rules, DNS
   * entries), the ports, the namespace, the addresses, the record. Idempotent; failures are
   * logged, and the rest is still removed.
   */
  async detach(containerId: string, opts: { skipTeardown?: boolean } = {}): Promise<void> {
    const att = this.live.get(containerId);
    if (!att) return;
    this.live.delete(containerId);
    this.releasePorts(containerId);
    const live = att.endpoints.filter((e) => this.records.find(e.networkId));
    if (!opts.skipTeardown && live.length > 0 && !(await this.teardown(att, live, true, this.files.optionsFile(containerId)))) {
      // keep the namespace, the addresses and the record: the next daemon start tries again
      this.logger.error('network teardown failed; it is retried when berthd starts again', { container: containerId });
      return;
    }
    await deleteNetns(this.runner, att.netnsPath).catch((err) => this.logger.warn('could not delete a network namespace', { container: containerId, err }));
    for (const ep of att.endpoints) this.records.pool(ep.networkId)?.release(ep.ip);
    await this.files.removeAttachment(containerId);
  }

  /** netavark teardown of some endpoints; false (logged) when it failed. */
  private async teardown(att: Attachment, endpoints: readonly Endpoint[], withPorts: boolean, file: string): Promise<boolean> {
    try {
      await writeFile(file, JSON.stringify(this.optionsFor(att, endpoints, withPorts)));
      await this.netavark.teardown(att.netnsPath, file);
      return true;
    } catch (err) {
      this.logger.error('network teardown failed', { container: att.containerId, err: errorMessage(err) });
      return false;
    }
  }

  /** `network connect` for a running container: one more interface in its namespace. */
  async connect(containerId: string, want: EndpointRequest): Promise<Endpoint> {
    const att = this.live.get(containerId);
    if (!att) throw conflict(`container ${shortId(containerId)} is not running`);
    const ep = this.lease({ containerId, containerName: att.containerName, endpoints: [], ports: [] }, want, att.endpoints);
    try {
      await this.netavark.setup(att.netnsPath, this.optionsFor(att, [ep], false), this.files.optionsFile(containerId, `-${ep.endpointId.slice(0, 12)}`));
    } catch (err) {
      this.records.pool(ep.networkId)?.release(ep.ip);
      throw err;
    }
    att.endpoints.push(ep);
    await this.files.saveAttachment(att);
    return ep;
  }

  /** `network disconnect` for a running container. */
  async disconnect(containerId: string, networkId: string): Promise<void> {
    const att = this.live.get(containerId);
    const ep = att?.endpoints.find((e) => e.networkId === networkId);
    if (!att || !ep) return;
    await this.teardown(att, [ep], att.endpoints[0] === ep, this.files.optionsFile(containerId, '-disconnect'));
    att.endpoints = att.endpoints.filter((e) => e !== ep);
    this.records.pool(networkId)?.release(ep.ip);
    await this.files.saveAttachment(att);
  }

  /**
   * After a daemon restart: keeps the attachments of running containers (binding their ports
   * again) and tears down every other one.
   */
  async reconcile(isRunning: (containerId: string) => boolean): Promise<{ kept: number; removed: number }> {
    const counts = { kept: 0, removed: 0 };
    for (const att of [...this.live.values()]) {
      if (this.isKeeper(att.containerId)) continue;
      if (!isRunning(att.containerId)) {
        await this.detach(att.containerId);
        counts.removed++;
        continue;
      }
      const { hold, failed } = await rehold(att.ports, att.endpoints[0]?.ip ?? '');
      this.holds.set(att.containerId, hold);
      if (failed.length > 0) this.logger.warn('could not bind published ports again', { container: att.containerId, ports: failed });
      counts.kept++;
    }
    return counts;
  }

  /** Releases a container's port reservations now; its firewall rules go with the teardown. */
  releasePorts(containerId: string): void {
    this.holds.get(containerId)?.release();
    this.holds.delete(containerId);
  }

  /** Releases the port reservations (daemon shutdown; the firewall rules stay). */
  close(): void {
    for (const h of this.holds.values()) h.release();
    this.holds.clear();
  }

  /** Daemon shutdown: the spare namespaces are deleted. */
  closeSpares(): Promise<void> {
    return this.spares.close();
  }
}
