/**
 * A small spf13/pflag work-alike: long and short flags, combined shorts (`-dit`), `--x=v`,
 * `-e=v`, `-ev`, repeatable list flags, `--` and (optionally) stop at the first positional.
 */

export type FlagKind = 'bool' | 'string' | 'list' | 'int';

export interface FlagSpec {
  name: string;
  short?: string;
  kind: FlagKind;
  help: string;
  /** Value name shown in help (`string`, `list`, `int` by default). */
  valueName?: string;
  /** Default as shown in help; bool flags default to false unless `defaultTrue`. */
  defaultText?: string;
  defaultTrue?: boolean;
  hidden?: boolean;
  /** Store values under another flag's name (pflag: two flags on one variable, e.g. `--net`). */
  aliasOf?: string;
  /** `list` only: split each value as CSV (pflag's StringSlice, `--subnet a,b`). */
  csv?: boolean;
  /**
   * Checks (and may normalise) each value as it is set, like a docker/cli opts validator;
   * a thrown Error becomes pflag's `invalid argument "v" for "--x" flag: <message>`.
   */
  validate?: (value: string) => string;
}

/** A flag error; the CLI prints it with usage and exits 125 (docker's FlagErrorFunc). */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

type Value = boolean | string | string[] | number;

/** The result of parsing: typed accessors over the values that were set. */
export class Parsed {
  readonly positionals: string[];
  private readonly values: Map<string, Value>;
  private readonly specs: Map<string, FlagSpec>;

  constructor(specs: Map<string, FlagSpec>, values: Map<string, Value>, positionals: string[]) {
    this.specs = specs;
    this.values = values;
    this.positionals = positionals;
  }

  /** Whether the flag was given on the command line. */
  has(name: string): boolean {
    return this.values.has(name);
  }
  bool(name: string): boolean {
    const v = this.values.get(name);
    return typeof v === 'boolean' ? v : this.specs.get(name)?.defaultTrue === true;
  }
  str(name: string): string | undefined {
    const v = this.values.get(name);
    return typeof v === 'string' ? v : undefined;
  }
  list(name: string): string[] {
    const v = this.values.get(name);
    return Array.isArray(v) ? v : [];
  }
  int(name: string): number | undefined {
    const v = this.values.get(name);
    return typeof v === 'number' ? v : undefined;
  }
}

export interface ParseOptions {
  /** false: everything from the first positional on is positional (run, create, exec). */
  interspersed?: boolean;
}

/** Parses argv against the flag specs; throws FlagError with pflag's wording. */
export function parseFlags(args: readonly string[], specs: readonly FlagSpec[], opts: ParseOptions = {}): Parsed {
  const byName = new Map<string, FlagSpec>();
  const byShort = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    if (s.short !== undefined) byShort.set(s.short, s);
  }
  const values = new Map<string, Value>();
  const positionals: string[] = [];
  const interspersed = opts.interspersed !== false;
  let i = 0;
  const next = (): string | undefined => (i + 1 < args.length ? args[++i] : undefined);
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      positionals.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq < 0 ? a.slice(2) : a.slice(2, eq);
      const spec = byName.get(name);
      if (spec === undefined) throw new FlagError(`unknown flag: --${name}`);
      if (eq >= 0) set(values, spec, a.slice(eq + 1));
      else if (spec.kind === 'bool') set(values, spec, 'true');
      else {
        const v = next();
        if (v === undefined) throw new FlagError(`flag needs an argument: --${name}`);
        set(values, spec, v);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      i = parseShorts(a, args, i, byShort, values);
      continue;
    }
    positionals.push(a);
    if (!interspersed) {
      positionals.push(...args.slice(i + 1));
      break;
    }
  }
  return new Parsed(byName, values, positionals);
}

function parseShorts(a: string, args: readonly string[], i: number, byShort: Map<string, FlagSpec>, values: Map<string, Value>): number {
  const shorts = a.slice(1);
  for (let j = 0; j < shorts.length; j++) {
    const c = shorts[j]!;
    const spec = byShort.get(c);
    if (spec === undefined) throw new FlagError(`unknown shorthand flag: '${c}' in ${a}`);
    const rest = shorts.slice(j + 1);
    if (rest.startsWith('=')) {
      set(values, spec, rest.slice(1));
      return i;
    }
    if (spec.kind === 'bool') {
      set(values, spec, 'true');
      continue;
    }
    if (rest !== '') {
      set(values, spec, rest);
      return i;
    }
    if (i + 1 >= args.length) throw new FlagError(`flag needs an argument: '${c}' in -${c}`);
    set(values, spec, args[i + 1]!);
    return i + 1;
  }
  return i;
}

function flagLabel(spec: FlagSpec): string {
  return spec.short === undefined ? `--${spec.name}` : `-${spec.short}, --${spec.name}`;
}

function set(values: Map<string, Value>, spec: FlagSpec, raw: string): void {
  const key = spec.aliasOf ?? spec.name;
  switch (spec.kind) {
    case 'bool': {
      const b = parseBool(raw);
      if (b === undefined) {
        throw new FlagError(`invalid argument "${raw}" for "${flagLabel(spec)}" flag: strconv.ParseBool: parsing "${raw}": invalid syntax`);
      }
      values.set(key, b);
      return;
    }
    case 'string':
      values.set(key, validated(spec, raw));
      return;
    case 'list': {
      const prev = values.get(key);
      const added = spec.csv === true ? splitCsvLine(raw) : [raw];
      values.set(key, [...(Array.isArray(prev) ? prev : []), ...added.map((v) => validated(spec, v))]);
      return;
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw.trim()) || raw.trim() !== raw) {
        throw new FlagError(`invalid argument "${raw}" for "${flagLabel(spec)}" flag: strconv.ParseInt: parsing "${raw}": invalid syntax`);
      }
      values.set(key, Number(raw));
      return;
    }
  }
}

function validated(spec: FlagSpec, raw: string): string {
  if (spec.validate === undefined) return raw;
  try {
    return spec.validate(raw);
  } catch (err) {
    throw new FlagError(`invalid argument "${raw}" for "${flagLabel(spec)}" flag: ${(err as Error).message}`);
  }
}

/** One CSV record as Go's encoding/csv reads it (pflag StringSlice): `a,"b,c"` → [a, b,c]; `` → []. */
export function splitCsvLine(value: string): string[] {
  if (value === '') return [];
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (quoted) {
      if (c === '"' && value[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"' && cur === '') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; }
    else cur += c;
  }
  out.push(cur);
  return out;
}

function parseBool(raw: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(raw)) return false;
  return undefined;
}

/** Renders the `Options:` block of a help text, aligned like cobra's. */
export function formatFlagHelp(specs: readonly FlagSpec[]): string {
  const rows = specs.filter((s) => s.hidden !== true).sort((a, b) => (a.name < b.name ? -1 : 1)).map((s) => {
    const name = s.short === undefined ? `      --${s.name}` : `  -${s.short}, --${s.name}`;
    const type = s.kind === 'bool' ? '' : ` ${s.valueName ?? s.kind}`;
    const def = s.defaultText !== undefined ? ` (default ${s.defaultText})` : s.defaultTrue === true ? ' (default true)' : '';
    return [`${name}${type}`, `${s.help}${def}`] as const;
  });
  const width = Math.max(0, ...rows.map(([l]) => l.length));
  return rows.map(([l, h]) => `${l.padEnd(width)}   ${h}`).join('\n');
}
