import { helpFlag, type CommandDef } from '../command.js';
import { renderRows, type Row } from '../format/table.js';
import { ago, ellipsis, humanSize, rfc3339, shortId } from '../format/units.js';

const DEFAULT_FORMAT = 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
const HEADERS: Record<string, string> = {
  ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT',
};

export const history: CommandDef = {
  name: 'history',
  usage: 'history [OPTIONS] IMAGE',
  short: 'Show the history of an image',
  flags: [
    { name: 'format', kind: 'string', help: 'Format output using a custom template' },
    { name: 'human', short: 'H', kind: 'bool', defaultTrue: true, help: 'Print sizes and dates in human readable format' },
    { name: 'no-trunc', kind: 'bool', help: "Don't truncate output" },
    { name: 'platform', kind: 'string', help: 'Show history for the given platform' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Only show image IDs' },
    helpFlag,
  ],
  args: { exact: 1 },
  async run(ctx, p, args) {
    const items = await ctx.client().imageHistory(args[0]!);
    const trunc = !p.bool('no-trunc');
    const human = p.bool('human');
    const now = Date.now();
    const id = (i: string): string => (i === '<missing>' || i === '' ? '<missing>' : trunc ? shortId(i) : i);
    if (p.bool('quiet') && !p.has('format')) {
      for (const i of items) ctx.out(`${id(i.Id)}\n`);
      return 0;
    }
    const rows: Row[] = items.map((i) => {
      const createdBy = (i.CreatedBy ?? '').replace(/\t/g, ' ');
      return {
        Comment: i.Comment ?? '',
        CreatedAt: rfc3339(i.Created),
        CreatedBy: trunc ? ellipsis(createdBy, 45) : createdBy,
        CreatedSince: human ? ago(i.Created, now) : rfc3339(i.Created),
        ID: id(i.Id),
        Size: human ? humanSize(i.Size) : String(i.Size),
      };
    });
    let format = p.str('format') ?? '';
    if (format === '' || format === 'table') format = DEFAULT_FORMAT;
    ctx.out(renderRows(rows, { format, headers: human ? HEADERS : { ...HEADERS, CreatedSince: 'CREATED AT' } }));
    return 0;
  },
};
