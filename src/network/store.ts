/**
 * Where networks and attachments live: network records in data-root/networks/<id>.json (they
 * outlive reboots), attachments in exec-root/network/containers/<id>.json next to the netavark
 * options they were set up with (they die with the kernel state they describe, at reboot).
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { atomicWriteJson, type Logger } from '../core/index.js';
import type { Attachment, NetworkRecord } from './types.js';

export class NetworkFiles {
  readonly attachmentsDir: string;
  /** netavark --config (aardvark-dns state). */
  readonly netavarkDir: string;

  constructor(
    private readonly recordsDir: string,
    execDir: string,
    private readonly logger: Logger,
  ) {
    this.attachmentsDir = join(execDir, 'containers');
    this.netavarkDir = join(execDir, 'netavark');
  }

  async prepare(): Promise<void> {
    await Promise.all([this.recordsDir, this.attachmentsDir, this.netavarkDir].map((d) => mkdir(d, { recursive: true })));
  }

  async loadRecords(): Promise<NetworkRecord[]> {
    return this.readAll<NetworkRecord>(this.recordsDir, '.json', 'network record');
  }

  saveRecord(rec: NetworkRecord): Promise<void> {
    return atomicWriteJson(join(this.recordsDir, `${rec.id}.json`), rec);
  }

  async removeRecord(id: string): Promise<void> {
    await rm(join(this.recordsDir, `${id}.json`), { force: true });
  }

  async loadAttachments(): Promise<Attachment[]> {
    return this.readAll<Attachment>(this.attachmentsDir, '.json', 'attachment');
  }

  saveAttachment(att: Attachment): Promise<void> {
    // exec-root state: it must outlive berthd, not the machine
    return atomicWriteJson(join(this.attachmentsDir, `${att.containerId}.json`), att, { volatile: true });
  }

  /** The netavark options an attachment (or one of its networks) was set up with. */
  optionsFile(containerId: string, suffix = ''): string {
    return join(this.attachmentsDir, `${containerId}${suffix}.netavark`);
  }

  async removeAttachment(containerId: string): Promise<void> {
    const names = await readdir(this.attachmentsDir).catch(() => [] as string[]);
    await Promise.all(names.filter((n) => n.startsWith(containerId)).map((n) => rm(join(this.attachmentsDir, n), { force: true })));
  }

  private async readAll<T>(dir: string, ext: string, what: string): Promise<T[]> {
    const out: T[] = [];
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith(ext) || name.startsWith('.')) continue;
      try {
        out.push(JSON.parse(await readFile(join(dir, name), 'utf8')) as T);
      } catch (err) {
        this.logger.warn(`skipping unreadable ${what}`, { file: name, err });
      }
    }
    return out;
  }
}
