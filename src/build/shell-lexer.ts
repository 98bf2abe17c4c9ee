/**
 * Shell word expansion as Docker's Dockerfile lexer does it (BuildKit frontend/dockerfile/shell,
 * lex.go): quotes, the escape token, `$VAR`, `${VAR}`, `${VAR:-word}`, `${VAR-word}`,
 * `${VAR:+word}`, `${VAR+word}`, `${VAR:?msg}`, `${VAR?msg}`, `${VAR#pat}`, `${VAR##pat}`,
 * `${VAR%pat}`, `${VAR%%pat}`, `${VAR/pat/repl}`, `${VAR//pat/repl}`. No command substitution,
 * no arithmetic, no field globbing: this is not a shell, only what the builder needs.
 */
import { Problem } from './errors.js';
import { replacePattern, trimPrefix, trimSuffix } from './shell-pattern.js';
import { isSpace } from './text.js';

/** Variables visible to expansion, by name (case-sensitive, as on Linux). */
export type EnvLookup = ReadonlyMap<string, string>;

/** Lexer switches; the defaults are those of instruction expansion. */
export interface LexOptions {
  /** The escape token: `\` (default) or the backtick chosen by `# escape=`. */
  readonly escape?: string;
  /** Keep quote characters in the result (used to tell quoted heredoc words). */
  readonly rawQuotes?: boolean;
  /** Keep escape tokens in the result. */
  readonly rawEscapes?: boolean;
  /** Quotes are ordinary characters (heredoc bodies). */
  readonly skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written (`$X`, `${X:-y}`). */
  readonly skipUnsetEnv?: boolean;
}

/** The result of one expansion: the joined word, the split words and the variables looked up. */
export interface LexResult {
  readonly result: string;
  readonly words: readonly string[];
  readonly matched: ReadonlySet<string>;
  readonly unmatched: ReadonlySet<string>;
}

const EMPTY_ENV: EnvLookup = new Map();

/**
 * Expands one word: quotes removed, escapes applied, variables substituted; whitespace between
 * parts is kept. Throws a Problem with Docker's message ('failed to process "…": …').
 */
export function processWord(word: string, env: EnvLookup = EMPTY_ENV, options: LexOptions = {}): string {
  return lex(word, env, options).result;
}

/**
 * Expands and splits into words on unquoted whitespace (after substitution, so an unquoted
 * `$X` holding "a b" yields two words). Throws a Problem like processWord.
 */
export function processWords(word: string, env: EnvLookup = EMPTY_ENV, options: LexOptions = {}): string[] {
  return [...lex(word, env, options).words];
}

/** processWord and processWords in one pass, with the variables that were found and not found. */
export function lex(word: string, env: EnvLookup = EMPTY_ENV, options: LexOptions = {}): LexResult {
  const sw = new ShellWord(word, env, options);
  try {
    const { result, words } = sw.processStopOn(undefined, options.rawEscapes ?? false);
    return { result, words, matched: sw.matched, unmatched: sw.unmatched };
  } catch (err) {
    if (err instanceof Problem) throw new Problem(`failed to process ${JSON.stringify(word)}: ${err.message}`);
    throw err;
  }
}

/** Collects words the way the lexer splits them: unquoted whitespace separates, quoted parts do not. */
class Words {
  readonly words: string[] = [];
  private buf = '';
  private inWord = false;

  addChar(ch: string): void {
    if (isSpace(ch)) {
      if (this.inWord && this.buf.length > 0) {
        this.words.push(this.buf);
        this.buf = '';
        this.inWord = false;
      }
    } else {
      this.addRaw(ch);
    }
  }

  addRaw(s: string): void {
    this.buf += s;
    this.inWord = true;
  }

  addString(s: string): void {
    for (const ch of s) this.addChar(ch);
  }

  finish(): string[] {
    if (this.buf.length > 0) {
      this.words.push(this.buf);
      this.buf = '';
      this.inWord = false;
    }
    return this.words;
  }
}

const SPECIAL_PARAMS = new Set(['@', '*', '#', '?', '-', '$', '!', '0']);
const LETTER = /^\p{L}$/u;
const DIGIT = /^\p{Nd}$/u;

class ShellWord {
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  private readonly escape: string;
  readonly matched = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(source: string, private readonly env: EnvLookup, private readonly options: LexOptions) {
    this.chars = Array.from(source);
    this.escape = options.escape ?? '\\';
    this.rawEscapes = options.rawEscapes ?? false;
  }

  private peek(): string | undefined {
    return this.chars[this.pos];
  }

  private next(): string | undefined {
    const ch = this.chars[this.pos];
    if (ch !== undefined) this.pos++;
    return ch;
  }

