/**
 * Instruction flags (`COPY --from=x --link`), checked as Docker's BFlags does: only declared
 * flags, no duplicates (except repeatable ones such as `--mount`), `--name=value` for string
 * flags, `--name` or `--name=true|false` for booleans; `--` ends the flags.
 */
import { Problem } from './errors.js';
import { withSuggestion } from './text.js';

/** A flag's kind: one value, a boolean, or repeatable values. */
export type FlagKind = 'string' | 'bool' | 'strings';
/** The flags an instruction accepts, by name (without `--`). */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** Parsed values: string flags → string | undefined, booleans → boolean | undefined, repeatable → string[]. */
export type FlagValues<S extends FlagSpec> = {
  readonly [K in keyof S]: S[K] extends 'strings' ? readonly string[] : S[K] extends 'bool' ? boolean | undefined : string | undefined;
};

/** Parses `flags` against `spec`; throws a Problem with Docker's wording. */
export function parseFlags<S extends FlagSpec>(flags: readonly string[], spec: S): FlagValues<S> {
  const values: Record<string, string | boolean | string[] | undefined> = {};
  for (const [name, kind] of Object.entries(spec)) values[name] = kind === 'strings' ? [] : undefined;
  const used = new Set<string>();
  for (const arg of flags) {
    if (arg === '--') break;
    if (!arg.startsWith('--')) throw new Problem(`arg should start with -- : ${arg}`);
    const eq = arg.indexOf('=');
    const flagName = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? '' : arg.slice(eq + 1);
    const hasValue = eq >= 0;
    const name = flagName.slice(2);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (kind === undefined) {
      throw new Problem(withSuggestion(`unknown flag: ${flagName}`, name, Object.keys(spec), true));
    }
    if (used.has(name) && kind !== 'strings') throw new Problem(`duplicate flag specified: ${flagName}`);
    used.add(name);
    if (kind === 'bool') {
      if (hasValue && value === '') throw new Problem(`missing a value on flag: ${flagName}`);
      const lower = value.toLowerCase();
      if (lower === 'true' || lower === '') values[name] = true;
      else if (lower === 'false') values[name] = false;
      else throw new Problem(`expecting boolean value for flag ${flagName}, not: ${value}`);
    } else {
      if (!hasValue) throw new Problem(`missing a value on flag: ${flagName}`);
      if (kind === 'string') values[name] = value;
      else (values[name] as string[]).push(value);
    }
  }
  return values as FlagValues<S>;
}

/** Rejects any flag: the instructions that take none still parse them, as Docker does. */
export function noFlags(flags: readonly string[]): void {
  parseFlags(flags, {});
}
