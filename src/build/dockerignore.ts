/**
 * .dockerignore, with Docker's semantics (moby/patternmatcher and its ignorefile reader):
 * - lines starting with `#` are comments; blank lines are skipped; patterns are trimmed,
 *   cleaned like Go's filepath.Clean and a leading `/` is dropped (`/a` is `a`);
 * - `*` matches within a path segment, `?` one character of a segment, `[...]` a character
 *   class (`[^...]` negated), `\` escapes, `**` any number of segments (leading, trailing or
 *   between slashes);
 * - a pattern also ignores everything below a directory it matches;
 * - `!pattern` re-includes, and the last pattern that matches a path decides;
 * - the Dockerfile and .dockerignore are sent anyway (keepBuildFiles) and hidden from COPY/ADD
 *   afterwards (hiddenBuildFiles).
 */
import { invalidArgument } from '../core/index.js';
import { cleanPath } from './paths.js';

/**
 * Reads a .dockerignore: the patterns in order (exceptions keep their `!`). A UTF-8 BOM is
 * ignored.
 */
export function parseDockerignore(text: string): string[] {
  const patterns: string[] = [];
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  for (const raw of body.split(/\r?\n/)) {
    if (raw.startsWith('#')) continue;
    let pattern = raw.trim();
    if (pattern === '') continue;
    const invert = pattern.startsWith('!');
    if (invert) pattern = pattern.slice(1).trim();
    if (pattern.length > 0) {
      pattern = cleanPath(pattern);
      if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    }
    patterns.push(invert ? `!${pattern}` : pattern);
  }
  return patterns;
}

/** One compiled pattern. */
export interface IgnorePattern {
  /** The cleaned pattern, without `!`. */
  readonly pattern: string;
  /** True for a `!` exception (re-include). */
  readonly exclusion: boolean;
}

/** Per-pattern results for a directory, handed to its children while walking (see matchWalk). */
export type ParentMatches = readonly boolean[];

type Kind = 'exact' | 'prefix' | 'suffix' | 'regexp';

class CompiledPattern implements IgnorePattern {
  private readonly kind: Kind;
  private readonly regexp: RegExp | undefined;

  constructor(readonly pattern: string, readonly exclusion: boolean) {
    if (!validGlob(pattern)) throw invalidArgument(`syntax error in pattern: ${pattern}`);
    const { kind, source } = translate(pattern);
    this.kind = kind;
    try {
      this.regexp = kind === 'regexp' ? new RegExp(`${source}$`, 'u') : undefined;
    } catch {
      throw invalidArgument(`syntax error in pattern: ${pattern}`);
    }
  }

  match(path: string): boolean {
    switch (this.kind) {
      case 'exact':
        return path === this.pattern;
      case 'prefix':
        return path.startsWith(this.pattern.slice(0, -2));
      case 'suffix': {
        const suffix = this.pattern.slice(2);
        return path.endsWith(suffix) || (suffix.startsWith('/') && path === suffix.slice(1));
      }
      case 'regexp':
        return this.regexp!.test(path);
    }
  }
}

const REGEX_ESCAPED = new Set(['.', '+', '(', ')', '|', '{', '}', '$']);
const SYNTAX_CHARS = new Set(['^', '$', '\\', '.', '*', '+', '?', '(', ')', '[', ']', '{', '}', '|', '/']);

/** A literal character in a `u` regular expression (inside a class, `-` too). */
function literal(ch: string, inClass: boolean): string {
  return SYNTAX_CHARS.has(ch) || (inClass && ch === '-') ? `\\${ch}` : ch;
}

/** patternmatcher's compile: the match kind and, for 'regexp', the expression source. */
function translate(pattern: string): { kind: Kind; source: string } {
  const chars = Array.from(pattern);
  let re = '^';
  let kind: Kind = 'exact';
  let inClass = false;
  for (let i = 0, k = 0; k < chars.length; i++) {
    const ch = chars[k++]!;
    if (inClass) {
      if (ch === ']') inClass = false;
      if (ch === '\\' && k < chars.length) re += literal(chars[k++]!, true);
      else re += ch === ']' || ch === '-' ? ch : literal(ch, true);
      continue;
    }
    if (ch === '*' && chars[k] === '*') {
      k++;
      if (chars[k] === '/') k++;
      if (k >= chars.length) {
        if (kind === 'exact') kind = 'prefix';
        else {
          re += '.*';
          kind = 'regexp';
        }
      } else {
        re += '(.*/)?';
        kind = 'regexp';
      }
      if (i === 0) kind = 'suffix';
    } else if (ch === '*' || ch === '?') {
      re += ch === '*' ? '[^/]*' : '[^/]';
      kind = 'regexp';
    } else if (REGEX_ESCAPED.has(ch)) {
      re += `\\${ch}`;
    } else if (ch === '\\') {
      if (k < chars.length) {
        re += literal(chars[k++]!, false);
        kind = 'regexp';
      } else {
        re += '\\\\';
      }
    } else if (ch === '[') {
      re += '[';
      inClass = true;
      if (chars[k] === '^') re += chars[k++];
      kind = 'regexp';
    } else if (ch === ']') {
      re += '\\]';
      kind = 'regexp';
    } else {
      re += ch;
    }
  }
  return { kind, source: re };
}

/** The syntax check of Go's filepath.Match: well-formed classes and escapes. */
function validGlob(pattern: string): boolean {
  const c = Array.from(pattern);
  for (let i = 0; i < c.length; i++) {
    if (c[i] === '\\') {
      if (++i >= c.length) return false;
    } else if (c[i] === '[') {
      let j = i + 1;
      if (c[j] === '^') j++;
      for (let ranges = 0; ; ranges++) {
        if (j >= c.length) return false;
        if (c[j] === ']' && ranges > 0) break;
        const lo = classChar(c, j);
        if (lo < 0) return false;
        j = lo;
        if (c[j] === '-') {
          const hi = classChar(c, j + 1);
          if (hi < 0) return false;
          j = hi;
        }
      }
      i = j;
    }
  }
  return true;
}

