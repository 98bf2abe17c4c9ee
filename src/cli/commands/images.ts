import type { ImageSummary } from '../../protocol/types.js';
import { helpFlag, type CommandDef } from '../command.js';
import { renderRows, type Row } from '../format/table.js';
import { ago, goTimeString, humanSize, shortId } from '../format/units.js';
import { parseFilters } from './ps.js';

const DEFAULT_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
const DIGEST_FORMAT = 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';

const HEADERS: Record<string, string> = {
  ID: 'IMAGE ID', Repository: 'REPOSITORY', Tag: 'TAG', Digest: 'DIGEST', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT',
  Size: 'SIZE', Containers: 'CONTAINERS', SharedSize: 'SHARED SIZE', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'SIZE',
};

function splitRepoTag(rt: string): [string, string] {
  const i = rt.lastIndexOf(':');
  if (i < 0 || rt.slice(i).includes('/')) return [rt, '<none>'];
  return [rt.slice(0, i), rt.slice(i + 1)];
}

/** One row per (repository, tag) pair as docker/cli's imageFormat; dangling images get `<none>`. */
export function imageRows(images: ImageSummary[], opts: { trunc: boolean; digests: boolean; now: number }): Row[] {
  const rows: Row[] = [];
  for (const img of images) {
    const base = (repo: string, tag: string, digest: string): Row => ({
      Containers: img.Containers === undefined || img.Containers < 0 ? 'N/A' : String(img.Containers),
      CreatedAt: goTimeString(img.Created),
      CreatedSince: ago(img.Created, opts.now),
      Digest: digest,
      ID: opts.trunc ? shortId(img.Id) : img.Id,
      Repository: repo,
      SharedSize: img.SharedSize === undefined || img.SharedSize < 0 ? 'N/A' : humanSize(img.SharedSize, 4),
      Size: humanSize(img.Size),
      Tag: tag,
      UniqueSize: img.SharedSize === undefined || img.SharedSize < 0 ? 'N/A' : humanSize(img.Size - img.SharedSize, 4),
      VirtualSize: humanSize(img.VirtualSize ?? img.Size, 4),
    });
    const tags = (img.RepoTags ?? []).filter((t) => t !== '<none>:<none>');
    const digests = (img.RepoDigests ?? []).filter((d) => d !== '<none>@<none>');
    const digestOf = (repo: string): string => {
      const d = digests.find((x) => x.startsWith(`${repo}@`));
      return d === undefined ? '<none>' : d.slice(repo.length + 1);
    };
    if (tags.length === 0) {
      if (digests.length > 0 && opts.digests) {
        for (const d of digests) {
          const at = d.indexOf('@');
          rows.push(base(d.slice(0, at), '<none>', d.slice(at + 1)));
        }
      } else {
        const repo = digests.length > 0 ? digests[0]!.slice(0, digests[0]!.indexOf('@')) : '<none>';
        rows.push(base(repo, '<none>', digests.length > 0 ? digestOf(repo) : '<none>'));
      }
      continue;
    }
    for (const rt of tags) {
      const [repo, tag] = splitRepoTag(rt);
      rows.push(base(repo, tag, digestOf(repo)));
    }
  }
  return rows;
}

export const images: CommandDef = {
  name: 'images',
  usage: 'images [OPTIONS] [REPOSITORY[:TAG]]',
  short: 'List images',
  flags: [
    { name: 'all', short: 'a', kind: 'bool', help: 'Show all images (default hides intermediate images)' },
    { name: 'digests', kind: 'bool', help: 'Show digests' },
    { name: 'filter', short: 'f', kind: 'list', valueName: 'filter', help: 'Filter output based on conditions provided' },
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'no-trunc', kind: 'bool', help: "Don't truncate output" },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Only show image IDs' },
    { name: 'tree', kind: 'bool', help: 'List multi-platform images as a tree (EXPERIMENTAL)', hidden: true },
    helpFlag,
  ],
  args: { max: 1 },
  async run(ctx, p, args) {
    const filters = parseFilters(p.list('filter'));
    if (args[0] !== undefined) (filters['reference'] ??= []).push(args[0]);
    const list = await ctx.client().imageList({ all: p.bool('all'), filters });
    list.sort((a, b) => b.Created - a.Created);
    const trunc = !p.bool('no-trunc');
    if (p.bool('quiet') && !p.has('format')) {
      const seen = new Set<string>();
      for (const img of list) {
        const id = trunc ? shortId(img.Id) : img.Id;
        if (!seen.has(id)) ctx.out(`${id}\n`);
        seen.add(id);
      }
      return 0;
    }
    let format = p.str('format') ?? '';
    if (format === '' || format === 'table') format = p.bool('digests') ? DIGEST_FORMAT : DEFAULT_FORMAT;
    const rows = imageRows(list, { trunc, digests: p.bool('digests'), now: Date.now() });
    ctx.out(renderRows(rows, { format, headers: HEADERS }));
    return 0;
  },
};
