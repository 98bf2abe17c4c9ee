/**
 * Dockerfile text → a list of instruction nodes (Docker's parser, BuildKit
 * frontend/dockerfile/parser/parser.go): parser directives (`# syntax=`, `# escape=`,
 * `# check=`), comments, line continuations with the escape token (comments and empty lines
 * inside a continuation are skipped, as Docker allows), heredocs (`<<EOF`, `<<-EOF`, quoted
 * delimiters, several per line) for RUN, COPY and ADD, and per-instruction argument shapes.
 * Pure: it only reads the text it is given.
 */
import { ParseError, Problem } from './errors.js';
import { splitLine, type SplitLine } from './line-parsers.js';
import { processWords } from './shell-lexer.js';
import { trimLeftSpace } from './text.js';

/** The escape token: backslash by default, backtick with `# escape=\``. */
export type EscapeToken = '\\' | '`';

/** Parser directives found at the top of the file. */
export interface ParserDirectives {
  readonly escape: EscapeToken;
  /** `# syntax=` (the frontend image; berth records it and uses its built-in frontend). */
  readonly syntax: string | undefined;
  /** `# check=` (build check configuration), recorded only. */
  readonly check: string | undefined;
}

/** A here-document attached to a RUN, COPY or ADD line. */
export interface Heredoc {
  /** The delimiter word, quotes removed ("EOF"). */
  readonly name: string;
  /** The body: every line up to the delimiter, line endings included, leading tabs kept. */
  readonly content: string;
  /** False when the delimiter was quoted (`<<'EOF'`, `<<"EOF"`): no variable expansion. */
  readonly expand: boolean;
  /** `<<-EOF`: leading tabs are stripped from the body lines (and the delimiter line). */
  readonly chomp: boolean;
  /** The file descriptor number written before `<<` (`3<<EOF`), 0 when absent. */
  readonly fd: number;
}

/** One instruction as parsed, before its arguments are interpreted. */
export interface DockerfileNode extends SplitLine {
  /** The instruction name in lower case ("run"). */
  readonly keyword: string;
  readonly heredocs: readonly Heredoc[];
  /** The logical line: continuation lines joined, escape tokens and comments removed. */
  readonly original: string;
  /** 1-based line where the instruction starts. */
  readonly startLine: number;
  /** 1-based last line (continuations and heredoc bodies included). */
  readonly endLine: number;
  /** The comment lines directly above the instruction (without `#`). */
  readonly comments: readonly string[];
}

/** A non-fatal finding, worded as Docker's parser warnings. */
export interface ParseWarning {
  readonly line: number;
  readonly message: string;
}

/** A parsed Dockerfile before its instructions are interpreted. */
export interface DockerfileAst {
  readonly fileName: string;
  readonly directives: ParserDirectives;
  readonly nodes: readonly DockerfileNode[];
  readonly warnings: readonly ParseWarning[];
}

/** Options of the parsers. */
export interface ParseOptions {
  /** Used in messages and errors; "Dockerfile" by default. */
  readonly fileName?: string;
}

/**
 * Parses Dockerfile text into nodes. Throws ParseError (kind 'invalid-argument') for an empty
 * file, a file without instructions, bad directives, unterminated heredocs and malformed
 * arguments the parser itself rejects.
 */
export function parseDockerfileAst(text: string, options: ParseOptions = {}): DockerfileAst {
  const fileName = options.fileName ?? 'Dockerfile';
  if (text.length === 0) throw new ParseError(`the Dockerfile (${fileName}) cannot be empty`, wholeFile(fileName));
  return new LineParser(text, fileName).run();
}

function wholeFile(fileName: string): { fileName: string; line: number; endLine: number; instruction: undefined } {
  return { fileName, line: 0, endLine: 0, instruction: undefined };
}

