/** `volume ls`, and the volume formatter context `system df -v` shares (docker/cli formatter/volume.go). */
import type { Volume } from '../../client/index.js';
import { helpFlag, type CommandDef } from '../command.js';
import { naturalCompare } from '../format/natural-sort.js';
import { renderRows, type Row } from '../format/table.js';
import { humanSize } from '../format/units.js';
import { filterFlag } from './ps.js';

const DEFAULT_FORMAT = 'table {{.Driver}}\t{{.Name}}';
const RAW_FORMAT = 'name: {{.Name}}\\ndriver: {{.Driver}}\\n';

/** docker/cli's volume formatter headers. */
export const VOLUME_HEADERS: Record<string, string> = {
  ID: 'ID', Name: 'VOLUME NAME', Group: 'GROUP', Driver: 'DRIVER', Scope: 'SCOPE', Availability: 'AVAILABILITY',
  Mountpoint: 'MOUNTPOINT', Labels: 'LABELS', Links: 'LINKS', Size: 'SIZE', Status: 'STATUS',
};

/** A formatter context for one volume, fields as docker/cli's volumeContext (keys sorted as its JSON). */
export function volumeRow(v: Volume): Row {
  const labels = v.Labels ?? {};
  const usage = v.UsageData ?? undefined;
  const cluster = v.ClusterVolume === undefined || v.ClusterVolume === null ? undefined : (v.ClusterVolume as ClusterVolume);
  return {
    Availability: cluster === undefined ? 'N/A' : cluster.Spec?.Availability ?? '',
    Driver: v.Driver,
    Group: cluster === undefined ? 'N/A' : cluster.Spec?.Group ?? '',
    Label: (k: unknown) => labels[String(k)] ?? '',
    Labels: Object.entries(labels).map(([k, val]) => `${k}=${val}`).sort().join(','),
    Links: usage === undefined ? 'N/A' : String(usage.RefCount),
    Mountpoint: v.Mountpoint,
    Name: v.Name,
    Scope: v.Scope,
    Size: usage === undefined ? 'N/A' : humanSize(usage.Size, 4),
    Status: cluster === undefined ? 'N/A' : clusterStatus(cluster),
  };
}

/** The parts of a swarm ClusterVolume the formatter reads. */
interface ClusterVolume {
  Spec?: { Group?: string; Availability?: string };
  Info?: { VolumeID?: string } | null;
  PublishStatus?: unknown[] | null;
}

function clusterStatus(c: ClusterVolume): string {
  if (c.Info === undefined || c.Info === null || (c.Info.VolumeID ?? '') === '') return 'pending creation';
  const n = c.PublishStatus?.length ?? 0;
  return n === 0 ? 'created' : n === 1 ? 'in use (1 node)' : `in use (${n} nodes)`;
}

/** NewVolumeFormat: `table`/`raw` with `-q` reduce to the name; other formats are used as given. */
export function volumeFormat(format: string, quiet: boolean): string {
  if (format === '' || format === 'table') return quiet ? '{{.Name}}' : DEFAULT_FORMAT;
  if (format === 'raw') return quiet ? 'name: {{.Name}}' : RAW_FORMAT;
  return format;
}

/** `volume ls`: sorted by name (natural order), as docker's runList. */
export const volumeLs: CommandDef = {
  name: 'volume ls',
  usage: 'volume ls [OPTIONS]',
  short: 'List volumes',
  flags: [
    { name: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "dangling=true")' },
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Only display volume names' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const filters = filterFlag(p, '-f, --filter');
    const list = (await ctx.client().volumeList(filters)).Volumes ?? [];
    list.sort((a, b) => naturalCompare(a.Name, b.Name));
    ctx.out(renderRows(list.map(volumeRow), { format: volumeFormat(p.str('format') ?? '', p.bool('quiet')), headers: VOLUME_HEADERS }));
    return 0;
  },
};
