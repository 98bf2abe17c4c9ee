/**
 * Parser for the subset of Go text/template that docker users write in `--format`:
 * fields, pipelines, functions, parentheses, variables, if/else if/else, range, with, end,
 * and `{{-`/`-}}` trimming.
 */

export type Arg =
  | { t: 'field'; base: 'dot' | string; path: string[] } // .A.B, $x.A, $
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'nil' }
  | { t: 'ident'; name: string }
  | { t: 'pipe'; pipe: Pipeline; path?: string[] }; // (pipeline).A.B

export interface Pipeline {
  decl: string[];
  cmds: Arg[][];
}

export type Node =
  | { t: 'text'; v: string }
  | { t: 'action'; pipe: Pipeline }
  | { t: 'if' | 'with'; pipe: Pipeline; then: Node[]; else: Node[] }
  | { t: 'range'; pipe: Pipeline; body: Node[]; else: Node[] };

/** A template syntax error, worded like Go's `template: :1: …`. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(`template: ${message}`);
    this.name = 'TemplateError';
  }
}

type Raw = { t: 'text'; v: string } | { t: 'act'; v: string };

function lex(src: string): Raw[] {
  const out: Raw[] = [];
  let i = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    if (open < 0) {
      out.push({ t: 'text', v: src.slice(i) });
      break;
    }
    let text = src.slice(i, open);
    let start = open + 2;
    if (src.startsWith('- ', start) || src.startsWith('-\t', start) || src.startsWith('-\n', start)) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    const close = src.indexOf('}}', start);
    if (close < 0) throw new TemplateError(':1: unclosed action');
    let body = src.slice(start, close);
    let after = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      const m = /^\s*/.exec(src.slice(after));
      after += m === null ? 0 : m[0].length;
    }
    if (text !== '') out.push({ t: 'text', v: text });
    out.push({ t: 'act', v: body.trim() });
    i = after;
  }
  return out;
}

function tokenize(s: string): string[] {
  const toks: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === '"') {
      let j = i + 1;
      while (j < s.length && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
      toks.push(s.slice(i, j + 1));
      i = j + 1;
      continue;
    }
    if (c === '`') {
      const j = s.indexOf('`', i + 1);
      toks.push(s.slice(i, j < 0 ? s.length : j + 1));
      i = j < 0 ? s.length : j + 1;
      continue;
    }
    if (c === ')' && s[i + 1] === '.') {
      // `(pipeline).Field.Chain`: the chain is kept with the parenthesis that closes the pipeline
      let j = i + 1;
      while (j < s.length && !/[\s()|,]/.test(s[j]!)) j++;
      toks.push(s.slice(i, j));
      i = j;
      continue;
    }
    if (c === '(' || c === ')' || c === '|' || c === ',') { toks.push(c); i++; continue; }
    if (s.startsWith(':=', i)) { toks.push(':='); i += 2; continue; }
    if (s.startsWith('=', i)) { toks.push('='); i += 1; continue; }
    let j = i;
    while (j < s.length && !/[\s()|,]/.test(s[j]!) && !s.startsWith(':=', j)) j++;
    toks.push(s.slice(i, j));
    i = j;
  }
  return toks;
}

function parseArg(tok: string): Arg {
  if (tok.startsWith('"')) return { t: 'str', v: JSON.parse(tok) as string };
  if (tok.startsWith('`')) return { t: 'str', v: tok.slice(1, -1) };
  if (tok === 'true' || tok === 'false') return { t: 'bool', v: tok === 'true' };
  if (tok === 'nil') return { t: 'nil' };
  if (/^-?\d+(\.\d+)?$/.test(tok)) return { t: 'num', v: Number(tok) };
  if (tok === '.') return { t: 'field', base: 'dot', path: [] };
  if (tok.startsWith('.')) return { t: 'field', base: 'dot', path: tok.slice(1).split('.') };
  if (tok.startsWith('$')) {
    const [base, ...path] = tok.split('.');
    return { t: 'field', base: base!, path };
  }
  if (/^[A-Za-z_]\w*$/.test(tok)) return { t: 'ident', name: tok };
  throw new TemplateError(`:1: unexpected "${tok}" in command`);
}

/** Parses the inside of an action into a pipeline. */
export function parsePipeline(src: string): Pipeline {
  const toks = tokenize(src);
  let pos = 0;
  const decl: string[] = [];
  const declEnd = toks.findIndex((t) => t === ':=' || t === '=');
  if (declEnd > 0 && toks.slice(0, declEnd).every((t) => t.startsWith('$') || t === ',')) {
    decl.push(...toks.slice(0, declEnd).filter((t) => t !== ','));
    pos = declEnd + 1;
  }
  let chain: string[] | undefined;
  const parse = (): Pipeline => {
    const cmds: Arg[][] = [[]];
    while (pos < toks.length) {
      const tok = toks[pos++]!;
      if (tok === ')' || tok.startsWith(').')) {
        chain = tok === ')' ? undefined : tok.slice(2).split('.');
        return { decl: [], cmds };
      }
      if (tok === '|') { cmds.push([]); continue; }
      if (tok === '(') {
        const pipe = parse();
        const path = chain;
        chain = undefined;
        cmds[cmds.length - 1]!.push(path ? { t: 'pipe', pipe, path } : { t: 'pipe', pipe });
        continue;
      }
      cmds[cmds.length - 1]!.push(parseArg(tok));
    }
    return { decl: [], cmds };
  };
  const p = parse();
  if (p.cmds.some((c) => c.length === 0)) throw new TemplateError(':1: missing value for command');
  return { decl, cmds: p.cmds };
}

/** Parses a whole template into a node tree; throws TemplateError on bad structure. */
export function parseTemplate(src: string): Node[] {
  const raws = lex(src);
  let pos = 0;
  const block = (stops: string[]): { nodes: Node[]; stop: string; rest: string } => {
    const nodes: Node[] = [];
    while (pos < raws.length) {
      const r = raws[pos++]!;
      if (r.t === 'text') { nodes.push({ t: 'text', v: r.v }); continue; }
      const word = /^(\w+)\b\s*(.*)$/s.exec(r.v);
      const kw = word?.[1] ?? '';
      const rest = word?.[2] ?? '';
      if (stops.includes(kw)) return { nodes, stop: kw, rest };
      if (kw === 'if' || kw === 'with' || kw === 'range') { nodes.push(control(kw, rest)); continue; }
      if (kw === 'end' || kw === 'else') throw new TemplateError(`:1: unexpected {{${kw}}}`);
      if (r.v.startsWith('/*')) continue;
      nodes.push({ t: 'action', pipe: parsePipeline(r.v) });
    }
    if (stops.length > 0) throw new TemplateError(':1: unexpected EOF');
    return { nodes, stop: '', rest: '' };
  };
  const control = (kw: 'if' | 'with' | 'range', arg: string): Node => {
    const pipe = parsePipeline(arg);
    const body = block(['else', 'end']);
    let elseNodes: Node[] = [];
    if (body.stop === 'else') {
      if (body.rest.startsWith('if ') || body.rest.startsWith('with ')) {
        const sub = body.rest.startsWith('if ') ? 'if' : 'with';
        elseNodes = [control(sub, body.rest.slice(sub.length + 1))];
        // the nested control consumed the shared {{end}}
      } else {
        elseNodes = block(['end']).nodes;
      }
    }
    return kw === 'range' ? { t: 'range', pipe, body: body.nodes, else: elseNodes } : { t: kw, pipe, then: body.nodes, else: elseNodes };
  };
  return block([]).nodes;
}
