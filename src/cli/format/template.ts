import { goPrint } from './go-print.js';
import { parseTemplate, TemplateError, type Arg, type Node, type Pipeline } from './template-parse.js';
import { FUNCS } from './template-funcs.js';

export { TemplateError } from './template-parse.js';

type Scope = Map<string, unknown>;

interface Lookup {
  value: unknown;
  key: string;
}

/** A compiled Go-style template. */
export class Template {
  private readonly nodes: Node[];

  constructor(src: string) {
    this.nodes = parseTemplate(src);
  }

  /** Renders the template against `data`; throws TemplateError on execution errors. */
  execute(data: unknown): string {
    const scope: Scope = new Map([['$', data]]);
    return this.run(this.nodes, data, scope);
  }

  private run(nodes: Node[], dot: unknown, scope: Scope): string {
    let out = '';
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          out += n.v;
          break;
        case 'action': {
          const r = this.pipe(n.pipe, dot, scope);
          if (n.pipe.decl.length === 0) out += goPrint(r.value, r.key);
          break;
        }
        case 'if':
        case 'with': {
          const r = this.pipe(n.pipe, dot, scope).value;
          if (truthy(r)) out += this.run(n.then, n.t === 'with' ? r : dot, new Map(scope));
          else out += this.run(n.else, dot, new Map(scope));
          break;
        }
        case 'range':
          out += this.range(n, dot, scope);
          break;
      }
    }
    return out;
  }

  private range(n: Extract<Node, { t: 'range' }>, dot: unknown, scope: Scope): string {
    const inner: Pipeline = { decl: [], cmds: n.pipe.cmds };
    const v = this.pipe(inner, dot, scope).value;
    let items: Array<[unknown, unknown]> = [];
    if (Array.isArray(v)) items = v.map((x, i) => [i, x]);
    else if (v !== null && typeof v === 'object') {
      items = Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]);
    } else if (typeof v === 'number') items = Array.from({ length: v }, (_, i) => [i, i]);
    if (items.length === 0) return this.run(n.else, dot, new Map(scope));
    let out = '';
    for (const [k, x] of items) {
      const s = new Map(scope);
      if (n.pipe.decl.length === 1) s.set(n.pipe.decl[0]!, x);
      if (n.pipe.decl.length === 2) { s.set(n.pipe.decl[0]!, k); s.set(n.pipe.decl[1]!, x); }
      out += this.run(n.body, x, s);
    }
    return out;
  }

  private pipe(p: Pipeline, dot: unknown, scope: Scope): Lookup {
    let prev: Lookup | undefined;
    for (const cmd of p.cmds) prev = this.command(cmd, dot, scope, prev);
    const result = prev ?? { value: undefined, key: '' };
    for (const d of p.decl) scope.set(d, result.value);
    return result;
  }

  private command(cmd: Arg[], dot: unknown, scope: Scope, piped: Lookup | undefined): Lookup {
    const [head, ...rest] = cmd;
    if (head === undefined) throw new TemplateError(':1: empty command');
    const args = rest.map((a) => this.arg(a, dot, scope).value);
    if (piped !== undefined) args.push(piped.value);
    if (head.t === 'ident') {
      const fn = FUNCS[head.name];
      if (fn === undefined) throw new TemplateError(`:1: function "${head.name}" not defined`);
      return { value: fn(...args), key: '' };
    }
    const v = this.arg(head, dot, scope);
    if (typeof v.value === 'function') return { value: (v.value as (...a: unknown[]) => unknown)(...args), key: v.key };
    return v;
  }

  private arg(a: Arg, dot: unknown, scope: Scope): Lookup {
    switch (a.t) {
      case 'str':
      case 'num':
      case 'bool':
        return { value: a.v, key: '' };
      case 'nil':
        return { value: null, key: '' };
      case 'pipe': {
        const r = this.pipe(a.pipe, dot, new Map(scope));
        if (!a.path) return r;
        let v = r.value;
        for (const name of a.path) v = field(v, name);
        return { value: v, key: a.path[a.path.length - 1]! };
      }
      case 'ident': {
        const fn = FUNCS[a.name];
        if (fn === undefined) throw new TemplateError(`:1: function "${a.name}" not defined`);
        return { value: fn(), key: '' };
      }
      case 'field': {
        let v: unknown = a.base === 'dot' ? dot : scope.get(a.base);
        if (a.base !== 'dot' && !scope.has(a.base)) throw new TemplateError(`:1: undefined variable "${a.base}"`);
        let key = '';
        for (const name of a.path) {
          v = field(v, name);
          key = name;
        }
        return { value: v, key };
      }
    }
  }
}

function field(v: unknown, name: string): unknown {
  if (v === null || v === undefined || typeof v !== 'object') {
    throw new TemplateError(`:1: executing "" at <.${name}>: nil pointer evaluating interface {}.${name}`);
  }
  const obj = v as Record<string, unknown>;
  if (!(name in obj)) return '<no value>';
  const x = obj[name];
  return typeof x === 'function' ? (x as (...a: unknown[]) => unknown).bind(obj) : x;
}

/** Go's truth: false, 0, nil, empty string/array/map are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (typeof v === 'object') return Object.keys(v).length > 0;
  return true;
}
