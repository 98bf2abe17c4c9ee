/**
 * The network records: the predefined bridge, host and none networks, user networks created by
 * `network create`, lookup by name / id / id prefix, and removal. Address pools live here too.
 */
import { conflict, EngineError, invalidArgument, newId, notFound, type Logger } from '../core/index.js';
import { AddressPool } from './ipam.js';
import { contains, DEFAULT_POOLS, formatCidr, formatIp, overlaps, parseCidr, parseIp, pickSubnet, type Cidr } from './ip.js';
import type { NetworkFiles } from './store.js';
import type { IpamConfigEntry, NetworkRecord } from './types.js';

export const BRIDGE_NAME_OPT = 'com.docker.network.bridge.name';
export const MTU_OPT = 'com.docker.network.driver.mtu';

export interface NetworkDefaults {
  /** The default network's bridge interface; 'none' disables the default network. */
  bridge: string;
  /** --bip: the default bridge's gateway address with prefix (e.g. 172.17.0.1/16); picked if unset. */
  bip?: string;
  /** daemon.json default-address-pools. */
  pools?: ReadonlyArray<{ base: string; size: number }>;
  mtu?: number;
}

/** POST /networks/create, already checked for shape. */
export interface CreateNetworkRequest {
  name: string;
  driver: string;
  internal: boolean;
  attachable: boolean;
  labels: Record<string, string>;
  options: Record<string, string>;
  ipam: { driver: string; options: Record<string, string> | null; config: Array<{ Subnet?: string; Gateway?: string; IPRange?: string }> };
  enableIPv6: boolean;
}

/** Docker's Created timestamp: RFC 3339 with nanoseconds. */
function nowCreated(): string {
  return new Date().toISOString().replace('Z', '000000Z');
}

export class NetworkRecords {
  private readonly byId = new Map<string, NetworkRecord>();
  private readonly pools = new Map<string, AddressPool>();

  constructor(
    private readonly files: NetworkFiles,
    private readonly defaults: NetworkDefaults,
    private readonly hostSubnets: () => Promise<Cidr[]>,
    private readonly logger: Logger,
  ) {}

  /** Loads the records and makes sure bridge (unless disabled), host and none exist. */
  async load(): Promise<void> {
    for (const rec of await this.files.loadRecords()) this.put(rec);
    await this.ensurePredefined('host', 'host');
    await this.ensurePredefined('none', 'null');
    if (this.defaults.bridge !== 'none') await this.ensureDefaultBridge();
  }

  private put(rec: NetworkRecord): void {
    this.byId.set(rec.id, rec);
    if (rec.driver === 'bridge') this.pools.set(rec.id, new AddressPool(poolConfig(rec.ipam.config[0]!)));
  }

  private async ensurePredefined(name: string, driver: 'host' | 'null'): Promise<void> {
    if (this.find(name)) return;
    const rec: NetworkRecord = {
      id: newId(), name, created: nowCreated(), driver, internal: false, attachable: false, labels: {}, options: {},
      ipam: { driver: 'default', options: null, config: [] }, dns: false, predefined: true,
    };
    await this.files.saveRecord(rec);
    this.put(rec);
  }

