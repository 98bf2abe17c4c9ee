/**
 * Splitting one logical Dockerfile line (continuations already joined) into the instruction
 * name, its `--flags` and its arguments, shaped per instruction as Docker's parser does
 * (BuildKit frontend/dockerfile/parser line_parsers.go and split_command.go). No variable
 * expansion happens here: quotes and escapes in ENV/LABEL/ARG values are kept for the expander.
 */
import { Problem, goQuote } from './errors.js';
import { isSpace, splitAllWhitespace, splitFirstWhitespace, trimLeftSpace, trimSpace } from './text.js';

/** One `key=value` (or legacy `key value`) of ENV and LABEL, as written (quotes kept). */
export interface KeyValueWord {
  readonly key: string;
  readonly value: string;
}

/** The arguments of a line, in the shape its instruction uses. */
export type NodeArgs =
  | { readonly form: 'none' }
  /** A JSON array of strings (exec form). */
  | { readonly form: 'json'; readonly values: readonly string[] }
  /** The rest of the line as one string (shell form, USER, WORKDIR, …). */
  | { readonly form: 'text'; readonly text: string }
  /** Whitespace-separated words (FROM, EXPOSE, ADD/COPY/VOLUME space form, ARG). */
  | { readonly form: 'words'; readonly values: readonly string[] }
  /** ENV and LABEL pairs; `legacy` for the `ENV key value` form. */
  | { readonly form: 'pairs'; readonly pairs: readonly KeyValueWord[]; readonly legacy: boolean }
  /** HEALTHCHECK: the type word and the command in shell or exec form. */
  | { readonly form: 'healthcheck'; readonly type: string; readonly command: CommandArgs }
  /** ONBUILD: the trigger instruction. */
  | { readonly form: 'instruction'; readonly line: SplitLine };

/** The arguments of CMD, ENTRYPOINT, RUN, SHELL and a HEALTHCHECK command. */
export type CommandArgs = Extract<NodeArgs, { form: 'none' | 'json' | 'text' }>;

/** A line split into instruction name, flags and shaped arguments. */
export interface SplitLine {
  /** The instruction name as written ("run", "RUN"). */
  readonly command: string;
  readonly flags: readonly string[];
  readonly args: NodeArgs;
}

const NONE: NodeArgs = { form: 'none' };

/**
 * Splits a logical line. Throws a Problem for arguments Docker rejects while parsing
 * (non-string JSON arrays, `ENV key` without value, `ENV a=b c`).
 */
export function splitLine(line: string, escape: string): SplitLine {
  const parts = splitFirstWhitespace(trimSpace(line));
  const command = parts[0];
  let flags: string[] = [];
  let rest = '';
  if (parts.length === 2) {
    [rest, flags] = extractFlags(parts[1], escape);
    rest = trimSpace(rest);
  }
  return { command, flags, args: shapeArgs(command.toLowerCase(), rest, escape) };
}

function shapeArgs(keyword: string, rest: string, escape: string): NodeArgs {
  switch (keyword) {
    case 'add':
    case 'copy':
    case 'volume':
      return maybeJsonOrWords(rest);
    case 'arg':
      return wordsOrNone(parseWords(rest, escape));
    case 'cmd':
    case 'entrypoint':
    case 'run':
    case 'shell':
      return maybeJson(rest);
    case 'env':
    case 'label':
      return parseNameValue(rest, keyword.toUpperCase(), escape);
    case 'expose':
    case 'from':
      return rest === '' ? NONE : { form: 'words', values: splitAllWhitespace(rest) };
    case 'healthcheck':
      return parseHealthcheck(rest);
    case 'maintainer':
    case 'stopsignal':
    case 'user':
    case 'workdir':
      return rest === '' ? NONE : { form: 'text', text: rest };
    case 'onbuild':
      return rest === '' ? NONE : { form: 'instruction', line: splitLine(rest, escape) };
    default:
      return NONE; // unknown instructions are reported by the instruction parser
  }
}

function wordsOrNone(values: string[]): NodeArgs {
  return values.length === 0 ? NONE : { form: 'words', values };
}

/**
 * Pulls the leading `--flag[=value]` words off the arguments (quotes and escapes removed from
 * the flags); `--` ends them. Returns the rest of the line and the flags.
 */
