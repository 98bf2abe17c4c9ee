/**
 * HostConfig.Binds, HostConfig.Mounts and HostConfig.Tmpfs → the runtime's mount requests and
 * the MountPoints that inspect shows. Follows Docker's validation: `-v` creates a missing bind
 * source, `--mount type=bind` refuses it.
 */
import { mkdir, stat } from 'node:fs/promises';
import { isAbsolute, normalize } from 'node:path';
import { invalidArgument } from '../core/index.js';
import type { HostConfig, MountSpec } from '../protocol/index.js';
import type { MountRequest } from '../runtime/types.js';
import type { MountPointRecord } from './record.js';

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

function checkTarget(target: string): string {
  if (!target) throw invalidArgument('invalid mount config: Target must not be empty');
  if (!isAbsolute(target)) throw invalidArgument(`invalid mount path: '${target}' mount path must be absolute`);
  if (normalize(target) === '/') throw invalidArgument('invalid specification: destination can\'t be \'/\'');
  return normalize(target);
}

/** One `-v` entry: a bind (absolute source), a named volume, or an anonymous volume (`-v /path`). */
export interface BindSpec {
  kind: 'bind' | 'volume' | 'anonymous';
  source: string;
  destination: string;
  readonly: boolean;
  propagation: string;
  mode: string;
  nocopy: boolean;
}

/** Parses one `-v src:dst[:opts]` (or `-v /dst`) entry with Docker's rules. */
export function parseBind(spec: string): BindSpec {
  const parts = spec.split(':');
  if (parts.length === 1 && isAbsolute(spec)) {
    return { kind: 'anonymous', source: '', destination: checkTarget(spec), readonly: false, propagation: '', mode: '', nocopy: false };
  }
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => p === '' && i < 2)) {
    throw invalidArgument(`invalid volume specification: '${spec}'`);
  }
  const [source, destination, modeStr = ''] = parts as [string, string, string?];
  const kind = isAbsolute(source) ? 'bind' : 'volume';
  let readonly = false;
  let propagation = kind === 'bind' ? 'rprivate' : '';
  let nocopy = false;
  for (const opt of modeStr.split(',').filter(Boolean)) {
    if (opt === 'ro') readonly = true;
    else if (opt === 'rw') readonly = false;
    else if (PROPAGATIONS.has(opt)) {
      if (kind === 'volume') throw invalidArgument(`invalid mode: ${opt}`);
      propagation = opt;
    } else if (opt === 'nocopy') nocopy = true;
    else if (opt === 'z' || opt === 'Z' || opt === 'consistent' || opt === 'cached' || opt === 'delegated') continue;
    else throw invalidArgument(`invalid mode: ${opt}`);
  }
  return {
    kind, source: kind === 'bind' ? normalize(source) : source, destination: checkTarget(destination), readonly, propagation,
    mode: kind === 'volume' && modeStr === '' ? 'z' : modeStr, nocopy,
  };
}