/** Reads one (possibly escaped) class character at j; returns the next index or -1. */
function classChar(c: readonly string[], j: number): number {
  const ch = c[j];
  if (ch === undefined || ch === '-' || ch === ']') return -1;
  if (ch === '\\') return j + 1 < c.length ? j + 2 : -1;
  return j + 1;
}

/** The cumulative parent directories of a clean relative path: a/b/c → [a, a/b]. */
function parents(path: string): string[] {
  const parts = path.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

/** Compiled .dockerignore patterns. */
export class IgnoreMatcher {
  private readonly compiled: readonly CompiledPattern[];
  /** True when some pattern is a `!` exception. */
  readonly hasExclusions: boolean;

  /** Compiles patterns (as parseDockerignore returns them). Throws EngineError('invalid-argument'). */
  constructor(patterns: readonly string[]) {
    const compiled: CompiledPattern[] = [];
    for (const raw of patterns) {
      let p = raw.trim();
      if (p === '') continue;
      p = cleanPath(p);
      const exclusion = p.startsWith('!');
      if (exclusion) {
        if (p.length === 1) throw invalidArgument('illegal exclusion pattern: "!"');
        p = p.slice(1);
      }
      compiled.push(new CompiledPattern(p, exclusion));
    }
    this.compiled = compiled;
    this.hasExclusions = compiled.some((c) => c.exclusion);
  }

  /** The compiled patterns, in order. */
  get patterns(): readonly IgnorePattern[] {
    return this.compiled.map((c) => ({ pattern: c.pattern, exclusion: c.exclusion }));
  }

  /**
   * Whether a context path (slash-separated, relative) is ignored: the last pattern matching
   * it or one of its parent directories decides (patternmatcher's MatchesOrParentMatches).
   * The context root itself is never ignored.
   */
  isIgnored(path: string): boolean {
    const file = relative(path);
    if (file === '.') return false;
    let matched = false;
    const dirs = parents(file);
    for (const p of this.compiled) {
      if (p.exclusion !== matched) continue;
      if (p.match(file) || dirs.some((d) => p.match(d))) matched = !p.exclusion;
    }
    return matched;
  }

  /**
   * The walker's variant (MatchesUsingParentResults, as `docker build` uses when it sends the
   * context): pass the parent directory's `parents` result to each child. Without it, parent
   * directories are matched from the path, like isIgnored.
   */
  matchWalk(path: string, parent?: ParentMatches): { ignored: boolean; parents: ParentMatches } {
    const file = relative(path);
    const hasParent = parent !== undefined && parent.length === this.compiled.length;
    const dirs = hasParent ? [] : parents(file);
    const out: boolean[] = [];
    let matched = false;
    this.compiled.forEach((p, i) => {
      let match = hasParent ? parent[i]! : false;
      if (!match) {
        if (p.exclusion !== matched) {
          out.push(false);
          return;
        }
        match = p.match(file) || dirs.some((d) => p.match(d));
      }
      out.push(match);
      if (match) matched = !p.exclusion;
    });
    return { ignored: matched, parents: out };
  }

  /**
   * Whether an ignored directory can be skipped without looking inside: true unless some
   * exception could match the directory, one of its parents or something below it.
   */
  canSkipDir(dir: string): boolean {
    const d = relative(dir);
    return !this.compiled.some((p) => p.exclusion && mayMatchWithin(p, d));
  }
}

function relative(path: string): string {
  const clean = cleanPath(path);
  return clean.startsWith('/') ? cleanPath(clean.slice(1)) : clean;
}

/** Conservative: could `p` match `dir`, an ancestor of it or a path below it? */
function mayMatchWithin(p: CompiledPattern, dir: string): boolean {
  if (p.pattern.includes('[^')) return true; // a negated class can match '/'
  const segs = p.pattern.split('/');
  const dirSegs = dir === '.' ? [] : dir.split('/');
  for (let k = 0; ; k++) {
    if (k >= segs.length || k >= dirSegs.length) return true;
    const seg = segs[k]!;
    if (seg.includes('**')) return true;
    let segment: CompiledPattern;
    try {
      segment = new CompiledPattern(seg, false);
    } catch {
      return true; // a class split by '/': cannot tell
    }
    if (!segment.match(dirSegs[k]!)) return false;
  }
}

/**
 * The docker CLI's adjustment before sending the context: when the patterns would ignore the
 * Dockerfile or .dockerignore, exceptions are appended so they are sent anyway (the builder
 * needs them). A Dockerfile read from stdin is not in the context and needs none.
 */
export function keepBuildFiles(patterns: readonly string[], dockerfile: string, options: { dockerfileFromStdin?: boolean } = {}): string[] {
  const out = [...patterns];
  const matcher = new IgnoreMatcher(patterns);
  if (matcher.isIgnored('.dockerignore')) out.push('!.dockerignore');
  const file = relative(dockerfile);
  if (!options.dockerfileFromStdin && matcher.isIgnored(file)) out.push(`!${file}`);
  return out;
}

/**
 * The daemon side: which of .dockerignore and the Dockerfile the patterns ignore, i.e. the
 * files to remove from the received context so COPY and ADD cannot see them.
 */
export function hiddenBuildFiles(patterns: readonly string[], dockerfile: string): string[] {
  const matcher = new IgnoreMatcher(patterns);
  return ['.dockerignore', relative(dockerfile)].filter((f) => matcher.isIgnored(f));
}
