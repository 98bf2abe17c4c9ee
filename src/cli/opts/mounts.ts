import { resolve } from 'node:path';
import type { MountSpec } from '../../protocol/types.js';
import { splitCsvLine } from '../flags.js';
import { ramInBytes } from './units.js';

/** Where a `-v` value goes: `HostConfig.Binds` (host path or named volume) or anonymous `Config.Volumes`. */
export type VolumeArg = { kind: 'bind'; spec: string } | { kind: 'anonymous'; target: string };

/** What volumespec.Parse makes of a `-v` value: source (empty for anonymous volumes), target, type. */
export interface VolumeSpec {
  source: string;
  target: string;
  type: 'bind' | 'volume';
}

const isDrive = (buffer: string, c: string): boolean => c === ':' && buffer.length === 1 && /\p{L}/u.test(buffer);

/** docker/cli's isFilePath: `.`, `/`, `~`, `\\` or a drive letter start a host path. */
function isFilePath(source: string): boolean {
  if ('./~'.includes(source[0]!)) return true;
  const chars = [...source];
  if (chars.length === 1) return false;
  return source.startsWith('\\\\') || isDrive(chars[0]!, chars[1]!);
}

/**
 * docker/cli internal/volumespec.Parse: `[source:]target[:mode]` split on colons (a drive
 * letter's colon kept). Throws Error with docker's wording ("invalid spec: …: too many colons").
 */
export function parseVolumeSpec(spec: string): VolumeSpec {
  const chars = [...spec];
  if (chars.length === 0) throw new Error('invalid empty volume spec');
  if (chars.length <= 2) return { source: '', target: spec, type: 'volume' };
  let source = '';
  let target = '';
  let buffer = '';
  const END = '';
  for (const c of [...chars, END]) {
    if (isDrive(buffer, c)) buffer += c;
    else if (c === ':' || c === END) {
      let problem: string | undefined;
      if (buffer === '') problem = 'empty section between colons';
      else if (source === '' && c === END) target = buffer;
      else if (source === '') source = buffer;
      else if (target === '') target = buffer;
      else if (c === ':') problem = 'too many colons';
      if (problem !== undefined) throw new Error(`invalid spec: ${spec}: ${problem}`);
      buffer = '';
    } else buffer += c;
  }
  return { source, target, type: source !== '' && isFilePath(source) ? 'bind' : 'volume' };
}

/**
 * Sorts a `-v` value as docker/cli's parse does: a source makes it a bind (host path or named
 * volume) sent verbatim in Binds, except that a relative host path starting with `.` is made
 * absolute; no source makes it an anonymous volume keyed by the whole value. Throws on a bad spec.
 */
export function parseVolume(value: string, cwd: string): VolumeArg {
  const parsed = parseVolumeSpec(value);
  if (parsed.source === '') return { kind: 'anonymous', target: value };
  if (parsed.type !== 'bind') return { kind: 'bind', spec: value };
  const colon = value.indexOf(':');
  if (colon < 0) return { kind: 'bind', spec: value };
  const host = value.slice(0, colon);
  const abs = !host.startsWith('/') && host.startsWith('.') ? resolve(cwd, host) : host;
  return { kind: 'bind', spec: `${abs}${value.slice(colon)}` };
}

/** mount.Mount as docker CLI 28 sends it: Go field order, empty fields omitted. */
export interface MountWire extends MountSpec {
  BindOptions?: {
    Propagation?: string; NonRecursive?: boolean; CreateMountpoint?: boolean; ReadOnlyNonRecursive?: boolean; ReadOnlyForceRecursive?: boolean;
  };
  VolumeOptions?: {
    NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string; DriverConfig?: { Name?: string; Options?: Record<string, string> };
  };
  ImageOptions?: { Subpath?: string };
}

/** strconv.ParseBool */
function goBool(v: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(v)) return false;
  return undefined;
}

interface MountDraft {
  Type: string;
  Source?: string;
  Target?: string;
  ReadOnly?: boolean;
  Consistency?: string;
  bind?: NonNullable<MountWire['BindOptions']>;
  volume?: { NoCopy?: boolean; Labels: Record<string, string>; Subpath?: string; DriverConfig: { Name?: string; Options?: Record<string, string> } };
  image?: NonNullable<MountWire['ImageOptions']>;
  tmpfs?: NonNullable<MountSpec['TmpfsOptions']>;
}

/** Sets `k=v` in a map unless the key is empty (docker's setValueOnMap). */
function setKv(target: Record<string, string>, value: string): void {
  const eq = value.indexOf('=');
  const k = eq < 0 ? value : value.slice(0, eq);
  if (k !== '') target[k] = eq < 0 ? '' : value.slice(eq + 1);
}

