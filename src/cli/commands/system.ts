/** `system df [-v]`: disk usage by images, containers, volumes and build cache, as docker prints it (formatter/disk_usage.go). */
import type { BuildCacheRecord, DiskUsage } from '../../client/index.js';
import type { ContainerSummary, ImageSummary } from '../../protocol/types.js';
import { helpFlag, type CommandDef } from '../command.js';
import { renderRows, type Row } from '../format/table.js';
import { Template } from '../format/template.js';
import { humanSize, shortId, since } from '../format/units.js';
import { imageRows } from './images.js';
import { PS_HEADERS, containerRow } from './ps.js';
import { VOLUME_HEADERS, volumeRow } from './volume-ls.js';

const SUMMARY_FORMAT = 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}';
const SUMMARY_RAW = 'type: {{.Type}}\\ntotal: {{.TotalCount}}\\nactive: {{.Active}}\\nsize: {{.Size}}\\nreclaimable: {{.Reclaimable}}\\n';
const SUMMARY_HEADERS = { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' };
const IMAGE_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}';
const IMAGE_HEADERS = {
  Repository: 'REPOSITORY', Tag: 'TAG', ID: 'IMAGE ID', CreatedSince: 'CREATED', Size: 'SIZE', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE',
  Containers: 'CONTAINERS',
};
const CONTAINER_FORMAT = 'table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}';
const VOLUME_FORMAT = 'table {{.Name}}\t{{.Links}}\t{{.Size}}';
const CACHE_FORMAT = 'table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}';
const CACHE_HEADERS = {
  ID: 'CACHE ID', CacheType: 'CACHE TYPE', Size: 'SIZE', CreatedSince: 'CREATED', LastUsedSince: 'LAST USED', UsageCount: 'USAGE', Shared: 'SHARED',
};

