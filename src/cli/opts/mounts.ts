import { resolve } from 'node:path';
import type { MountSpec } from '../../protocol/types.js';
import { ramInBytes } from './units.js';

/** Where a `-v` value goes: `Binds` (host path or named volume) or anonymous `Volumes`. */
export type VolumeArg = { kind: 'bind'; spec: string } | { kind: 'anonymous'; target: string };

/**
 * Sorts `-v src:dst[:mode]`, `-v name:dst`, `-v /dst` like docker/cli (validation is the
 * daemon's). Relative host paths starting with `.` are made absolute, as docker 23+ does.
 */
export function parseVolume(value: string, cwd: string): VolumeArg {
  const parts = value.split(':');
  if (parts.length === 1) return { kind: 'anonymous', target: value };
  const src = parts[0]!;
  if (src.startsWith('.')) parts[0] = resolve(cwd, src);
  return { kind: 'bind', spec: parts.join(':') };
}

/** Splits a CSV field list, honouring double quotes (encoding/csv). */
function splitCsv(value: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    else if (c === ',' && !quoted) { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

function parseBoolValue(key: string, v: string | undefined): boolean {
  if (v === undefined) return true;
  const t = v.toLowerCase();
  if (t === 'true' || t === '1') return true;
  if (t === 'false' || t === '0') return false;
  throw new Error(`invalid value for ${key}: ${v}`);
}

/**
 * Parses `--mount type=bind|volume|tmpfs,source=,target=,readonly,tmpfs-size=,tmpfs-mode=,…`
 * into an API MountSpec (docker/cli opts/mount.go). Throws Error with docker's wording.
 */
export function parseMount(value: string): MountSpec {
  const spec: { Type: MountSpec['Type']; Source?: string; Target?: string; ReadOnly?: boolean } = { Type: 'volume' };
  const bind: NonNullable<MountSpec['BindOptions']> = {};
  const vol: NonNullable<MountSpec['VolumeOptions']> = {};
  const tmpfs: NonNullable<MountSpec['TmpfsOptions']> = {};
  for (const field of splitCsv(value)) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    const v = eq < 0 ? undefined : field.slice(eq + 1);
    if (v === undefined && !['readonly', 'ro', 'volume-nocopy', 'bind-nonrecursive', 'bind-create-mountpoint'].includes(key)) {
      throw new Error(`invalid field '${field}' must be a key=value pair`);
    }
    switch (key) {
      case 'type':
        spec.Type = v as MountSpec['Type'];
        break;
      case 'source': case 'src': spec.Source = v!; break;
      case 'target': case 'dst': case 'destination': spec.Target = v!; break;
      case 'readonly': case 'ro': spec.ReadOnly = parseBoolValue(key, v); break;
      case 'consistency': break;
      case 'bind-propagation': bind.Propagation = v!; break;
      case 'bind-nonrecursive': bind.NonRecursive = parseBoolValue(key, v); break;
      case 'bind-create-mountpoint': bind.CreateMountpoint = parseBoolValue(key, v); break;
      case 'volume-nocopy': vol.NoCopy = parseBoolValue(key, v); break;
      case 'volume-label': {
        const [lk, ...lv] = v!.split('=');
        vol.Labels = { ...vol.Labels, [lk!]: lv.join('=') };
        break;
      }
      case 'tmpfs-size': tmpfs.SizeBytes = ramInBytes(v!); break;
      case 'tmpfs-mode': {
        if (!/^[0-7]+$/.test(v!)) throw new Error(`invalid value for ${key}: ${v}`);
        tmpfs.Mode = parseInt(v!, 8);
        break;
      }
      default:
        throw new Error(`unexpected key '${key}' in '${field}'`);
    }
  }
  if (spec.Target === undefined || spec.Target === '') throw new Error('target is required');
  if (spec.Type !== 'bind' && Object.keys(bind).length > 0) throw new Error(`cannot mix 'bind-*' options with mount type '${spec.Type}'`);
  if (spec.Type !== 'tmpfs' && Object.keys(tmpfs).length > 0) throw new Error(`cannot mix 'tmpfs-*' options with mount type '${spec.Type}'`);
  const out: MountSpec = { Type: spec.Type, Target: spec.Target };
  if (spec.Source !== undefined) out.Source = spec.Source;
  if (spec.ReadOnly !== undefined) out.ReadOnly = spec.ReadOnly;
  if (Object.keys(bind).length > 0) out.BindOptions = bind;
  if (Object.keys(vol).length > 0) out.VolumeOptions = vol;
  if (Object.keys(tmpfs).length > 0) out.TmpfsOptions = tmpfs;
  return out;
}

/** `--tmpfs /path[:opts]` → [path, opts]. */
export function parseTmpfs(value: string): [string, string] {
  const i = value.indexOf(':');
  return i < 0 ? [value, ''] : [value.slice(0, i), value.slice(i + 1)];
}