function tmpfsOptions(spec: MountSpec['TmpfsOptions'] | undefined, extra: string[] = []): string[] {
  const opts = ['noexec', 'nosuid', 'nodev'];
  if (spec?.SizeBytes) opts.push(`size=${spec.SizeBytes}`);
  if (spec?.Mode !== undefined) opts.push(`mode=${spec.Mode.toString(8)}`);
  for (const o of spec?.Options ?? []) opts.push(o.join('='));
  for (const o of extra) {
    const key = o.split('=')[0]!;
    const negated: Record<string, string> = { exec: 'noexec', suid: 'nosuid', dev: 'nodev' };
    const drop = negated[key];
    const idx = drop ? opts.indexOf(drop) : -1;
    if (idx >= 0) opts.splice(idx, 1);
    opts.push(o);
  }
  return opts;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

/** What mount resolution needs of volumes: get one by name, or make one (anonymous without a name). */
export interface VolumeAccess {
  ensure(name: string | undefined, opts: { labels?: Record<string, string>; options?: Record<string, string> }): Promise<{ name: string; mountpoint: string }>;
}

export interface MountContext {
  volumes: VolumeAccess;
  /** The image's VOLUME paths: each unclaimed one gets an anonymous volume. */
  imageVolumes?: Record<string, unknown> | null;
  /** --volumes-from: another container's mount points. */
  volumesFrom?: (ref: string) => MountPointRecord[];
}

/**
 * Resolves every mount of a create request into the mount points to record: binds (`-v` creates
 * a missing source, `--mount` refuses it), named and anonymous volumes (made here), tmpfs, the
 * image's VOLUMEs and --volumes-from. Throws Docker's 400s.
 */
export async function resolveMounts(hc: HostConfig, ctx: MountContext): Promise<MountPointRecord[]> {
  const points: MountPointRecord[] = [];
  const seen = new Set<string>();
  const claim = (dest: string): void => {
    if (seen.has(dest)) throw invalidArgument(`Duplicate mount point: ${dest}`);
    seen.add(dest);
  };
  const volume = async (name: string | undefined, dest: string, o: { rw: boolean; mode: string; nocopy: boolean; labels?: Record<string, string>; options?: Record<string, string> }) => {
    const v = await ctx.volumes.ensure(name, { ...(o.labels ? { labels: o.labels } : {}), ...(o.options ? { options: o.options } : {}) });
    points.push({
      type: 'volume', name: v.name, driver: 'local', source: v.mountpoint, destination: dest, rw: o.rw, mode: o.mode,
      propagation: '', copyData: !o.nocopy,
    });
  };
  for (const spec of hc.Binds ?? []) {
    const b = parseBind(spec);
    claim(b.destination);
    if (b.kind === 'bind') {
      if (!(await exists(b.source))) await mkdir(b.source, { recursive: true });
      points.push({
        type: 'bind', source: b.source, destination: b.destination, rw: !b.readonly, mode: b.mode, propagation: b.propagation, createSource: true,
      });
    } else {
      await volume(b.kind === 'volume' ? b.source : undefined, b.destination, { rw: !b.readonly, mode: b.mode, nocopy: b.nocopy });
    }
  }
  for (const m of hc.Mounts ?? []) {
    const target = checkTarget(m.Target ?? '');
    claim(target);
    if (m.Type === 'bind') {
      if (!m.Source) throw invalidArgument('invalid mount config for type "bind": field Source must not be empty');
      if (!isAbsolute(m.Source)) throw invalidArgument(`invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
      if (!(await exists(m.Source))) {
        throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
      }
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      if (!PROPAGATIONS.has(propagation)) throw invalidArgument(`invalid mount config for type "bind": invalid propagation mode: ${propagation}`);
      points.push({ type: 'bind', source: normalize(m.Source), destination: target, rw: !m.ReadOnly, mode: '', propagation });
    } else if (m.Type === 'volume') {
      if (m.BindOptions) throw invalidArgument('invalid mount config for type "volume": field BindOptions must not be specified');
      const opts = m.VolumeOptions;
      const driverOpts = (opts?.DriverConfig as { Options?: Record<string, string> } | undefined)?.Options;
      await volume(m.Source || undefined, target, {
        rw: !m.ReadOnly, mode: '', nocopy: opts?.NoCopy ?? false,
        ...(opts?.Labels ? { labels: opts.Labels } : {}), ...(driverOpts ? { options: driverOpts } : {}),
      });
    } else if (m.Type === 'tmpfs') {
      if (m.Source) throw invalidArgument('invalid mount config for type "tmpfs": field Source must not be specified');
      points.push({ type: 'tmpfs', source: '', destination: target, rw: !m.ReadOnly, mode: '', propagation: '' });
    } else {
      throw invalidArgument(`mount type "${m.Type}" is not supported`);
    }
  }
  for (const target of Object.keys(hc.Tmpfs ?? {})) claim(checkTarget(target));
  for (const ref of hc.VolumesFrom ?? []) {
    const [name, mode] = ref.split(':') as [string, string?];
    if (mode !== undefined && mode !== 'ro' && mode !== 'rw') throw invalidArgument(`invalid mode for volumes-from: ${mode}`);
    for (const p of ctx.volumesFrom?.(name) ?? []) {
      if (p.type === 'tmpfs' || seen.has(p.destination)) continue;
      seen.add(p.destination);
      points.push({ ...p, rw: mode === undefined ? p.rw : mode === 'rw', copyData: false });
    }
  }
  for (const dest of Object.keys(ctx.imageVolumes ?? {})) {
    const target = checkTarget(dest);
    if (seen.has(target)) continue;
    seen.add(target);
    await volume(undefined, target, { rw: true, mode: '', nocopy: false });
  }
  return points;
}

/**
 * The runtime's mount requests for a start: the recorded binds and volumes (at `mountpoint(name)`
 * of each volume, as given), tmpfs from the HostConfig.
 */
export async function mountRequests(hc: HostConfig, points: readonly MountPointRecord[]): Promise<MountRequest[]> {
  const out: MountRequest[] = [];
  for (const p of points) {
    if (p.type === 'bind') {
      if (p.createSource && !(await exists(p.source))) await mkdir(p.source, { recursive: true });
      out.push({ type: 'bind', source: p.source, destination: p.destination, readonly: !p.rw, propagation: p.propagation || 'rprivate' });
    } else if (p.type === 'volume') {
      out.push({ type: 'bind', source: p.source, destination: p.destination, readonly: !p.rw, propagation: 'rprivate' });
    }
  }
  for (const m of hc.Mounts ?? []) {
    if (m.Type !== 'tmpfs') continue;
    const options = tmpfsOptions(m.TmpfsOptions);
    if (m.ReadOnly) options.push('ro');
    out.push({ type: 'tmpfs', destination: checkTarget(m.Target ?? ''), options });
  }
  for (const [target, optString] of Object.entries(hc.Tmpfs ?? {})) {
    const extra = optString ? optString.split(',').filter(Boolean) : [];
    out.push({ type: 'tmpfs', destination: checkTarget(target), options: tmpfsOptions(undefined, extra) });
  }
  return out;
}
