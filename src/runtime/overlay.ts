/**
 * The container rootfs: an overlay mount of the image layers (lowerdirs) and the container's
 * upper/work dirs at <bundle>/rootfs, via `mount(8)` through the Host seam. With a busybox at
 * hand its mount and umount applets are used: they start ~0.7 ms faster than util-linux's, which
 * load libmount and friends, and every container start and removal runs one of each.
 */
import { mkdir, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { internal } from '../core/index.js';
import type { Host } from './host.js';

/** mount(2) copies at most one page of option data. */
const MAX_OPTIONS = 4000;

export interface OverlayLayout {
  lowerDirs: string[];
  upperDir: string;
  workDir: string;
}

export interface OverlayMountCommand {
  args: string[];
  /** Run mount with this cwd (relative lowerdirs), if set. */
  cwd?: string;
  /** Symlinks to create first: [linkPath, target]. */
  links: [string, string][];
}

/**
 * Plans the mount command. With short paths the options are absolute; when they would exceed a
 * page, each lowerdir gets a short symlink in `linkDir` and mount runs there with relative names.
 */
export function overlayMountCommand(l: OverlayLayout, target: string, linkDir: string): OverlayMountCommand {
  if (l.lowerDirs.length === 0) throw internal('overlay needs at least one lower dir');
  const abs = `lowerdir=${l.lowerDirs.join(':')},upperdir=${l.upperDir},workdir=${l.workDir}`;
  if (abs.length <= MAX_OPTIONS) return { args: ['-t', 'overlay', 'overlay', '-o', abs, target], links: [] };
  const names = l.lowerDirs.map((_, i) => i.toString(36));
  const links = l.lowerDirs.map((d, i): [string, string] => [join(linkDir, names[i] ?? String(i)), d]);
  const rel = `lowerdir=${names.join(':')},upperdir=${l.upperDir},workdir=${l.workDir}`;
  if (rel.length > MAX_OPTIONS) throw internal(`too many layers for overlay (${l.lowerDirs.length})`);
  return { args: ['-t', 'overlay', 'overlay', '-o', rel, target], cwd: linkDir, links };
}

/** Runs mount(8) or umount(8): busybox's applet when `busybox` is set. */
function mountTool(host: Host, busybox: string | undefined, tool: 'mount' | 'umount', args: string[], opts: { cwd?: string } = {}) {
  return busybox ? host.run(busybox, [tool, ...args], opts) : host.run(tool, args, opts);
}

/** Mounts the overlay rootfs at target (creating target, upper and work dirs). */
export async function mountOverlay(host: Host, l: OverlayLayout, target: string, linkDir: string, busybox?: string): Promise<void> {
  const cmd = overlayMountCommand(l, target, linkDir);
  await Promise.all([mkdir(target, { recursive: true }), mkdir(l.upperDir, { recursive: true }), mkdir(l.workDir, { recursive: true })]);
  if (cmd.links.length > 0) {
    await rm(linkDir, { recursive: true, force: true });
    await mkdir(linkDir, { recursive: true });
    await Promise.all(cmd.links.map(([link, to]) => symlink(to, link)));
  }
  const r = await mountTool(host, busybox, 'mount', cmd.args, cmd.cwd ? { cwd: cmd.cwd } : {});
  if (r.code !== 0) throw internal(`mount overlay at ${target}: ${r.stderr.trim() || `exit ${r.code}`}`);
}

/** umount's words for "nothing is mounted there" (util-linux's, then busybox's EINVAL). */
function notMounted(stderr: string): boolean {
  const err = stderr.toLowerCase();
  return ['not mounted', 'no mount point', 'no such file', 'not found', 'invalid argument'].some((w) => err.includes(w));
}

/** Unmounts target; lazily if busy; silent when it is not mounted or gone. */
export async function unmountRootfs(host: Host, target: string, busybox?: string): Promise<void> {
  const r = await mountTool(host, busybox, 'umount', [target]);
  if (r.code === 0 || notMounted(r.stderr)) return;
  const lazy = await mountTool(host, busybox, 'umount', ['-l', target]);
  if (lazy.code !== 0 && !notMounted(lazy.stderr)) {
    throw internal(`umount ${target}: ${lazy.stderr.trim() || r.stderr.trim()}`);
  }
}
