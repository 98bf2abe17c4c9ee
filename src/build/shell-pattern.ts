/**
 * The shell wildcard patterns of `${VAR#pattern}`, `${VAR%pattern}` and `${VAR/pattern/repl}`
 * (BuildKit's shell lexer): `*` is any string, `?` any character, `\` escapes `*`, `?` and `\`
 * (and `}` or `/` as part of `${}`, where the backslash is dropped). No bracket expressions.
 * Patterns become regular expressions with Go's semantics (`.` does not match a newline).
 */
import { Problem } from './errors.js';

const REGEX_SPECIAL = new Set(['[', ']', '{', '}', '.', '+', '(', ')', '|', '^', '$']);

/**
 * Converts a wildcard pattern to a regular expression. `greedy` picks the longest match for `*`;
 * `anchored` matches only at the start. Throws a Problem for an invalid escape.
 */
export function shellPatternToRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  let out = anchored ? '^' : '';
  const star = greedy ? '[^\\n]*' : '[^\\n]*?';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch === '*') {
      out += star;
    } else if (ch === '?') {
      out += '[^\\n]';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next === '}' || next === '/') continue; // the escape is not part of the pattern
      if (next !== '*' && next !== '?' && next !== '\\') {
        throw new Problem(`invalid escape '\\${next ?? '\uFFFD'}'`);
      }
      out += `\\${next}`;
      i++;
    } else if (REGEX_SPECIAL.has(ch)) {
      out += `\\${ch}`;
    } else {
      out += ch;
    }
  }
  return new RegExp(out, 'u');
}

/** Reverses a pattern by code points, keeping each escape in front of the character it escapes. */
export function reversePattern(pattern: string): string {
  const runes = Array.from(pattern);
  const out: string[] = new Array<string>(runes.length);
  const last = runes.length - 1;
  for (let i = 0; i <= last;) {
    const tok = runes[i]!;
    const at = last - i;
    if (tok === '\\' && i !== last) {
      out[at - 1] = tok;
      out[at] = runes[i + 1]!;
      i += 2;
    } else {
      out[at] = tok;
      i++;
    }
  }
  return out.join('');
}

/** Reverses a string by code points. */
export function reverseString(s: string): string {
  return Array.from(s).reverse().join('');
}

/** `${VAR#pattern}` (shortest) / `${VAR##pattern}` (greedy): removes a matching prefix. */
export function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const re = compile(pattern, greedy, true);
  const m = re.exec(value);
  return m ? value.slice(m.index + m[0].length) : value;
}

/** `${VAR%pattern}` (shortest) / `${VAR%%pattern}` (greedy): removes a matching suffix. */
export function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverseString(trimPrefix(reversePattern(pattern), reverseString(value), greedy));
}

/** `${VAR/pattern/replacement}` and `${VAR//pattern/replacement}` (all occurrences). */
export function replacePattern(pattern: string, value: string, replacement: string, all: boolean): string {
  const re = compile(pattern, true, false);
  if (all) return value.replace(new RegExp(re.source, 'gu'), () => replacement);
  const m = re.exec(value);
  return m ? value.slice(0, m.index) + replacement + value.slice(m.index + m[0].length) : value;
}

function compile(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  try {
    return shellPatternToRegex(pattern, greedy, anchored);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Problem(`invalid pattern (${pattern}) in substitution: ${why}`);
  }
}
