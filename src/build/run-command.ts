/**
 * What a RUN actually executes once its heredocs are taken into account, as BuildKit's
 * dispatchRun does: a lone `RUN <<EOF` runs the body with the shell (or, when the body starts
 * with `#!`, as an executable file mounted under /dev/pipes/); anything else hands the shell the
 * command line followed by the heredoc bodies and delimiters.
 */
import { internal } from '../core/index.js';
import type { CommandLine, RunInstruction } from './instruction-types.js';
import { chompHeredocContent, parseHeredocWord } from './parser.js';

/** An inline file the executor mounts read-only (mode 0755) before running the command. */
export interface RunInlineFile {
  /** Absolute path in the container, e.g. /dev/pipes/EOF. */
  readonly path: string;
  readonly data: string;
  readonly mode: number;
}

/** What a RUN executes once its heredocs are resolved. */
export interface ResolvedRunCommand {
  /** The command; a shell form is run with the stage's SHELL (`/bin/sh -c` by default). */
  readonly command: CommandLine;
  /** Files to mount for the command (only for a shebang heredoc). */
  readonly files: readonly RunInlineFile[];
}

/** The directory Docker mounts shebang heredocs under. */
export const HEREDOC_PIPES_DIR = '/dev/pipes/';

/**
 * Resolves a RUN's heredocs into the command to execute. `os` is the base image's OS: shebang
 * bodies become files only on Linux. Throws EngineError('internal') for a heredoc in exec form
 * (which the parser never produces).
 */
export function resolveRunCommand(run: RunInstruction, options: { os?: string } = {}): ResolvedRunCommand {
  const { command, heredocs } = run;
  if (heredocs.length === 0) return { command, files: [] };
  if (command.form !== 'shell') throw internal(`parsing produced an invalid run command: ${JSON.stringify(command.args)}`);
  const first = heredocs[0]!;
  if (parseHeredocWord(command.command)) {
    const data = first.chomp ? chompHeredocContent(first.content) : first.content;
    if ((options.os ?? 'linux') !== 'windows' && data.startsWith('#!')) {
      const path = HEREDOC_PIPES_DIR + first.name;
      return { command: { form: 'shell', command: path }, files: [{ path, data, mode: 0o755 }] };
    }
    return { command: { form: 'shell', command: data }, files: [] };
  }
  let full = command.command;
  for (const doc of heredocs) full += `\n${doc.content}${doc.name}`;
  return { command: { form: 'shell', command: full }, files: [] };
}

/** The argv of a command line given the stage's shell (`["/bin/sh", "-c"]` by default). */
export function commandArgv(command: CommandLine, shell: readonly string[] = ['/bin/sh', '-c']): string[] {
  if (command.form === 'exec') return [...command.args];
  return command.command === '' ? [...shell] : [...shell, command.command];
}
