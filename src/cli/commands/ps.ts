import type { ContainerSummary } from '../../protocol/types.js';
import { helpFlag, type CommandDef } from '../command.js';
import { FlagError, type Parsed } from '../flags.js';
import type { Filters } from '../../client/index.js';
import { displayablePorts } from '../format/ports.js';
import { renderRows, type Row } from '../format/table.js';
import { ago, ellipsis, goQuote, goTimeString, humanSize, shortId } from '../format/units.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}';

/** docker/cli's container formatter headers. */
export const PS_HEADERS: Record<string, string> = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED',
  Ports: 'PORTS', State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS',
  Mounts: 'MOUNTS', LocalVolumes: 'LOCAL VOLUMES', Networks: 'NETWORKS', Platform: 'PLATFORM',
};

/** Parses repeatable `-f key=value` into API filters. */
export function parseFilters(values: string[]): Filters {
  const out: Filters = {};
  for (const v of values) {
    const eq = v.indexOf('=');
    if (eq < 0) throw new Error(`bad format of filter (expected name=value)`);
    const k = v.slice(0, eq).trim().toLowerCase();
    (out[k] ??= []).push(v.slice(eq + 1));
  }
  return out;
}

/** The `--filter` values of a command as API filters; a malformed one is docker's flag error. */
export function filterFlag(p: Parsed, label = 'filter'): Filters {
  try {
    return parseFilters(p.list('filter'));
  } catch (err) {
    const bad = p.list('filter').find((v) => !v.includes('=')) ?? '';
    throw new FlagError(`invalid argument "${bad}" for "${label}" flag: ${(err as Error).message}`);
  }
}

/** A formatter context for one container, fields as docker/cli's containerContext. */
export function containerRow(c: ContainerSummary, trunc: boolean, now: number): Row {
  let image = c.Image ?? '';
  if (trunc) {
    if (shortId(c.ImageID ?? '') === shortId(image)) image = shortId(image);
    const at = image.indexOf('@sha256:');
    if (at >= 0) image = image.slice(0, at);
  }
  let names = (c.Names ?? []).map((n) => n.replace(/^\//, ''));
  if (trunc) names = names.filter((n) => !n.includes('/')).slice(0, 1);
  const command = trunc ? ellipsis(c.Command ?? '', 20) : c.Command ?? '';
  const labels = c.Labels ?? {};
  const rw = humanSize(c.SizeRw ?? 0);
  const size = (c.SizeRootFs ?? 0) > 0 ? `${rw} (virtual ${humanSize(c.SizeRootFs ?? 0)})` : rw;
  return {
    Command: goQuote(command),
    CreatedAt: goTimeString(c.Created),
    ID: trunc ? shortId(c.Id) : c.Id,
    Image: image,
    Label: (k: unknown) => labels[String(k)] ?? '',
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(','),
    LocalVolumes: String((c.Mounts ?? []).filter((m) => m.Driver === 'local').length),
    Mounts: (c.Mounts ?? []).map((m) => (m.Name !== undefined && m.Name !== '' ? (trunc ? ellipsis(m.Name, 15) : m.Name) : m.Source)).join(','),
    Names: names.join(','),
    Networks: Object.keys(c.NetworkSettings?.Networks ?? {}).sort().join(','),
    Platform: null,
    Ports: displayablePorts(c.Ports ?? []),
    RunningFor: ago(c.Created, now),
    Size: size,
    State: c.State,
    Status: c.Status,
  };
}

export const ps: CommandDef = {
  name: 'ps',
  usage: 'ps [OPTIONS]',
  short: 'List containers',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', help: 'Show all containers (default shows just running)' },
    { name: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Filter output based on conditions provided' },
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'last', short: 'n', kind: 'int', help: 'Show n last created containers (includes all states)', defaultText: '-1' },
    { name: 'latest', short: 'l', kind: 'bool', help: 'Show the latest created container (includes all states)' },
    { name: 'no-trunc', kind: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Only display container IDs' },
    { name: 'size', short: 's', kind: 'bool', help: 'Display total file sizes' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const last = p.bool('latest') ? 1 : p.int('last') ?? -1;
    const list = await ctx.client().containerList({
      all: p.bool('all') || last > 0, limit: last, size: p.bool('size'), filters: parseFilters(p.list('filter')),
    });
    const trunc = !p.bool('no-trunc');
    let format = p.str('format') ?? '';
    if (format === '') format = p.bool('quiet') ? 'table {{.ID}}' : DEFAULT_FORMAT;
    if (format === 'table' ) format = DEFAULT_FORMAT;
    if (p.bool('quiet') && !p.has('format')) {
      for (const c of list) ctx.out(`${trunc ? shortId(c.Id) : c.Id}\n`);
      return 0;
    }
    if (p.bool('size') && format === DEFAULT_FORMAT) format += '\t{{.Size}}';
    const now = Date.now();
    ctx.out(renderRows(list.map((c) => containerRow(c, trunc, now)), { format, headers: PS_HEADERS }));
    return 0;
  },
};
