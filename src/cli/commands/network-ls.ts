import { helpFlag, type CommandDef } from '../command.js';
import { naturalCompare } from '../format/natural-sort.js';
import { renderRows, type Row } from '../format/table.js';
import { shortId } from '../format/units.js';
import { networkList, type NetworkSummary } from './network-api.js';
import { filterFlag } from './ps.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';
const RAW_FORMAT = 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';

/** docker/cli's network formatter headers. */
export const NETWORK_HEADERS: Record<string, string> = {
  ID: 'NETWORK ID', Name: 'NAME', Driver: 'DRIVER', Scope: 'SCOPE', IPv4: 'IPV4', IPv6: 'IPV6', Internal: 'INTERNAL',
  Labels: 'LABELS', CreatedAt: 'CREATED AT',
};

/**
 * Go's time.Time.String() for an RFC 3339 wire time: `2024-05-01 10:00:00.123456789 +0000 UTC`
 * (fraction without trailing zeros; numeric zones print as `+0200 +0200`).
 */
export function goTimeFromRfc3339(iso: string | undefined): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.exec(iso ?? '');
  if (m === null) return '0001-01-01 00:00:00 +0000 UTC';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const zone = m[4] === 'Z' ? '+0000 UTC' : `${m[4]!.replace(':', '')} ${m[4]!.replace(':', '')}`;
  return `${m[1]} ${m[2]}${frac === '.' ? '' : frac} ${zone}`;
}

/** A formatter context for one network, fields as docker/cli's networkContext. */
export function networkRow(n: NetworkSummary, trunc: boolean): Row {
  const labels = n.Labels ?? {};
  return {
    CreatedAt: goTimeFromRfc3339(n.Created),
    Driver: n.Driver ?? '',
    ID: trunc ? shortId(n.Id) : n.Id,
    IPv4: String(n.EnableIPv4 === true),
    IPv6: String(n.EnableIPv6 === true),
    Internal: String(n.Internal === true),
    Label: (k: unknown) => labels[String(k)] ?? '',
    Labels: Object.entries(labels).map(([k, v]) => `${k}=${v}`).sort().join(','),
    Name: n.Name,
    Scope: n.Scope ?? '',
  };
}

/** newFormat: `table`/`raw` with `-q` reduce to the ID; other formats are used as given. */
export function networkFormat(format: string, quiet: boolean): string {
  if (format === '' || format === 'table') return quiet ? '{{.ID}}' : DEFAULT_FORMAT;
  if (format === 'raw') return quiet ? 'network_id: {{.ID}}' : RAW_FORMAT;
  return format;
}

export const networkLs: CommandDef = {
  name: 'network ls',
  usage: 'network ls [OPTIONS]',
  short: 'List networks',
  flags: [
    { name: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Provide filter values (e.g. "driver=bridge")' },
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'no-trunc', kind: 'bool', help: 'Do not truncate the output' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Only display network IDs' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const filters = filterFlag(p, '-f, --filter');
    const list = await networkList(ctx, filters);
    list.sort((a, b) => naturalCompare(a.Name, b.Name));
    const trunc = !p.bool('no-trunc');
    ctx.out(renderRows(list.map((n) => networkRow(n, trunc)), { format: networkFormat(p.str('format') ?? '', p.bool('quiet')), headers: NETWORK_HEADERS }));
    return 0;
  },
};