/** `12.3MB (45%)` as docker's Reclaimable columns; no percentage when there is nothing. */
function reclaimable(size: number, total: number): string {
  return total > 0 ? `${humanSize(size, 4)} (${Math.trunc((size * 100) / total)}%)` : humanSize(size, 4);
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const activeContainer = (c: ContainerSummary): boolean => c.State === 'running' || c.State === 'paused' || c.State === 'restarting';

/** The four summary rows of `system df` (diskUsage{Images,Containers,Volumes,Builder}Context). */
export function summaryRows(df: DiskUsage): Row[] {
  const images = df.Images ?? [];
  const containers = df.Containers ?? [];
  const volumes = df.Volumes ?? [];
  const cache = df.BuildCache ?? [];
  const imagesUsed = sum(images.filter((i) => i.Containers !== 0 && i.Size !== -1 && i.SharedSize !== -1).map((i) => i.Size - i.SharedSize));
  const rw = (c: ContainerSummary): number => c.SizeRw ?? 0;
  const sized = volumes.map((v) => v.UsageData ?? { RefCount: 0, Size: -1 }).filter((u) => u.Size !== -1);
  const volumesTotal = sum(sized.map((u) => u.Size));
  const builderSize = sum(cache.filter((c) => c.Shared !== true).map((c) => c.Size));
  const builderInUse = sum(cache.filter((c) => c.InUse === true && c.Shared !== true).map((c) => c.Size));
  const row = (Type: string, total: number, active: number, size: number, rec: string): Row => ({
    Active: String(active), Reclaimable: rec, Size: humanSize(size, 4), TotalCount: String(total), Type,
  });
  return [
    row('Images', images.length, images.filter((i) => i.Containers > 0).length, df.LayersSize, reclaimable(df.LayersSize - imagesUsed, df.LayersSize)),
    row('Containers', containers.length, containers.filter(activeContainer).length, sum(containers.map(rw)),
      reclaimable(sum(containers.filter((c) => !activeContainer(c)).map(rw)), sum(containers.map(rw)))),
    row('Local Volumes', volumes.length, volumes.filter((v) => (v.UsageData?.RefCount ?? 0) > 0).length, volumesTotal,
      reclaimable(sum(sized.filter((u) => u.RefCount === 0).map((u) => u.Size)), volumesTotal)),
    row('Build Cache', cache.length, cache.filter((c) => c.InUse === true).length, builderSize, humanSize(builderSize - builderInUse, 4)),
  ];
}

/** `-v` image rows: one per image, its first tag (or `<none>`), as docker's verboseWrite. */
function verboseImageRows(images: ImageSummary[], trunc: boolean, now: number): Row[] {
  return images.map((img) => {
    const first = img.RepoTags?.[0] === '<none>:<none>' ? [] : (img.RepoTags ?? []).slice(0, 1);
    return imageRows([{ ...img, RepoTags: first, RepoDigests: [] }], { trunc, digests: false, now })[0]!;
  });
}

/** build cache rows (buildCacheContext), oldest use first. */
function cacheRows(cache: BuildCacheRecord[], trunc: boolean, now: number): Row[] {
  const sorted = [...cache].sort((a, b) => {
    const la = a.LastUsedAt ?? '';
    const lb = b.LastUsedAt ?? '';
    if (la === lb) return a.ID < b.ID ? -1 : a.ID > b.ID ? 1 : 0;
    if (la === '' || lb === '') return la === '' ? -1 : 1;
    return Date.parse(la) - Date.parse(lb);
  });
  return sorted.map((c) => ({
    CacheType: c.Type ?? '',
    CreatedSince: c.CreatedAt === undefined ? '' : `${since(c.CreatedAt, now)} ago`,
    Description: c.Description ?? '',
    ID: `${trunc ? shortId(c.ID) : c.ID}${c.InUse === true ? '*' : ''}`,
    InUse: String(c.InUse === true),
    LastUsedSince: c.LastUsedAt === undefined || c.LastUsedAt === null ? '' : `${since(c.LastUsedAt, now)} ago`,
    Shared: String(c.Shared === true),
    Size: humanSize(c.Size, 3),
    UsageCount: String(c.UsageCount ?? 0),
  }));
}

/** The `-v` sections: images, containers, local volumes, build cache (verboseWriteTable). */
export function verboseTable(df: DiskUsage, now: number): string {
  const containers = (df.Containers ?? []).map((c) => containerRow({ ...c, SizeRootFs: 0 }, true, now));
  const cache = df.BuildCache ?? [];
  const builderSize = sum(cache.filter((c) => c.Shared !== true).map((c) => c.Size));
  return [
    'Images space usage:\n\n', renderRows(verboseImageRows(df.Images ?? [], true, now), { format: IMAGE_FORMAT, headers: IMAGE_HEADERS }),
    '\nContainers space usage:\n\n', renderRows(containers, { format: CONTAINER_FORMAT, headers: PS_HEADERS }),
    '\nLocal Volumes space usage:\n\n', renderRows((df.Volumes ?? []).map(volumeRow), { format: VOLUME_FORMAT, headers: VOLUME_HEADERS }),
    `\nBuild cache usage: ${humanSize(builderSize, 4)}\n\n`, renderRows(cacheRows(cache, true, now), { format: CACHE_FORMAT, headers: CACHE_HEADERS }),
  ].join('');
}

/** `-v --format …`: the template runs once over {Images, Containers, Volumes, BuildCache} (docker's diskUsageContext). */
function verboseCustom(df: DiskUsage, format: string, now: number): string {
  const f = (format === 'json' ? '{{json .}}' : format.replace(/^table/, '').trim()).replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  return new Template(f).execute({
    Images: verboseImageRows(df.Images ?? [], false, now),
    Containers: (df.Containers ?? []).map((c) => containerRow({ ...c, SizeRootFs: 0 }, false, now)),
    Volumes: (df.Volumes ?? []).map(volumeRow),
    BuildCache: cacheRows(df.BuildCache ?? [], false, now),
  });
}

export const systemDf: CommandDef = {
  name: 'system df',
  usage: 'system df [OPTIONS]',
  short: 'Show docker disk usage',
  flags: [
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'verbose', short: 'v', kind: 'bool', help: 'Show detailed information on space usage' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const df = await ctx.client().systemDf();
    const format = p.str('format') ?? '';
    const now = Date.now();
    if (p.bool('verbose')) {
      ctx.out(format === '' || format === 'table' ? verboseTable(df, now) : verboseCustom(df, format, now));
      return 0;
    }
    const f = format === '' || format === 'table' ? SUMMARY_FORMAT : format === 'raw' ? SUMMARY_RAW : format;
    ctx.out(renderRows(summaryRows(df), { format: f, headers: SUMMARY_HEADERS }));
    return 0;
  },
};
