/**
 * The network subsystem's surface: networks (create, list, inspect, remove, prune) and the
 * attachment of containers to them. The engine owns containers and passes in what it knows of
 * them (names, which ones run).
 */
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { forbidden, invalidArgument, type Logger } from '../core/index.js';
import { Attachments } from './attachments.js';
import { hostSubnets } from './host-nets.js';
import { Netavark, type CommandRunner } from './netavark.js';
import { NetnsPool, poolPrefix } from './netns.js';
import { NetworkRecords, type CreateNetworkRequest, type NetworkDefaults } from './networks.js';
import { NetworkFiles } from './store.js';
import type { NetworkRecord } from './types.js';

export interface NetworkServiceOptions {
  /** data-root/networks */
  recordsDir: string;
  /** exec-root/network */
  execDir: string;
  defaults: NetworkDefaults;
  runner: CommandRunner;
  logger: Logger;
  /** Shared by every berthd of the machine (serialises netavark). */
  lockFile?: string;
}

const BINARY_DIRS = ['/usr/lib/podman', '/usr/libexec/podman', '/usr/local/libexec/podman'];

async function findBinary(name: string): Promise<string> {
  for (const dir of BINARY_DIRS) {
    const p = join(dir, name);
    if (await access(p).then(() => true, () => false)) return p;
  }
  return join(BINARY_DIRS[0]!, name);
}

/** Filters of GET /networks and POST /networks/prune. */
export type NetworkFilters = Record<string, string[]>;

export class NetworkService {
  readonly records: NetworkRecords;
  attachments!: Attachments;
  private readonly files: NetworkFiles;

  constructor(private readonly o: NetworkServiceOptions) {
    this.files = new NetworkFiles(o.recordsDir, o.execDir, o.logger);
    this.records = new NetworkRecords(this.files, o.defaults, hostSubnets, o.logger);
  }

  async init(): Promise<void> {
    await this.files.prepare();
    await this.records.load();
    const netavark = new Netavark({
      netavark: await findBinary('netavark'), aardvark: await findBinary('aardvark-dns'),
      configDir: this.files.netavarkDir, lockFile: this.o.lockFile ?? '/run/lock/berth-netavark.lock',
    }, this.o.runner, this.o.logger);
    const spares = new NetnsPool(this.o.runner, poolPrefix(this.o.execDir), this.o.logger);
    this.attachments = new Attachments(this.records, this.files, netavark, this.o.runner, this.o.logger, spares);
    await this.attachments.load();
  }

  /** The address `--add-host x:host-gateway` means: the default bridge's gateway. */
  hostGateway(): string | undefined {
    return this.records.defaultBridge()?.ipam.config[0]?.Gateway;
  }

  create(req: CreateNetworkRequest): Promise<NetworkRecord> {
    return this.records.create(req);
  }

  /** DELETE /networks/{id}: 403 while containers use it (Docker's wording). */
  async remove(ref: string): Promise<void> {
    const rec = this.records.get(ref);
    if (rec.predefined) throw forbidden(`${rec.name} is a pre-defined network and cannot be removed`);
    if (this.inUse(rec.id)) {
      throw forbidden(`error while removing network: network ${rec.name} id ${rec.id} has active endpoints`);
    }
    await this.attachments.dropKeeper(rec.id);
    await this.records.remove(rec);
  }

  /** GET /networks with Docker's filters (driver, id, label, name, scope, type, dangling). */
  list(filters: NetworkFilters): NetworkRecord[] {
    for (const key of Object.keys(filters)) {
      if (!['driver', 'id', 'label', 'name', 'scope', 'type', 'dangling'].includes(key)) {
        throw invalidArgument(`invalid filter '${key}'`);
      }
    }
    return this.records.all().filter((r) => matches(r, filters, (id) => this.inUse(id))).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** POST /networks/prune: removes unused user networks; returns their names. */
  async prune(filters: NetworkFilters): Promise<string[]> {
    for (const key of Object.keys(filters)) {
      if (!['label', 'label!', 'until'].includes(key)) throw invalidArgument(`invalid filter '${key}'`);
    }
    const removed: string[] = [];
    for (const rec of this.records.all()) {
      if (rec.predefined || this.inUse(rec.id)) continue;
      if (!labelsMatch(rec.labels, filters.label ?? []) || (filters['label!'] ?? []).some((l) => labelsMatch(rec.labels, [l]))) continue;
      if (filters.until?.length && !createdBefore(rec.created, filters.until[0]!)) continue;
      await this.attachments.dropKeeper(rec.id);
      await this.records.remove(rec);
      removed.push(rec.name);
    }
    return removed;
  }

  /** True while a container has an interface on the network. */
  inUse(networkId: string): boolean {
    return this.attachments.usersOf(networkId).length > 0;
  }

  /** Daemon shutdown: port reservations released, idle networks taken down (the used ones stay). */
  async close(): Promise<void> {
    this.attachments?.close();
    await this.attachments?.closeSpares();
    await this.attachments?.dropIdleKeepers();
  }
}

function labelsMatch(labels: Record<string, string>, wanted: readonly string[]): boolean {
  return wanted.every((w) => {
    const i = w.indexOf('=');
    return i < 0 ? w in labels : labels[w.slice(0, i)] === w.slice(i + 1);
  });
}

function createdBefore(created: string, until: string): boolean {
  const t = /^\d+(\.\d+)?$/.test(until) ? Number(until) * 1000 : Date.parse(until);
  if (Number.isNaN(t)) throw invalidArgument(`invalid filter 'until=${until}'`);
  return Date.parse(created) < t;
}

function matches(r: NetworkRecord, f: NetworkFilters, inUse: (id: string) => boolean): boolean {
  const any = (key: string, test: (v: string) => boolean) => !f[key]?.length || f[key]!.some(test);
  if (!any('name', (v) => r.name.includes(v))) return false;
  if (!any('id', (v) => r.id.startsWith(v))) return false;
  if (!any('driver', (v) => r.driver === v)) return false;
  if (!any('scope', (v) => v === 'local')) return false;
  if (!any('type', (v) => {
    if (v !== 'custom' && v !== 'builtin') throw invalidArgument(`invalid filter: 'type'='${v}'`);
    return v === 'builtin' ? !!r.predefined : !r.predefined;
  })) return false;
  if (f.label?.length && !labelsMatch(r.labels, f.label)) return false;
  if (f.dangling?.length) {
    const v = f.dangling[0]!;
    if (!['true', 'false', '1', '0'].includes(v)) throw invalidArgument(`invalid filter 'dangling=${v}'`);
    const dangling = !r.predefined && !inUse(r.id);
    if (dangling !== (v === 'true' || v === '1')) return false;
  }
  return true;
}
