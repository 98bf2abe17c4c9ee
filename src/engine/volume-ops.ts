/**
 * Volumes as containers use them: made at create (named, anonymous, the image's VOLUMEs),
 * mounted and populated from the image at start, released at exit, removed with `rm -v` / `--rm`;
 * and the /volumes use cases that need to know which containers use a volume.
 */
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { conflict, invalidArgument, type Logger } from '../core/index.js';
import type { Volumes, VolumeRecord } from '../volume/index.js';
import type { MountPointRecord } from './record.js';
import type { VolumeAccess } from './mounts.js';
import type { ContainerStore } from './store.js';

/** Docker's volume JSON (GET /volumes/{name}). */
export function volumeView(v: VolumeRecord, mountpoint: string, usage?: { Size: number; RefCount: number }): Record<string, unknown> {
  return {
    CreatedAt: v.createdAt, Driver: v.driver, Labels: v.labels, Mountpoint: mountpoint, Name: v.name,
    Options: Object.keys(v.options).length > 0 ? v.options : null, Scope: 'local',
    ...(usage ? { UsageData: usage } : {}),
  };
}

export class ContainerVolumes {
  constructor(
    readonly volumes: Volumes,
    private readonly store: ContainerStore,
    private readonly logger: Logger,
  ) {}

  /** Volume access for one create; `made` collects the anonymous volumes it made. */
  access(made: string[]): VolumeAccess {
    return {
      ensure: async (name, opts) => {
        const v = await this.volumes.create({ ...(name ? { name } : { anonymous: true }), ...opts });
        if (!name) made.push(v.name);
        return { name: v.name, mountpoint: this.volumes.mountpoint(v.name) };
      },
    };
  }

  /** Ids of containers (any state) whose mounts use the volume. */
  users(name: string): string[] {
    return this.store.all().filter((r) => r.mounts.some((m) => m.type === 'volume' && m.name === name)).map((r) => r.id);
  }

  private static volumesOf(points: readonly MountPointRecord[]): MountPointRecord[] {
    return points.filter((p) => p.type === 'volume' && p.name);
  }

  /** Mounts driver-option volumes for a start. */
  async acquire(id: string, points: readonly MountPointRecord[]): Promise<void> {
    for (const p of ContainerVolumes.volumesOf(points)) await this.volumes.acquire(p.name!, id);
  }

  async release(id: string, points: readonly MountPointRecord[]): Promise<void> {
    for (const p of ContainerVolumes.volumesOf(points)) {
      await this.volumes.release(p.name!, id).catch((err) => this.logger.warn('volume release failed', { volume: p.name, err }));
    }
  }

  /**
   * Copies the image's content at each volume's destination into the volume while it is empty
   * (Docker's copy-up). `rootfs` is the container's root on the host; a destination that passes
   * through a symlink in the image is left alone.
   */
  async populate(rootfs: string, points: readonly MountPointRecord[]): Promise<void> {
    for (const p of ContainerVolumes.volumesOf(points)) {
      if (!p.copyData) continue;
      let path = rootfs;
      let safe = true;
      for (const part of p.destination.split('/').filter(Boolean)) {
        path = join(path, part);
        const st = await lstat(path).catch(() => undefined);
        if (!st || st.isSymbolicLink()) {
          safe = false;
          break;
        }
      }
      if (safe) await this.volumes.populate(p.name!, path);
    }
  }

  /** Removes the anonymous volumes of a removed container that no other container uses. */
  async removeAnonymous(points: readonly MountPointRecord[], removedId: string): Promise<void> {
    for (const p of ContainerVolumes.volumesOf(points)) {
      const v = this.volumes.find(p.name!);
      if (!v?.anonymous || this.users(v.name).some((id) => id !== removedId)) continue;
      await this.volumes.remove(v.name).catch((err) => this.logger.warn('could not remove an anonymous volume', { volume: v.name, err }));
    }
  }

  /** Removes anonymous volumes by name (a create that failed after making them). */
  async removeAnonymousByName(names: readonly string[]): Promise<void> {
    for (const n of names) if (this.users(n).length === 0) await this.volumes.remove(n).catch(() => {});
  }

  /** DELETE /volumes/{name}: 409 while a container uses it; with force a missing volume is fine. */
  async remove(name: string, force: boolean): Promise<void> {
    if (force && !this.volumes.find(name)) return;
    this.volumes.get(name);
    const users = this.users(name);
    if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await this.volumes.remove(name);
  }

  /** GET /volumes with filters dangling, name, label, driver. */
  list(filters: Record<string, string[]>): VolumeRecord[] {
    for (const k of Object.keys(filters)) {
      if (!['dangling', 'name', 'label', 'driver'].includes(k)) throw invalidArgument(`invalid filter '${k}'`);
    }
    return this.volumes.all().filter((v) => this.matches(v, filters)).sort((a, b) => a.name.localeCompare(b.name));
  }

  private matches(v: VolumeRecord, f: Record<string, string[]>): boolean {
    if (f.name?.length && !f.name.some((n) => v.name.includes(n))) return false;
    if (f.driver?.length && !f.driver.includes(v.driver)) return false;
    if (f.label?.length && !f.label.every((l) => {
      const i = l.indexOf('=');
      return i < 0 ? l in v.labels : v.labels[l.slice(0, i)] === l.slice(i + 1);
    })) return false;
    if (f.dangling?.length) {
      const want = f.dangling[0];
      if (!['true', 'false', '1', '0'].includes(want!)) throw invalidArgument(`invalid filter 'dangling=${want}'`);
      if ((this.users(v.name).length === 0) !== (want === 'true' || want === '1')) return false;
    }
    return true;
  }

  /** POST /volumes/prune: unused anonymous volumes (all unused ones with `all=true`). */
  async prune(filters: Record<string, string[]>): Promise<{ VolumesDeleted: string[]; SpaceReclaimed: number }> {
    const all = (filters.all ?? []).some((v) => v === 'true' || v === '1');
    const labels = filters.label ?? [];
    const deleted: string[] = [];
    let space = 0;
    for (const v of this.volumes.all()) {
      if ((!all && !v.anonymous) || this.users(v.name).length > 0) continue;
      if (!this.matches(v, { label: labels })) continue;
      const size = await this.volumes.size(v.name);
      await this.volumes.remove(v.name);
      deleted.push(v.name);
      space += Math.max(size, 0);
    }
    return { VolumesDeleted: deleted, SpaceReclaimed: space };
  }
}