  /** Processes up to `stop` (consumed) or the end; a missing stop character is an error. */
  processStopOn(stop: string | undefined, rawEscapes: boolean): { result: string; words: string[] } {
    const saved = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      return this.scan(stop);
    } finally {
      this.rawEscapes = saved;
    }
  }

  private scan(stop: string | undefined): { result: string; words: string[] } {
    let result = '';
    const words = new Words();
    const quotes = !(this.options.skipProcessQuotes ?? false);
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (stop !== undefined && ch === stop) {
        this.next();
        return { result, words: words.finish() };
      }
      if (ch === '$') {
        const s = this.processDollar();
        result += s;
        words.addString(s);
      } else if (ch === '<') {
        const s = this.processPossibleHeredoc();
        result += s;
        words.addRaw(s);
      } else if (quotes && (ch === "'" || ch === '"')) {
        const s = ch === "'" ? this.processSingleQuote() : this.processDoubleQuote();
        result += s;
        words.addRaw(s);
      } else {
        let c = this.next()!;
        if (c === this.escape) {
          if (this.rawEscapes) {
            words.addRaw(c);
            result += c;
          }
          const escaped = this.next();
          if (escaped === undefined) break; // an escape at the end is dropped
          c = escaped;
          words.addRaw(c);
        } else {
          words.addChar(c);
        }
        result += c;
      }
    }
    if (stop !== undefined) throw new Problem(`unexpected end of statement while looking for matching ${stop}`);
    return { result, words: words.finish() };
  }

  private processSingleQuote(): string {
    // Everything up to the next single quote is literal; a single quote cannot be escaped.
    const raw = this.options.rawQuotes ?? false;
    let result = raw ? this.next()! : (this.next(), '');
    for (;;) {
      const ch = this.next();
      if (ch === undefined) throw new Problem('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") return raw ? result + ch : result;
      result += ch;
    }
  }

  private processDoubleQuote(): string {
    // Literal except `$` and the escape token, which escapes only `"`, `$` and itself.
    const raw = this.options.rawQuotes ?? false;
    let result = raw ? this.next()! : (this.next(), '');
    for (;;) {
      const peek = this.peek();
      if (peek === undefined) throw new Problem('unexpected end of statement while looking for matching double-quote');
      if (peek === '"') {
        const ch = this.next()!;
        return raw ? result + ch : result;
      }
      if (peek === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.next()!;
      if (ch === this.escape) {
        const after = this.peek();
        if (after === undefined) continue; // an escape before the end is dropped
        if (after === '"' || after === '$' || after === this.escape) {
          if (this.rawEscapes) result += ch;
          ch = this.next()!;
        }
      }
      result += ch;
    }
  }

  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let space = '';
    for (let ch = this.peek(); ch === ' ' || ch === '\t' || ch === '\r'; ch = this.peek()) space += this.next()!;
    return `<<${space}`;
  }

  private processName(): string {
    let name = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (name === '' && DIGIT.test(ch)) {
        // Positional parameter: all the digits.
        while (this.peek() !== undefined && DIGIT.test(this.peek()!)) name += this.next()!;
        return name;
      }
      if (name === '' && SPECIAL_PARAMS.has(ch)) return this.next()!;
      if (!LETTER.test(ch) && !DIGIT.test(ch) && ch !== '_') break;
      name += this.next()!;
    }
    return name;
  }

  private getEnv(name: string): string | undefined {
    const v = this.env.get(name);
    if (v === undefined) this.unmatched.add(name);
    else this.matched.add(name);
    return v;
  }

  private processDollar(): string {
    this.next(); // '$'
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.options.skipUnsetEnv) return `$${name}`;
      return value ?? '';
    }
    this.next(); // '{'
    const first = this.peek();
    if (first === undefined) throw new Problem("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new Problem('syntax error: bad substitution');
    const name = this.processName();
    let ch = this.next();
    if (ch === undefined) throw new Problem("syntax error: missing '}'");
    if (ch === '}') {
      const value = this.getEnv(name);
      if (value === undefined && this.options.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (ch === '/') return this.processReplace(name);
    let modifier = ch;
    const nullIsUnset = ch === ':';
    if (nullIsUnset) {
      ch = this.next();
      modifier += ch ?? '';
    } else if (!['+', '-', '?', '#', '%'].includes(ch)) {
      throw new Problem(`unsupported modifier (${modifier}) in substitution`);
    }
    const trims = ch === '#' || ch === '%';
    if (nullIsUnset && trims) throw new Problem(`unsupported modifier (${modifier}) in substitution`);
    const word = this.stopOnBrace(trims);
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}${modifier}${word}}`;
    const unset = value === undefined || (nullIsUnset && value === '');
    switch (ch) {
      case '-':
        return unset ? word : value!;
      case '+':
        return unset ? '' : word;
      case '?':
        if (value === undefined) throw new Problem(`${name}: ${word || 'is not allowed to be unset'}`);
        if (unset) throw new Problem(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '#':
      case '%': {
        const greedy = word.startsWith(ch);
        const pattern = greedy ? word.slice(1) : word;
        return ch === '%' ? trimSuffix(pattern, value ?? '', greedy) : trimPrefix(pattern, value ?? '', greedy);
      }
      default:
        throw new Problem(`unsupported modifier (${modifier}) in substitution`);
    }
  }

  /** The word of `${name<modifier>word}`, up to the closing brace. */
  private stopOnBrace(rawEscapes: boolean): string {
    try {
      return this.processStopOn('}', rawEscapes).result;
    } catch (err) {
      if (err instanceof Problem && this.peek() === undefined) throw new Problem("syntax error: missing '}'");
      throw err;
    }
  }

  private processReplace(name: string): string {
    const all = this.peek() === '/';
    if (all) this.next();
    let pattern: string;
    try {
      pattern = this.processStopOn('/', true).result;
    } catch (err) {
      if (err instanceof Problem && this.peek() === undefined) throw new Problem("syntax error: missing '/' in ${}");
      throw err;
    }
    const replacement = this.stopOnBrace(true);
    const value = this.getEnv(name);
    if (value === undefined && this.options.skipUnsetEnv) return `\${${name}/${pattern}/${replacement}}`;
    return replacePattern(pattern, value ?? '', replacement, all);
  }
}
