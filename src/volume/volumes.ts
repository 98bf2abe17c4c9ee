/**
 * Volumes with Docker's `local` driver: a directory under data-root/volumes/<name>/_data, or, with
 * driver options (`-o type=tmpfs -o device=tmpfs -o o=size=64m`, `-o type=none -o o=bind -o
 * device=/srv`), a filesystem mounted there while containers use it. Records are JSON files next to
 * the data; which containers use a volume is the engine's knowledge, passed in.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson, conflict, EngineError, invalidArgument, notFound, type Logger } from '../core/index.js';

/** A volume as persisted (data-root/volumes/<name>/volume.json). */
export interface VolumeRecord {
  name: string;
  driver: 'local';
  /** RFC 3339, as Docker prints CreatedAt. */
  createdAt: string;
  labels: Record<string, string>;
  /** Driver options (`-o`): type, device, o. */
  options: Record<string, string>;
  /** Made for one container (`-v /path`, an image VOLUME): removed with it by `rm -v` / `--rm`. */
  anonymous: boolean;
}

/** Runs a command to completion (mount, umount, cp). */
export interface VolumeRunner {
  run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const DRIVER_OPTS = new Set(['type', 'device', 'o']);

export interface CreateVolumeRequest {
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  anonymous?: boolean;
}

export class Volumes {
  private readonly byName = new Map<string, VolumeRecord>();
  /** Mounted driver-option volumes: name → containers using the mount. */
  private readonly mounted = new Map<string, Set<string>>();

  constructor(
    private readonly dir: string,
    private readonly runner: VolumeRunner,
    private readonly logger: Logger,
  ) {}

  async load(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const name of await readdir(this.dir)) {
      try {
        const rec = JSON.parse(await readFile(join(this.dir, name, 'volume.json'), 'utf8')) as VolumeRecord;
        this.byName.set(rec.name, rec);
      } catch (err) {
        this.logger.warn('skipping unreadable volume record', { volume: name, err });
      }
    }
  }

  /** The directory containers see (Docker's Mountpoint). */
  mountpoint(name: string): string {
    return join(this.dir, name, '_data');
  }

  all(): VolumeRecord[] {
    return [...this.byName.values()];
  }

  find(name: string): VolumeRecord | undefined {
    return this.byName.get(name);
  }

  /** Docker's 404: `get NAME: no such volume`. */
  get(name: string): VolumeRecord {
    const rec = this.byName.get(name);
    if (!rec) throw notFound(`get ${name}: no such volume`);
    return rec;
  }

  /**
   * POST /volumes/create: a new volume, or the existing one of that name (Docker answers the
   * existing volume unless the options differ). A missing name makes an anonymous-style random one.
   */
  async create(req: CreateVolumeRequest): Promise<VolumeRecord> {
    const driver = req.driver || 'local';
    if (driver !== 'local') throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    const name = req.name || randomBytes(32).toString('hex');
    if (!NAME.test(name)) {
      throw invalidArgument(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    }
    const options = req.options ?? {};
    for (const k of Object.keys(options)) {
      if (!DRIVER_OPTS.has(k)) throw invalidArgument(`create ${name}: invalid option key: "${k}"`);
    }
    if (Object.keys(options).length > 0 && !options.type) throw invalidArgument(`create ${name}: missing required option: "type"`);
    const existing = this.byName.get(name);
    if (existing) {
      if (Object.keys(options).length > 0 && JSON.stringify(options) !== JSON.stringify(existing.options)) {
        throw conflict(`create ${name}: volume already exists and has different driver options`);
      }
      return existing;
    }
    const rec: VolumeRecord = {
      name, driver: 'local', createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), labels: req.labels ?? {}, options,
      anonymous: req.anonymous ?? false,
    };
    await mkdir(this.mountpoint(name), { recursive: true, mode: 0o755 });
    await atomicWriteJson(join(this.dir, name, 'volume.json'), rec);
    this.byName.set(name, rec);
    this.logger.info('volume created', { volume: name });
    return rec;
  }

  /** Deletes a volume and its data. The caller checked that no container uses it. */
  async remove(name: string): Promise<void> {
    const rec = this.get(name);
    if (this.mounted.has(name)) throw conflict(`remove ${name}: volume is in use`);
    this.byName.delete(name);
    await rm(join(this.dir, rec.name), { recursive: true, force: true });
    this.logger.info('volume removed', { volume: name });
  }

  /** Makes the volume's filesystem available for a container (mounts driver-option volumes once). */
  async acquire(name: string, containerId: string): Promise<string> {
    const rec = this.get(name);
    const mp = this.mountpoint(name);
    if (!rec.options.type) return mp;
    const users = this.mounted.get(name);
    if (users) {
      users.add(containerId);
      return mp;
    }
    const { type, device = '', o = '' } = rec.options;
    const args = type === 'none' || o.split(',').includes('bind')
      ? ['--bind', ...(o ? ['-o', o] : []), device, mp]
      : ['-t', type!, ...(o ? ['-o', o] : []), device || type!, mp];
    await mkdir(mp, { recursive: true });
    const r = await this.runner.run('mount', args);
    if (r.code !== 0) throw new EngineError('internal', `error while mounting volume '${mp}': ${r.stderr.trim()}`);
    this.mounted.set(name, new Set([containerId]));
    return mp;
  }

  /** Counts a container that was using a mounted volume before a daemon restart. */
  adopt(name: string, containerId: string): void {
    const rec = this.byName.get(name);
    if (!rec?.options.type) return;
    const users = this.mounted.get(name) ?? new Set<string>();
    users.add(containerId);
    this.mounted.set(name, users);
  }

  /** The container no longer uses the volume; the last one unmounts it. */
  async release(name: string, containerId: string): Promise<void> {
    const users = this.mounted.get(name);
    if (!users?.delete(containerId) || users.size > 0) return;
    this.mounted.delete(name);
    const r = await this.runner.run('umount', [this.mountpoint(name)]);
    if (r.code !== 0) this.logger.warn('could not unmount a volume', { volume: name, err: r.stderr.trim() });
  }

  /**
   * Copies image content into an empty volume, as Docker does for a new volume mounted over a
   * directory of the image (ownership, modes, links kept).
   */
  async populate(name: string, from: string): Promise<void> {
    const mp = this.mountpoint(name);
    const [src, entries] = await Promise.all([stat(from).catch(() => undefined), readdir(mp).catch(() => ['?'])]);
    if (!src?.isDirectory() || entries.length > 0) return;
    const r = await this.runner.run('cp', ['-a', '--', `${from}/.`, mp]);
    if (r.code !== 0) this.logger.warn('could not copy image content into a volume', { volume: name, err: r.stderr.trim() });
  }

  /** Bytes used under the volume's directory (system df -v). */
  async size(name: string): Promise<number> {
    const r = await this.runner.run('du', ['-s', '-B1', '--', this.mountpoint(name)]);
    return r.code === 0 ? Number(r.stdout.split(/\s/)[0]) || 0 : -1;
  }
}
