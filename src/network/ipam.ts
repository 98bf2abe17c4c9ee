/**
 * Address management for one network: which addresses are leased, and the next free one.
 * In memory only; the daemon rebuilds it at start from the attachments it finds (exec root).
 */
import { conflict, EngineError, invalidArgument } from '../core/index.js';
import { contains, formatCidr, formatIp, parseCidr, parseIp, sizeOf, type Cidr } from './ip.js';

export interface PoolConfig {
  subnet: string;
  gateway: string;
  /** --ip-range: leases come from here (static addresses may be anywhere in the subnet). */
  ipRange?: string;
}

export class AddressPool {
  private readonly subnet: Cidr;
  private readonly range: Cidr;
  private readonly gateway: number;
  private readonly leased = new Set<number>();

  constructor(cfg: PoolConfig) {
    this.subnet = parseCidr(cfg.subnet);
    this.range = cfg.ipRange ? parseCidr(cfg.ipRange) : this.subnet;
    this.gateway = parseIp(cfg.gateway) ?? this.subnet.base + 1;
  }

  /**
   * Leases `wanted` (the container's --ip) or the next free address. Throws invalid-argument for
   * an address outside the subnet, conflict when it is taken, unavailable when none is left.
   */
  lease(wanted?: string): string {
    if (wanted) {
      const ip = parseIp(wanted);
      if (ip === undefined) throw invalidArgument(`invalid IPv4 address: ${wanted}`);
      if (!contains(this.subnet, ip)) {
        throw invalidArgument(`Invalid address ${wanted}: It does not belong to any of this network's subnets`);
      }
      if (this.leased.has(ip) || ip === this.gateway || !this.isHost(ip)) {
        throw conflict(`Address already in use`);
      }
      this.leased.add(ip);
      return wanted;
    }
    // the lowest free address, as Docker's IPAM hands them out
    const end = this.range.base + sizeOf(this.range);
    for (let ip = this.range.base; ip < end; ip++) {
      if (this.leased.has(ip) || ip === this.gateway || !this.isHost(ip)) continue;
      this.leased.add(ip);
      return formatIp(ip);
    }
    throw new EngineError('unavailable', `no available IPv4 addresses on this network's address pools: ${formatCidr(this.subnet)}`);
  }

  /** Marks an address leased (rebuilding state at start); false if it was already. */
  reserve(ip: string): boolean {
    const n = parseIp(ip);
    if (n === undefined || this.leased.has(n)) return false;
    this.leased.add(n);
    return true;
  }

  release(ip: string): void {
    const n = parseIp(ip);
    if (n !== undefined) this.leased.delete(n);
  }

  /** The subnet's last host address (the network keeper's). */
  lastHost(): string {
    const last = this.subnet.base + sizeOf(this.subnet) - (this.subnet.prefix >= 31 ? 1 : 2);
    return formatIp(last === this.gateway ? last - 1 : last);
  }

  get prefix(): number {
    return this.subnet.prefix;
  }

  /** Neither the network nor the broadcast address. */
  private isHost(ip: number): boolean {
    if (this.subnet.prefix >= 31) return true;
    return ip !== this.subnet.base && ip !== this.subnet.base + sizeOf(this.subnet) - 1;
  }
}