/** One `key[=value]` field of `--mount` applied to the draft (docker/cli opts/mount.go MountOpt.Set). */
function applyField(m: MountDraft, field: string, cwd: string): void {
  const eq = field.indexOf('=');
  const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
  const bind = (): NonNullable<MountDraft['bind']> => (m.bind ??= {});
  const vol = (): NonNullable<MountDraft['volume']> => (m.volume ??= { Labels: {}, DriverConfig: {} });
  if (eq < 0) {
    if (key === 'readonly' || key === 'ro') m.ReadOnly = true;
    else if (key === 'volume-nocopy') vol().NoCopy = true;
    else if (key === 'bind-nonrecursive') bind().NonRecursive = true;
    else throw new Error(`invalid field '${field}' must be a key=value pair`);
    return;
  }
  const val = field.slice(eq + 1);
  const bool = (): boolean => {
    const b = goBool(val);
    if (b === undefined) throw new Error(`invalid value for ${key}: ${val}`);
    return b;
  };
  switch (key) {
    case 'type': m.Type = val.toLowerCase(); break;
    case 'source': case 'src': m.Source = !val.startsWith('/') && val.startsWith('.') ? resolve(cwd, val) : val; break;
    case 'target': case 'dst': case 'destination': m.Target = val; break;
    case 'readonly': case 'ro': m.ReadOnly = bool(); break;
    case 'consistency': m.Consistency = val.toLowerCase(); break;
    case 'bind-propagation': bind().Propagation = val.toLowerCase(); break;
    case 'bind-nonrecursive': bind().NonRecursive = bool(); break;
    case 'bind-recursive':
      if (val === 'disabled') bind().NonRecursive = true;
      else if (val === 'writable') bind().ReadOnlyNonRecursive = true;
      else if (val === 'readonly') bind().ReadOnlyForceRecursive = true;
      else if (val !== 'enabled') throw new Error(`invalid value for ${key}: ${val} (must be "enabled", "disabled", "writable", or "readonly")`);
      break;
    case 'volume-subpath': vol().Subpath = val; break;
    case 'volume-nocopy': {
      const b = goBool(val);
      if (b === undefined) throw new Error(`invalid value for volume-nocopy: ${val}`);
      vol().NoCopy = b;
      break;
    }
    case 'volume-label': setKv(vol().Labels, val); break;
    case 'volume-driver': vol().DriverConfig.Name = val; break;
    case 'volume-opt': setKv(vol().DriverConfig.Options ??= {}, val); break;
    case 'image-subpath': (m.image ??= {}).Subpath = val; break;
    case 'tmpfs-size': {
      let size: number;
      try {
        size = ramInBytes(val);
      } catch {
        throw new Error(`invalid value for ${key}: ${val}`);
      }
      (m.tmpfs ??= {}).SizeBytes = size;
      break;
    }
    case 'tmpfs-mode': {
      if (!/^[0-7]+$/.test(val) || parseInt(val, 8) > 0xffffffff) throw new Error(`invalid value for ${key}: ${val}`);
      (m.tmpfs ??= {}).Mode = parseInt(val, 8);
      break;
    }
    default:
      throw new Error(`unexpected key '${key}' in '${field}'`);
  }
}

/** The checks after all fields are read, in docker's order. */
function checkDraft(m: MountDraft): void {
  if (m.Type === '') throw new Error('type is required');
  if (m.Target === undefined || m.Target === '') throw new Error('target is required');
  const mix = (opts: unknown, prefix: string, type: string): void => {
    if (opts !== undefined && m.Type !== type) throw new Error(`cannot mix '${prefix}-*' options with mount type '${m.Type}'`);
  };
  mix(m.volume, 'volume', 'volume');
  mix(m.image, 'image', 'image');
  mix(m.bind, 'bind', 'bind');
  mix(m.tmpfs, 'tmpfs', 'tmpfs');
  if (m.bind?.ReadOnlyNonRecursive === true && m.ReadOnly !== true) {
    throw new Error("option 'bind-recursive=writable' requires 'readonly' to be specified in conjunction");
  }
  if (m.bind?.ReadOnlyForceRecursive === true) {
    if (m.ReadOnly !== true) throw new Error("option 'bind-recursive=readonly' requires 'readonly' to be specified in conjunction");
    if (m.bind.Propagation !== 'rprivate') throw new Error("option 'bind-recursive=readonly' requires 'bind-propagation=rprivate' to be specified in conjunction");
  }
}

/** Drops the fields Go's `omitempty` drops (false, "", empty maps) from an options object. */
function compact<T>(o: object): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined || v === false || v === '' || v === 0) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0 && k !== 'DriverConfig') continue;
    out[k] = v;
  }
  return out as T;
}

/**
 * Parses `--mount type=bind|volume|tmpfs|image,source=,target=,readonly,volume-opt=,…` into the
 * mount.Mount docker CLI 28 sends in HostConfig.Mounts (opts/mount.go). Relative `.` sources
 * are made absolute against `cwd`. Throws Error with docker's wording.
 */
export function parseMount(value: string, cwd = process.cwd()): MountWire {
  if (value === '') throw new Error('EOF');
  const m: MountDraft = { Type: 'volume' };
  for (const field of splitCsvLine(value)) applyField(m, field, cwd);
  checkDraft(m);
  const out: MountWire = {
    Type: m.Type as MountSpec['Type'], ...(m.Source !== undefined && m.Source !== '' ? { Source: m.Source } : {}), Target: m.Target!,
  };
  if (m.ReadOnly === true) out.ReadOnly = true;
  if (m.Consistency !== undefined && m.Consistency !== '') out.Consistency = m.Consistency;
  if (m.bind !== undefined) out.BindOptions = compact(m.bind);
  if (m.volume !== undefined) {
    const v = m.volume;
    out.VolumeOptions = compact({ NoCopy: v.NoCopy, Labels: v.Labels, Subpath: v.Subpath, DriverConfig: compact(v.DriverConfig) });
  }
  if (m.image !== undefined) out.ImageOptions = compact(m.image);
  if (m.tmpfs !== undefined) out.TmpfsOptions = compact(m.tmpfs);
  return out;
}

/** `--tmpfs /path[:opts]` → [path, opts] (strings.Cut on the first colon; options are the daemon's to check). */
export function parseTmpfs(value: string): [string, string] {
  const i = value.indexOf(':');
  return i < 0 ? [value, ''] : [value.slice(0, i), value.slice(i + 1)];
}
