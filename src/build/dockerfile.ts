/**
 * The front end in one call: Dockerfile text → directives, warnings, global ARGs and typed
 * stages. Pure; the caller reads the file.
 */
import { parseInstructions } from './instructions.js';
import { parseDockerfileAst, type EscapeToken, type ParseOptions, type ParserDirectives, type ParseWarning } from './parser.js';
import { splitStages, type StageSplit } from './stages.js';

/** A parsed Dockerfile: what every later step needs. */
export interface Dockerfile extends StageSplit {
  readonly fileName: string;
  readonly directives: ParserDirectives;
  /** The escape token in force (from `# escape=`). */
  readonly escape: EscapeToken;
  readonly warnings: readonly ParseWarning[];
}

/**
 * Parses a Dockerfile. Throws ParseError (kind 'invalid-argument'), message
 * "dockerfile parse error on line N: …", for anything Docker rejects before building.
 */
export function parseDockerfile(text: string, options: ParseOptions = {}): Dockerfile {
  const ast = parseDockerfileAst(text, options);
  const split = splitStages(parseInstructions(ast), { fileName: ast.fileName });
  return {
    fileName: ast.fileName,
    directives: ast.directives,
    escape: ast.directives.escape,
    warnings: ast.warnings,
    metaArgs: split.metaArgs,
    stages: split.stages,
  };
}
