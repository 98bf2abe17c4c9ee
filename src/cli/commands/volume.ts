/** `volume create|inspect|rm|prune` (docker/cli cli/command/volume); `volume ls` is in volume-ls.ts. */
import type { Volume, VolumeCreateBody } from '../../client/index.js';
import { StatusError, describe, helpFlag, type CommandDef } from '../command.js';
import type { Parsed } from '../flags.js';
import { Template, TemplateError } from '../format/template.js';
import { goJson } from '../format/template-funcs.js';
import { toLabelMap } from '../opts/kv-file.js';
import { mapOpts, validateLabel } from '../opts/network-create.js';
import { confirm, printPruned, printReclaimed, pruneVolumes } from './prune.js';
import { filterFlag } from './ps.js';

/** runCreate's volume.CreateOptions: `--name` or the argument; empty fields left out as Go's omitempty does. */
export function volumeCreateBody(p: Parsed, args: readonly string[]): VolumeCreateBody {
  let name = p.str('name') ?? '';
  if (args[0] !== undefined) {
    if (name !== '') throw new Error('conflicting options: cannot specify a volume-name through both --name and as a positional arg');
    name = args[0];
  }
  const driver = p.str('driver') ?? 'local';
  const driverOpts = mapOpts(p.list('opt'));
  const labels = toLabelMap(p.list('label'));
  const body: VolumeCreateBody = {};
  if (driver !== '') body.Driver = driver;
  if (Object.keys(driverOpts).length > 0) body.DriverOpts = driverOpts;
  if (Object.keys(labels).length > 0) body.Labels = labels;
  if (name !== '') body.Name = name;
  return body;
}

export const volumeCreate: CommandDef = {
  name: 'volume create',
  usage: 'volume create [OPTIONS] [VOLUME]',
  short: 'Create a volume',
  flags: [
    { name: 'driver', short: 'd', kind: 'string', help: 'Specify volume driver name', defaultText: '"local"' },
    { name: 'label', kind: 'list', help: 'Set metadata for a volume', validate: validateLabel },
    { name: 'name', kind: 'string', help: 'Specify volume name', hidden: true },
    { name: 'opt', short: 'o', kind: 'list', valueName: 'map', help: 'Set driver specific options', defaultText: 'map[]' },
    helpFlag,
  ],
  args: { max: 1 },
  async run(ctx, p, args) {
    const vol = await ctx.client().volumeCreate(volumeCreateBody(p, args));
    ctx.out(`${vol.Name}\n`);
    return 0;
  },
};

/** Go map fields of volume.Volume: their keys (and everything below) are sorted when marshalled. */
const MAP_FIELDS = new Set(['Labels', 'Options', 'Status']);

/**
 * The volume as docker's CLI holds it (api/types/volume.Volume): fields in Go order, nil maps
 * as null, `omitempty` fields (ClusterVolume, CreatedAt, Status, UsageData) left out when empty.
 */
export function goVolume(v: Volume): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (v.ClusterVolume !== undefined && v.ClusterVolume !== null) out['ClusterVolume'] = v.ClusterVolume;
  if (v.CreatedAt !== undefined && v.CreatedAt !== '') out['CreatedAt'] = v.CreatedAt;
  Object.assign(out, {
    Driver: v.Driver ?? '', Labels: sortedMap(v.Labels), Mountpoint: v.Mountpoint ?? '', Name: v.Name ?? '', Options: sortedMap(v.Options), Scope: v.Scope ?? '',
  });
  if (v.Status !== undefined && v.Status !== null && Object.keys(v.Status).length > 0) out['Status'] = sortedMap(v.Status);
  if (v.UsageData !== undefined && v.UsageData !== null) out['UsageData'] = { RefCount: v.UsageData.RefCount, Size: v.UsageData.Size };
  return out;
}

/** A Go map as it is marshalled: keys sorted (null stays null). */
function sortedMap<T>(m: Record<string, T> | null | undefined): Record<string, T> | null {
  if (m === null || m === undefined) return null;
  return Object.fromEntries(Object.keys(m).sort().map((k) => [k, m[k]!]));
}

/**
 * Go's json.MarshalIndent(v, "", indent) (json.Marshal when indent is ''): object keys in their
 * order except under map fields, which are sorted; <, >, & escaped.
 */
