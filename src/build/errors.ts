/**
 * Errors of the Dockerfile front end. Every one is an EngineError of kind 'invalid-argument'
 * (a bad Dockerfile, build argument or target is the client's fault), and carries where in the
 * Dockerfile it happened so the executor and the API can point at the line.
 */
import { EngineError } from '../core/index.js';

/** Where a problem is: the Dockerfile's name and the 1-based lines of the instruction. */
export interface DockerfileLocation {
  readonly fileName: string;
  /** First line of the instruction (1-based); 0 when the problem concerns the whole file. */
  readonly line: number;
  /** Last line of the instruction (continuations and heredocs included). */
  readonly endLine: number;
  /** The instruction keyword in upper case ('RUN'), when the problem is in one. */
  readonly instruction: string | undefined;
}

/**
 * A problem found while reading a Dockerfile that is not a syntax error (unknown target, stage
 * dependency cycle, blank base name, bad variable substitution). The message is the bare
 * Docker-worded detail; the location is in the fields.
 */
export class DockerfileError extends EngineError implements DockerfileLocation {
  readonly fileName: string;
  readonly line: number;
  readonly endLine: number;
  readonly instruction: string | undefined;
  /** The message without location prefix, as Docker words it ("unknown instruction: FOO"). */
  readonly detail: string;

  constructor(detail: string, location: DockerfileLocation, options?: { message?: string; cause?: unknown }) {
    super('invalid-argument', options?.message ?? detail, { cause: options?.cause });
    this.name = 'DockerfileError';
    this.detail = detail;
    this.fileName = location.fileName;
    this.line = location.line;
    this.endLine = location.endLine;
    this.instruction = location.instruction;
  }
}

/**
 * A Dockerfile syntax error. The message follows Docker's
 * "dockerfile parse error on line N: <detail>"; errors about the whole file (empty file,
 * no instructions) carry line 0 and the bare detail.
 */
export class ParseError extends DockerfileError {
  constructor(detail: string, location: DockerfileLocation, options?: { cause?: unknown }) {
    const message = location.line > 0 ? `dockerfile parse error on line ${location.line}: ${detail}` : detail;
    super(detail, location, { message, cause: options?.cause });
    this.name = 'ParseError';
  }
}

/**
 * Internal: a problem without location, thrown by the line and instruction parsers and turned
 * into a ParseError (or DockerfileError) by the caller that knows the lines.
 */
export class Problem extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Problem';
  }
}

/** Go's %q for the strings that appear in Docker's messages. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}
