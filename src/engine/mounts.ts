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

export interface ResolvedMounts {
  requests: MountRequest[];
  points: MountPointRecord[];
}

const PROPAGATIONS = new Set(['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave']);

function checkTarget(target: string): string {
  if (!target) throw invalidArgument('invalid mount config: Target must not be empty');
  if (!isAbsolute(target)) throw invalidArgument(`invalid mount path: '${target}' mount path must be absolute`);
  if (normalize(target) === '/') throw invalidArgument('invalid specification: destination can\'t be \'/\'');
  return normalize(target);
}

/** Parses one `-v src:dst[:opts]` bind. Named and anonymous volumes are not supported yet. */
export function parseBind(spec: string): { source: string; destination: string; readonly: boolean; propagation: string; mode: string } {
  const parts = spec.split(':');
  if (parts.length < 2 || parts.length > 3 || parts.some((p, i) => p === '' && i < 2)) {
    if (parts.length === 1 && isAbsolute(spec)) {
      throw invalidArgument(`anonymous volumes are not supported yet: ${spec}`);
    }
    throw invalidArgument(`invalid volume specification: '${spec}'`);
  }
  const [source, destination, modeStr = ''] = parts as [string, string, string?];
  if (!isAbsolute(source)) throw invalidArgument(`named volumes are not supported yet: ${source}`);
  let readonly = false;
  let propagation = 'rprivate';
  for (const opt of modeStr.split(',').filter(Boolean)) {
    if (opt === 'ro') readonly = true;
    else if (opt === 'rw') readonly = false;
    else if (PROPAGATIONS.has(opt)) propagation = opt;
    else if (opt === 'z' || opt === 'Z' || opt === 'nocopy' || opt === 'consistent' || opt === 'cached' || opt === 'delegated') continue;
    else throw invalidArgument(`invalid mode: ${opt}`);
  }
  return { source: normalize(source), destination: checkTarget(destination), readonly, propagation, mode: modeStr };
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

/** Resolves every mount of a HostConfig; creates missing `-v` sources as Docker does. */
export async function resolveMounts(hc: HostConfig): Promise<ResolvedMounts> {
  const out: ResolvedMounts = { requests: [], points: [] };
  const seen = new Set<string>();
  const claim = (dest: string): void => {
    if (seen.has(dest)) throw invalidArgument(`Duplicate mount point: ${dest}`);
    seen.add(dest);
  };
  for (const spec of hc.Binds ?? []) {
    const b = parseBind(spec);
    claim(b.destination);
    if (!(await exists(b.source))) await mkdir(b.source, { recursive: true });
    out.requests.push({ type: 'bind', source: b.source, destination: b.destination, readonly: b.readonly, propagation: b.propagation });
    out.points.push({ type: 'bind', source: b.source, destination: b.destination, rw: !b.readonly, mode: b.mode, propagation: b.propagation });
  }
  for (const m of hc.Mounts ?? []) {
    const target = checkTarget(m.Target);
    claim(target);
    if (m.Type === 'bind') {
      if (!m.Source) throw invalidArgument('invalid mount config for type "bind": field Source must not be empty');
      if (!isAbsolute(m.Source)) throw invalidArgument(`invalid mount config for type "bind": invalid mount path: '${m.Source}' mount path must be absolute`);
      if (!(await exists(m.Source))) {
        throw invalidArgument(`invalid mount config for type "bind": bind source path does not exist: ${m.Source}`);
      }
      const propagation = m.BindOptions?.Propagation || 'rprivate';
      out.requests.push({ type: 'bind', source: normalize(m.Source), destination: target, readonly: m.ReadOnly ?? false, propagation });
      out.points.push({ type: 'bind', source: normalize(m.Source), destination: target, rw: !m.ReadOnly, mode: '', propagation });
    } else if (m.Type === 'tmpfs') {
      if (m.Source) throw invalidArgument('invalid mount config for type "tmpfs": field Source must not be specified');
      const options = tmpfsOptions(m.TmpfsOptions);
      if (m.ReadOnly) options.push('ro');
      out.requests.push({ type: 'tmpfs', destination: target, options });
      out.points.push({ type: 'tmpfs', source: '', destination: target, rw: !m.ReadOnly, mode: '', propagation: '' });
    } else {
      throw invalidArgument(`mount type "${m.Type}" is not supported yet`);
    }
  }
  for (const [target, optString] of Object.entries(hc.Tmpfs ?? {})) {
    const dest = checkTarget(target);
    claim(dest);
    const extra = optString ? optString.split(',').filter(Boolean) : [];
    out.requests.push({ type: 'tmpfs', destination: dest, options: tmpfsOptions(undefined, extra) });
  }
  return out;
}
