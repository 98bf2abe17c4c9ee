/**
 * Container records on disk (data-root/containers/<id>/container.json) and in memory,
 * with the name index. Every change is persisted atomically before it is visible.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson, conflict, invalidArgument, notFound, type Logger } from '../core/index.js';
import type { ContainerRecord } from './record.js';
import type { ContainerPaths } from './views.js';

export class ContainerStore {
  private readonly byId = new Map<string, ContainerRecord>();
  /** The write in flight or waiting per record (see save). */
  private readonly saves = new Map<string, { waiting: boolean; done: Promise<void> }>();
  private readonly byName = new Map<string, string>();
  private orphanIds: string[] = [];

  constructor(
    private readonly dataDir: string,
    private readonly execDir: string,
    private readonly log: Logger,
  ) {}

  /**
   * Loads every record; unreadable ones are logged and skipped (their directory is kept).
   * Directories without a record are remembered as orphans for the caller to clean up.
   */
  async load(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true });
    for (const id of await readdir(this.dataDir)) {
      let text: string;
      try {
        text = await readFile(join(this.dataDir, id, 'container.json'), 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT' && /^[a-f0-9]{64}$/.test(id)) this.orphanIds.push(id);
        else this.log.warn('skipping unreadable container record', { container: id, err });
        continue;
      }
      try {
        const rec = JSON.parse(text) as ContainerRecord;
        this.byId.set(rec.id, rec);
        this.byName.set(rec.name, rec.id);
      } catch (err) {
        this.log.warn('skipping unreadable container record', { container: id, err });
      }
    }
  }

  paths(id: string): ContainerPaths {
    const dir = join(this.dataDir, id);
    return {
      dir,
      logPath: join(dir, 'ctr.log'),
      hostnamePath: join(dir, 'hostname'),
      hostsPath: join(dir, 'hosts'),
      resolvConfPath: join(dir, 'resolv.conf'),
      upperDir: join(dir, 'upper'),
      workDir: join(dir, 'work'),
      bundleDir: join(this.execDir, id),
    };
  }

  all(): ContainerRecord[] {
    return [...this.byId.values()];
  }

  /** Finds by full id, name (with or without '/'), or unique id prefix, as Docker does. */
  find(ref: string): ContainerRecord | undefined {
    const exact = this.byId.get(ref);
    if (exact) return exact;
    const byName = this.byName.get(ref.startsWith('/') ? ref.slice(1) : ref);
    if (byName) return this.byId.get(byName);
    if (!/^[a-f0-9]+$/.test(ref)) return undefined;
    const matches = [...this.byId.keys()].filter((id) => id.startsWith(ref));
    if (matches.length > 1) throw invalidArgument(`multiple IDs found with provided prefix: ${ref}`);
    return matches[0] ? this.byId.get(matches[0]) : undefined;
  }

  /** Like find, but throws 404 "No such container: REF". */
  get(ref: string): ContainerRecord {
    const rec = this.find(ref);
    if (!rec) throw notFound(`No such container: ${ref}`);
    return rec;
  }

  /** Throws Docker's 409 if the name is taken by another container. */
  checkName(name: string, exceptId?: string): void {
    const owner = this.byName.get(name);
    if (owner && owner !== exceptId) {
      throw conflict(`Conflict. The container name "/${name}" is already in use by container "${owner}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
  }

  async add(rec: ContainerRecord): Promise<void> {
    this.checkName(rec.name);
    this.byName.set(rec.name, rec.id);
    this.byId.set(rec.id, rec);
    try {
      await atomicWriteJson(join(this.dataDir, rec.id, 'container.json'), rec);
    } catch (err) {
      this.byId.delete(rec.id);
      this.byName.delete(rec.name);
      throw err;
    }
  }

  /**
   * Rewrites an added record (its directory exists; see atomicWrite's `replace`). Writes of one
   * record run one at a time, each taking the record as it is when the write begins, and a save
   * asked for while another waits joins it: the last state always lands last, even when a caller
   * does not wait for its save (start answers before its record reaches the disk).
   */
  save(rec: ContainerRecord): Promise<void> {
    const queued = this.saves.get(rec.id);
    if (queued?.waiting) return queued.done;
    const entry = { waiting: true, done: Promise.resolve() };
    entry.done = (queued?.done ?? Promise.resolve())
      .catch(() => {})
      .then(() => {
        entry.waiting = false;
        // forgotten meanwhile (removed): writing now would bring the record back
        if (this.byId.get(rec.id) !== rec) return;
        return atomicWriteJson(join(this.dataDir, rec.id, 'container.json'), rec, { replace: true });
      })
      .finally(() => {
        if (this.saves.get(rec.id) === entry) this.saves.delete(rec.id);
      });
    this.saves.set(rec.id, entry);
    return entry.done;
  }

  async rename(rec: ContainerRecord, name: string): Promise<void> {
    this.checkName(name, rec.id);
    this.byName.delete(rec.name);
    rec.name = name;
    this.byName.set(name, rec.id);
    await this.save(rec);
  }

  /** Drops the record: out of the index and off the disk (the directory stays for purge). */
  async forget(rec: ContainerRecord): Promise<void> {
    this.byId.delete(rec.id);
    if (this.byName.get(rec.name) === rec.id) this.byName.delete(rec.name);
    await this.saves.get(rec.id)?.done.catch(() => {});
    await rm(join(this.dataDir, rec.id, 'container.json'), { force: true });
  }

  /** Removes a container's directory (upper dir, logs, record). */
  async purge(id: string): Promise<void> {
    await rm(join(this.dataDir, id), { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
  }

  /** Ids of directories without a record: removals or creations cut short by a crash. */
  orphans(): string[] {
    return this.orphanIds;
  }
}
