/**
 * Go's text/tabwriter column alignment (the elastic-tabstop algorithm), as docker's tables use it:
 * `new tabwriter(minwidth 10, padding 3, padchar ' ')`. Text after a line's last tab is not aligned.
 */
export function tabwrite(text: string, opts: { minwidth?: number; padding?: number } = {}): string {
  const minwidth = opts.minwidth ?? 10;
  const padding = opts.padding ?? 3;
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  let out = '';

  const writeLines = (line0: number, line1: number): void => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i]!;
      cells.forEach((c, j) => {
        if (j < widths.length && j < cells.length - 1) out += c + ' '.repeat(Math.max(0, widths[j]! - width(c)));
        else out += c;
      });
      if (i < lines.length - 1 || endsWithNewline) out += '\n';
    }
  };

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let cur = line0; cur < line1; cur++) {
      if (column >= lines[cur]!.length - 1) continue;
      writeLines(line0, cur);
      line0 = cur;
      let w = minwidth;
      for (; cur < line1; cur++) {
        const cells = lines[cur]!;
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]!) + padding);
      }
      widths.push(w);
      format(line0, cur);
      widths.pop();
      line0 = cur;
      cur--;
      if (line0 >= line1) return;
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out;
}

/** Display width in runes (as tabwriter counts UTF-8 characters). */
function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