const VALID_DIRECTIVES = new Set(['syntax', 'escape', 'check']);
const DIRECTIVE = /^([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*$/;
const HEREDOC_INSTRUCTIONS = new Set(['add', 'copy', 'run']);
const HEREDOC_WORD = /^([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

/** Splits text into lines, each keeping its line ending (like BuildKit's scanLines). */
function splitLines(text: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', start)) {
    lines.push(text.slice(start, i + 1));
    start = i + 1;
  }
  if (start < text.length) lines.push(text.slice(start));
  return lines;
}

const trimNewline = (s: string): string => s.replace(/[\r\n]+$/, '');
const isComment = (s: string): boolean => trimLeftSpace(s).startsWith('#');

class LineParser {
  private readonly lines: string[];
  private next = 0; // index of the next unread line
  private lineNo = 0; // 1-based number of the last line read
  private escape: EscapeToken = '\\';
  private syntax: string | undefined;
  private check: string | undefined;
  private directivesDone = false;
  private readonly seen = new Set<string>();
  private readonly nodes: DockerfileNode[] = [];
  private readonly warnings: ParseWarning[] = [];

  constructor(text: string, private readonly fileName: string) {
    this.lines = splitLines(text.startsWith('\uFEFF') ? text.slice(1) : text);
  }

  run(): DockerfileAst {
    let comments: string[] = [];
    while (this.next < this.lines.length) {
      const raw = this.lines[this.next++]!;
      if (isComment(raw)) {
        const comment = trimLeftSpace(raw).slice(1).trim();
        comments = comment === '' ? [] : [...comments, comment];
      }
      const { text: first, directive } = this.processLine(raw, true, this.lineNo + 1);
      if (directive) comments.pop();
      this.lineNo++;
      const startLine = this.lineNo;
      let [line, done] = this.trimContinuation(first);
      if (done && line === '') continue;
      let emptyContinuation = false;
      while (!done && this.next < this.lines.length) {
        const rawNext = this.lines[this.next++]!;
        const { text } = this.processLine(rawNext, false, this.lineNo + 1);
        this.lineNo++;
        if (isComment(rawNext)) continue;
        if (trimLeftSpace(trimNewline(text)) === '') {
          emptyContinuation = true;
          continue;
        }
        const [part, end] = this.trimContinuation(text);
        line += part;
        done = end;
      }
      if (emptyContinuation) {
        this.warnings.push({ line: this.lineNo, message: `Empty continuation line found in: ${line}` });
      }
      this.nodes.push(this.makeNode(line, startLine, comments));
      comments = [];
    }
    if (this.nodes.length === 0) {
      throw new ParseError('file with no instructions', { fileName: this.fileName, line: 0, endLine: this.lineNo, instruction: undefined });
    }
    return {
      fileName: this.fileName,
      directives: { escape: this.escape, syntax: this.syntax, check: this.check },
      nodes: this.nodes,
      warnings: this.warnings,
    };
  }

  private makeNode(line: string, startLine: number, comments: readonly string[]): DockerfileNode {
    const fail = (err: unknown, instruction: string | undefined): never => {
      if (!(err instanceof Problem)) throw err;
      throw new ParseError(err.message, { fileName: this.fileName, line: startLine, endLine: this.lineNo, instruction });
    };
    let split: SplitLine;
    try {
      split = splitLine(line, this.escape);
    } catch (err) {
      return fail(err, firstWord(line));
    }
    const instruction = split.command.toUpperCase();
    let heredocs: Heredoc[] = [];
    if (canContainHeredoc(split) && line.includes('<<')) {
      try {
        heredocs = this.readHeredocs(heredocsFromLine(line));
      } catch (err) {
        fail(err, instruction);
      }
    }
    return {
      ...split,
      keyword: split.command.toLowerCase(),
      heredocs,
      original: line,
      startLine,
      endLine: this.lineNo,
      comments,
    };
  }

  /** Reads the bodies of the heredocs named on a line from the lines that follow. */
  private readHeredocs(pending: readonly Omit<Heredoc, 'content'>[]): Heredoc[] {
    const out: Heredoc[] = [];
    for (const doc of pending) {
      let content = '';
      let terminated = false;
      while (this.next < this.lines.length) {
        const raw = this.lines[this.next++]!;
        this.lineNo++;
        let candidate = trimNewline(raw);
        if (doc.chomp) candidate = candidate.replace(/^\t+/, '');
        if (candidate === doc.name) {
          terminated = true;
          break;
        }
        content += raw;
      }
      if (!terminated) throw new Problem('unterminated heredoc');
      out.push({ ...doc, content });
    }
    return out;
  }

  /**
   * Strips the line ending (and leading whitespace on the first line of an instruction), reads
   * a parser directive while they are allowed, and blanks comment lines.
   */
  private processLine(raw: string, stripLeft: boolean, lineNo: number): { text: string; directive: boolean } {
    let text = trimNewline(raw);
    if (stripLeft) text = trimLeftSpace(text);
    const directive = this.possibleDirective(text, lineNo);
    return { text: isComment(text) ? '' : text, directive };
  }

  private possibleDirective(line: string, lineNo: number): boolean {
    if (this.directivesDone) return false;
    if (!line.startsWith('#')) {
      this.directivesDone = true;
      return false;
    }
    const m = DIRECTIVE.exec(trimLeftSpace(line.slice(1)));
    const key = m?.[1]?.toLowerCase();
    if (!m || key === undefined || !VALID_DIRECTIVES.has(key)) {
      this.directivesDone = true;
      return false;
    }
    const where = { fileName: this.fileName, line: lineNo, endLine: lineNo, instruction: undefined };
    if (this.seen.has(key)) throw new ParseError(`only one ${key} parser directive can be used`, where);
    this.seen.add(key);
    const value = m[2]!;
    if (key === 'escape') {
      if (value !== '`' && value !== '\\') {
        throw new ParseError(`invalid escape token '${value}' does not match \` or \\`, where);
      }
      this.escape = value;
    } else if (key === 'syntax') {
      this.syntax = value;
    } else {
      this.check = value;
    }
    return true;
  }

  /** Removes a trailing escape token (a continuation) and reports whether the line ended. */
  private trimContinuation(line: string): [string, boolean] {
    const trimmed = line.replace(/[ \t]+$/, '');
    if (trimmed.endsWith(this.escape) && (trimmed.length === 1 || trimmed[trimmed.length - 2] !== this.escape)) {
      return [trimmed.slice(0, -1), false];
    }
    return [line, true];
  }
}

function firstWord(line: string): string | undefined {
  const w = line.trim().split(/\s+/)[0];
  return w ? w.toUpperCase() : undefined;
}

/** RUN, COPY, ADD (also as an ONBUILD trigger) in shell form may carry heredocs. */
function canContainHeredoc(split: SplitLine): boolean {
  let target = split;
  if (split.command.toLowerCase() === 'onbuild' && split.args.form === 'instruction') target = split.args.line;
  return HEREDOC_INSTRUCTIONS.has(target.command.toLowerCase()) && target.args.form !== 'json';
}

/** The heredocs a line announces, in order (Docker lexes the line with `\` as escape token). */
function heredocsFromLine(line: string): Omit<Heredoc, 'content'>[] {
  let words: string[];
  try {
    words = processWords(line, new Map(), { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true });
  } catch {
    words = []; // Docker ignores lexing errors here
  }
  const docs: Omit<Heredoc, 'content'>[] = [];
  for (const word of words) {
    const doc = parseHeredocWord(word);
    if (doc) docs.push(doc);
  }
  return docs;
}

/**
 * Reads a heredoc word (`<<EOF`, `<<-'EOF'`, `3<<EOF`): undefined when the word is not one.
 * Throws a Problem for an unbalanced quote in the delimiter.
 */
export function parseHeredocWord(word: string): Omit<Heredoc, 'content'> | undefined {
  const m = HEREDOC_WORD.exec(word);
  if (!m) return undefined;
  const rest = m[3]!;
  if (rest === '') return undefined;
  const lexOpts = { skipUnsetEnv: true } as const;
  const plain = processWords(rest, new Map(), lexOpts);
  if (plain.length !== 1) return undefined;
  const raw = processWords(rest, new Map(), { ...lexOpts, rawQuotes: true });
  const name = plain[0]!;
  const quotes = (s: string): number => (s.match(/['"]/g) ?? []).length;
  return {
    name,
    expand: quotes(name) === quotes(raw[0] ?? ''),
    chomp: m[2] === '-',
    fd: m[1] === '' ? 0 : Number.parseInt(m[1]!, 10),
  };
}

/** `<<-` bodies: strips the leading tabs of every line. */
export function chompHeredocContent(content: string): string {
  return content.replace(/^\t+/gm, '');
}