  private async ensureDefaultBridge(): Promise<void> {
    const existing = this.find('bridge');
    let cfg: IpamConfigEntry;
    if (this.defaults.bip) {
      const bip = parseCidr(this.defaults.bip);
      cfg = { Subnet: formatCidr(bip), Gateway: formatIp(bip.address) };
    } else if (existing?.ipam.config[0]) {
      cfg = existing.ipam.config[0];
    } else {
      const subnet = pickSubnet(DEFAULT_POOLS, [...(await this.hostSubnets()), ...this.subnets()]);
      if (!subnet) throw new EngineError('internal', 'could not find a free subnet for the default bridge network; set one with --bip');
      cfg = { Subnet: formatCidr(subnet), Gateway: formatIp(subnet.base + 1) };
    }
    const mtu = this.defaults.mtu ?? 1500;
    const rec: NetworkRecord = {
      id: existing?.id ?? newId(), name: 'bridge', created: existing?.created ?? nowCreated(), driver: 'bridge',
      internal: false, attachable: false, labels: {},
      options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        [BRIDGE_NAME_OPT]: this.defaults.bridge,
        [MTU_OPT]: String(mtu),
      },
      ipam: { driver: 'default', options: null, config: [cfg] },
      bridge: this.defaults.bridge, ...(this.defaults.mtu ? { mtu } : {}), dns: false, predefined: true,
    };
    if (JSON.stringify(rec) !== JSON.stringify(existing)) await this.files.saveRecord(rec);
    this.put(rec);
  }

  /** Every network. */
  all(): NetworkRecord[] {
    return [...this.byId.values()];
  }

  /** The default network, if enabled. */
  defaultBridge(): NetworkRecord | undefined {
    const rec = this.find('bridge');
    return rec?.predefined && rec.driver === 'bridge' ? rec : undefined;
  }

  /** By exact id, exact name, or unique id prefix (Docker's order). */
  find(ref: string): NetworkRecord | undefined {
    const byId = this.byId.get(ref);
    if (byId) return byId;
    for (const rec of this.byId.values()) if (rec.name === ref) return rec;
    const matches = ref.length > 0 ? [...this.byId.values()].filter((r) => r.id.startsWith(ref)) : [];
    return matches.length === 1 ? matches[0] : undefined;
  }

  /** Like find; throws Docker's 404 `network X not found`. */
  get(ref: string): NetworkRecord {
    const rec = this.find(ref);
    if (!rec) throw notFound(`network ${ref} not found`);
    return rec;
  }

  pool(id: string): AddressPool | undefined {
    return this.pools.get(id);
  }

  private subnets(): Cidr[] {
    return this.all().flatMap((r) => r.ipam.config.map((c) => parseCidr(c.Subnet)));
  }

  /** `network create`. Throws conflict for a taken name, forbidden for overlapping subnets. */
  async create(req: CreateNetworkRequest): Promise<NetworkRecord> {
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(req.name)) {
      throw invalidArgument(`invalid network name "${req.name}": must match [a-zA-Z0-9][a-zA-Z0-9_.-]*`);
    }
    if (this.find(req.name)?.name === req.name) throw conflict(`network with name ${req.name} already exists`);
    const driver = req.driver || 'bridge';
    if (driver === 'host' || driver === 'null') {
      throw new EngineError('forbidden', `only one instance of "${driver}" network is allowed`);
    }
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    if (req.enableIPv6) throw new EngineError('not-implemented', 'IPv6 networks are not supported by berth yet');
    if (req.ipam.config.length > 1) throw new EngineError('not-implemented', 'berth networks have one IPv4 subnet');
    const cfg = await this.ipamConfig(req.ipam.config[0] ?? {});
    const id = newId();
    const bridge = req.options[BRIDGE_NAME_OPT] ?? `br-${id.slice(0, 12)}`;
    if (bridge.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(bridge)) throw invalidArgument(`invalid bridge name: ${bridge}`);
    if (this.all().some((r) => r.bridge === bridge)) throw conflict(`bridge name ${bridge} is already used by another network`);
    const mtuText = req.options[MTU_OPT];
    const mtu = mtuText !== undefined ? Number(mtuText) : undefined;
    if (mtu !== undefined && !(Number.isInteger(mtu) && mtu >= 68 && mtu <= 65535)) {
      throw invalidArgument(`invalid MTU value: ${mtuText}`);
    }
    const rec: NetworkRecord = {
      id, name: req.name, created: nowCreated(), driver: 'bridge', internal: req.internal, attachable: req.attachable,
      labels: req.labels, options: req.options,
      ipam: { driver: req.ipam.driver || 'default', options: req.ipam.options, config: [cfg] },
      bridge, ...(mtu !== undefined ? { mtu } : {}), dns: true, ...(req.ipam.config[0]?.Subnet ? { userSubnet: true } : {}),
    };
    await this.files.saveRecord(rec);
    this.put(rec);
    this.logger.info('network created', { network: rec.id, name: rec.name, subnet: cfg.Subnet, bridge });
    return rec;
  }

  private async ipamConfig(c: { Subnet?: string; Gateway?: string; IPRange?: string }): Promise<IpamConfigEntry> {
    let subnet: Cidr;
    if (c.Subnet) {
      subnet = parseCidr(c.Subnet, { strict: true });
      if (subnet.prefix > 30) throw invalidArgument(`invalid subnet ${c.Subnet}: too small for a network`);
      const clash = this.all().find((r) => r.ipam.config.some((x) => overlaps(parseCidr(x.Subnet), subnet)));
      if (clash) throw new EngineError('forbidden', `Pool overlaps with other one on this address space`);
    } else {
      if (c.Gateway || c.IPRange) throw invalidArgument('a gateway or ip-range needs a subnet (--subnet)');
      const picked = pickSubnet(this.defaults.pools ?? DEFAULT_POOLS, [...this.subnets(), ...(await this.hostSubnets())]);
      if (!picked) {
        throw new EngineError('forbidden', 'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
      }
      subnet = picked;
    }
    let gateway = subnet.base + 1;
    if (c.Gateway) {
      const g = parseIp(c.Gateway);
      if (g === undefined) throw invalidArgument(`invalid gateway address ${c.Gateway}`);
      if (!contains(subnet, g)) throw new EngineError('forbidden', `no matching subnet for gateway ${c.Gateway}`);
      gateway = g;
    }
    const entry: IpamConfigEntry = { Subnet: formatCidr(subnet), Gateway: formatIp(gateway) };
    if (c.IPRange) {
      const range = parseCidr(c.IPRange, { strict: true });
      if (!contains(subnet, range.base) || range.prefix < subnet.prefix) {
        throw new EngineError('forbidden', `no matching subnet for range ${c.IPRange}`);
      }
      entry.IPRange = formatCidr(range);
    }
    return entry;
  }

  /** Deletes a user network's record (the caller checked that nothing uses it). */
  async remove(rec: NetworkRecord): Promise<void> {
    if (rec.predefined) throw new EngineError('forbidden', `${rec.name} is a pre-defined network and cannot be removed`);
    await this.files.removeRecord(rec.id);
    this.byId.delete(rec.id);
    this.pools.delete(rec.id);
    this.logger.info('network removed', { network: rec.id, name: rec.name });
  }
}

function poolConfig(c: IpamConfigEntry): { subnet: string; gateway: string; ipRange?: string } {
  return { subnet: c.Subnet, gateway: c.Gateway, ...(c.IPRange ? { ipRange: c.IPRange } : {}) };
}