export function extractFlags(line: string, escape: string): [string, string[]] {
  const chars = Array.from(line);
  const words: string[] = [];
  let offset = 0; // UTF-16 offset of chars[pos]
  let pos = 0;
  while (pos < chars.length) {
    // Skip spaces; stop unless the next word starts with "--".
    while (pos < chars.length && isSpace(chars[pos])) offset += chars[pos++]!.length;
    if (pos >= chars.length) break;
    if (chars[pos] !== '-' || chars[pos + 1] !== '-') return [line.slice(offset), words];
    let word = '';
    let quote: string | undefined;
    let quoted = false;
    for (; pos < chars.length; offset += chars[pos++]!.length) {
      let ch = chars[pos]!;
      if (quote === undefined && isSpace(ch)) break;
      if (quote === undefined && (ch === "'" || ch === '"')) {
        quote = ch;
        quoted = true;
        continue;
      }
      if (quote !== undefined && ch === quote) {
        quote = undefined;
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) {
          quote = undefined;
          continue; // an escape at the end is dropped
        }
        offset += ch.length;
        ch = chars[++pos]!;
      }
      word += ch;
    }
    if (word === '--') return [line.slice(offset), words];
    if (quoted || word.length > 0) words.push(word);
  }
  return ['', words];
}

/**
 * Splits on whitespace, keeping quotes and escapes in the words ("a b" stays one word with its
 * quotes); the escape token escapes anything outside single quotes. Used by ARG, ENV and LABEL.
 */
export function parseWords(rest: string, escape: string): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOK = false;
  let word = '';
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = chars[pos] ?? '';
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isSpace(ch)) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOK || word.length > 0) words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isSpace(ch)) {
        phase = 'spaces';
        if (blankOK || word.length > 0) words.push(word);
        word = '';
        blankOK = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
        phase = 'quote';
      }
      if (ch === escape) {
        if (pos + 1 === chars.length) continue; // an escape at the end is dropped
        word += ch;
        ch = chars[++pos]!;
      }
      word += ch;
      continue;
    }
    // Inside quotes.
    if (ch === quote) phase = 'word';
    if (ch === escape && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = chars[++pos]!;
    }
    word += ch;
  }
  return words;
}

/**
 * ENV and LABEL: `key value` (legacy, one pair, the value is the rest of the line) or
 * `key=value key2="value 2"` (quotes kept for the expander).
 */
function parseNameValue(rest: string, name: string, escape: string): NodeArgs {
  const words = parseWords(rest, escape);
  if (words.length === 0) return NONE;
  if (!words[0]!.includes('=')) {
    const parts = splitFirstWhitespace(rest);
    if (parts.length < 2) throw new Problem(`${name} must have two arguments`);
    return { form: 'pairs', pairs: [{ key: parts[0], value: parts[1]! }], legacy: true };
  }
  const pairs = words.map((word): KeyValueWord => {
    const eq = word.indexOf('=');
    if (eq < 0) throw new Problem(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
  return { form: 'pairs', pairs, legacy: false };
}

const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';

/** A JSON array of strings, undefined when the text is not a JSON array. */
export function parseJsonArray(rest: string): string[] | undefined {
  const text = trimLeftSpace(rest);
  if (!text.startsWith('[')) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed)) return undefined;
  const values: string[] = [];
  for (const v of parsed as unknown[]) {
    if (typeof v !== 'string') throw new Problem(NOT_STRINGS);
    values.push(v);
  }
  return values;
}

/** CMD, ENTRYPOINT, RUN, SHELL: exec form when the rest is a JSON array, else shell form. */
function maybeJson(rest: string): CommandArgs {
  if (rest === '') return { form: 'none' };
  const values = parseJsonArray(rest);
  return values ? { form: 'json', values } : { form: 'text', text: rest };
}

/** ADD, COPY, VOLUME: a JSON array, else whitespace-separated words. */
function maybeJsonOrWords(rest: string): NodeArgs {
  const values = parseJsonArray(rest);
  if (values) return { form: 'json', values };
  return rest === '' ? NONE : { form: 'words', values: splitAllWhitespace(rest) };
}

/** HEALTHCHECK: the first word is the type (CMD, NONE), the rest a command in either form. */
function parseHealthcheck(rest: string): NodeArgs {
  const chars = Array.from(rest);
  let sep = 0;
  while (sep < chars.length && !isSpace(chars[sep])) sep++;
  if (sep === 0) return NONE;
  let next = sep;
  while (next < chars.length && isSpace(chars[next])) next++;
  return {
    form: 'healthcheck',
    type: chars.slice(0, sep).join(''),
    command: maybeJson(chars.slice(next).join('')),
  };
}
