/** `system df`: disk usage by images, containers, volumes and build cache, as docker prints it. */
import { helpFlag, type CommandDef } from '../command.js';
import { renderRows } from '../format/table.js';
import { humanSize } from '../format/units.js';

function reclaimable(size: number, total: number): string {
  const pct = total > 0 ? Math.floor((size * 100) / total) : 0;
  return total > 0 ? `${humanSize(size, 4)} (${pct}%)` : humanSize(size, 4);
}

export const systemDf: CommandDef = {
  name: 'system df',
  usage: 'system df [OPTIONS]',
  short: 'Show docker disk usage',
  flags: [
    { name: 'verbose', short: 'v', kind: 'bool', help: 'Show detailed information on space usage' },
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const df = await ctx.client().systemDf();
    const activeImages = df.Images.filter((i) => i.Containers > 0);
    const imagesSize = df.Images.reduce((a, i) => a + i.Size, 0);
    const unusedSize = df.Images.filter((i) => i.Containers <= 0).reduce((a, i) => a + i.Size, 0);
    const running = df.Containers.filter((c) => c.State === 'running').length;
    const row = (Type: string, total: number, active: number, size: string, rec: string) => ({
      Type, TotalCount: String(total), Active: String(active), Size: size, Reclaimable: rec,
    });
    const rows = [
      row('Images', df.Images.length, activeImages.length, humanSize(imagesSize, 4), reclaimable(unusedSize, imagesSize)),
      row('Containers', df.Containers.length, running, '0B', '0B'),
      row('Local Volumes', df.Volumes.length, 0, '0B', '0B'),
      row('Build Cache', df.BuildCache.length, 0, '0B', '0B'),
    ];
    ctx.out(renderRows(rows, {
      format: p.str('format') ?? 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
      headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
    }));
    return 0;
  },
};