export function goMarshal(v: unknown, indent: string, sorted = false, pad = ''): string {
  if (v === null || v === undefined || typeof v !== 'object') return goJson(v ?? null);
  const inner = pad + indent;
  const nl = indent === '' ? '' : '\n';
  const wrap = (open: string, items: string[], close: string): string =>
    items.length === 0 ? `${open}${close}` : `${open}${nl}${items.map((i) => `${indent === '' ? '' : inner}${i}`).join(`,${nl}`)}${nl}${indent === '' ? '' : pad}${close}`;
  if (Array.isArray(v)) return wrap('[', v.map((x) => goMarshal(x, indent, sorted, inner)), ']');
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined && typeof obj[k] !== 'function');
  if (sorted) keys.sort();
  const sep = indent === '' ? ':' : ': ';
  return wrap('{', keys.map((k) => `${goJson(k)}${sep}${goMarshal(obj[k], indent, sorted || MAP_FIELDS.has(k), inner)}`), '}');
}

/**
 * The typed volume templates see: omitted `omitempty` fields are still there (as Go's zero
 * values, hidden from `{{json .}}`), so `{{if .UsageData}}` and `{{.CreatedAt}}` work as in Go.
 */
function templateVolume(v: Volume): Record<string, unknown> {
  const out = goVolume(v);
  const zero: Record<string, unknown> = { ClusterVolume: null, CreatedAt: '', Status: null, UsageData: null };
  for (const [k, z] of Object.entries(zero)) if (!(k in out)) Object.defineProperty(out, k, { value: z, enumerable: false });
  return out;
}

/** docker's inspect: a template that does not parse is exit 64, one that fails on an object is that object's error. */
function parseTemplate(format: string): Template {
  try {
    return new Template(format);
  } catch (err) {
    if (err instanceof TemplateError) throw new StatusError(64, `template parsing error: ${err.message}`);
    throw err;
  }
}

export const volumeInspect: CommandDef = {
  name: 'volume inspect',
  usage: 'volume inspect [OPTIONS] VOLUME [VOLUME...]',
  short: 'Display detailed information on one or more volumes',
  flags: [{ name: 'format', short: 'f', kind: 'string', help: 'Format output using a custom template' }, helpFlag],
  args: { min: 1 },
  async run(ctx, p, args) {
    const format = p.str('format') ?? '';
    const tmpl = format === '' || format === 'json' ? undefined : parseTemplate(format);
    const found: Volume[] = [];
    const errors: string[] = [];
    let text = '';
    for (const name of args) {
      try {
        const vol = await ctx.client().volumeInspect(name);
        if (tmpl === undefined) found.push(vol);
        else text += `${tmpl.execute(templateVolume(vol))}\n`;
      } catch (err) {
        errors.push(err instanceof TemplateError ? `template parsing error: ${err.message}` : describe(err));
      }
    }
    if (tmpl !== undefined) ctx.out(text === '' ? '\n' : text);
    else if (found.length === 0) ctx.out('[]\n');
    else ctx.out(`${goMarshal(found.map(goVolume), format === 'json' ? '' : '    ')}\n`);
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    return 0;
  },
};

export const volumeRm: CommandDef = {
  name: 'volume rm',
  usage: 'volume rm [OPTIONS] VOLUME [VOLUME...]',
  short: 'Remove one or more volumes',
  flags: [{ name: 'force', short: 'f', kind: 'bool', help: 'Force the removal of one or more volumes' }, helpFlag],
  args: { min: 1 },
  async run(ctx, p, args) {
    const errors: string[] = [];
    for (const name of args) {
      try {
        await ctx.client().volumeRemove(name, { force: p.bool('force') });
        ctx.out(`${name}\n`);
      } catch (err) {
        errors.push(describe(err));
      }
    }
    if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
    return 0;
  },
};

/** docker's two prune warnings (API ≥ 1.42): anonymous volumes only, or all with `--all`. */
export const PRUNE_WARNING = 'WARNING! This will remove anonymous local volumes not used by at least one container.';
export const PRUNE_ALL_WARNING = 'WARNING! This will remove all local volumes not used by at least one container.';

export const volumePrune: CommandDef = {
  name: 'volume prune',
  usage: 'volume prune [OPTIONS]',
  short: 'Remove unused local volumes',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', help: 'Remove all unused volumes, not just anonymous ones' },
    { name: 'filter', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "label=<label>")' },
    { name: 'force', short: 'f', kind: 'bool', help: 'Do not prompt for confirmation' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const filters = filterFlag(p, '--filter');
    const all = p.bool('all');
    if (all) {
      if (filters['all'] !== undefined) throw new StatusError(1, 'conflicting options: cannot specify both --all and --filter all=1');
      filters['all'] = ['true'];
    }
    // a declined prompt is docker's "cancelled" error: nothing printed, exit 0
    if (!p.bool('force') && !(await confirm(ctx, all ? PRUNE_ALL_WARNING : PRUNE_WARNING))) return 0;
    const r = await pruneVolumes(ctx, filters);
    printPruned(ctx, r);
    printReclaimed(ctx, r.output ? r.space : 0);
    return 0;
  },
};
