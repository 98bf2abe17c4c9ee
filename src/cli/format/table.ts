import { tabwrite } from './tabwriter.js';
import { Template } from './template.js';

/** A row context: fields (strings) and methods (e.g. `Label "k"`) as docker's formatter contexts. */
export type Row = Record<string, unknown>;

export interface RenderOptions {
  /** The user's --format, or the command's default ("table {{.ID}}\t…"). */
  format: string;
  /** Header texts by field name (docker's SubHeaderContext). */
  headers: Record<string, string>;
}

/**
 * Renders rows like docker/cli's formatter.Context: `table …` formats get a header row and
 * tabwriter alignment; `json` is `{{json .}}`; other formats print one rendered line per row.
 * Throws TemplateError on a bad template.
 */
export function renderRows(rows: Row[], opts: RenderOptions): string {
  let format = opts.format;
  if (format === 'json') format = '{{json .}}';
  const isTable = format.startsWith('table');
  if (isTable) format = format.slice('table'.length);
  format = format.trim().replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  const tmpl = new Template(format);
  let out = '';
  if (isTable) {
    const header = tmpl.execute(headerRow(rows[0], opts.headers));
    if (header.trim() !== '') out += `${header}\n`;
  }
  for (const row of rows) out += `${tmpl.execute(row)}\n`;
  return isTable ? tabwrite(out) : out;
}

function headerRow(sample: Row | undefined, headers: Record<string, string>): Row {
  const h: Row = {};
  for (const [k, v] of Object.entries(headers)) h[k] = v;
  if (sample !== undefined) {
    for (const [k, v] of Object.entries(sample)) {
      if (typeof v === 'function') h[k] = (): string => (headers[k] ?? k.toUpperCase());
      else h[k] ??= k.toUpperCase();
    }
  }
  return h;
}
