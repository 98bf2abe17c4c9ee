import type { Client } from '../client/index.js';
import { ApiError } from '../client/errors.js';
import type { FlagSpec, Parsed } from './flags.js';

/** The binary's name as shown in messages (docker prints `docker`). */
export const PROG = 'berth';

/** Positional-argument rules as docker/cli's cli.ExactArgs, RequiresMinArgs, ... */
export type ArgRule =
  | { exact: number }
  | { min: number; max?: number }
  | { max: number }
  | { none: true };

/** Process I/O and environment; commands never touch `process` directly. */
export interface Ctx {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  env: NodeJS.ProcessEnv;
  /** The client, created on first use. */
  client(): Client;
  out(text: string): void;
  err(text: string): void;
}

/** One docker command. `run` answers the exit code. */
export interface CommandDef {
  /** Full path, e.g. `run` or `container ls`. */
  name: string;
  usage: string;
  short: string;
  flags: FlagSpec[];
  interspersed?: boolean;
  args?: ArgRule;
  run(ctx: Ctx, flags: Parsed, args: string[]): Promise<number>;
}

/** Ends the command with a code, optionally printing a message to stderr. */
export class StatusError extends Error {
  readonly code: number;
  constructor(code: number, message = '') {
    super(message);
    this.code = code;
    this.name = 'StatusError';
  }
}

/** How docker's Go client words an error ("Error response from daemon: …" for API errors). */
export function describe(err: unknown): string {
  if (err instanceof ApiError) return `Error response from daemon: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

/** Whether the error is a daemon 404. */
export function isNotFound(err: unknown): boolean {
  return err instanceof ApiError && err.status === 404;
}

/** Runs `fn` for each argument like docker's multi-object commands: errors printed, exit 1 at the end. */
export async function forEachArg(ctx: Ctx, args: string[], fn: (arg: string) => Promise<string | undefined>): Promise<number> {
  let failed = false;
  for (const arg of args) {
    try {
      const line = await fn(arg);
      if (line !== undefined) ctx.out(`${line}\n`);
    } catch (err) {
      ctx.err(`${describe(err)}\n`);
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

export const helpFlag: FlagSpec = { name: 'help', kind: 'bool', help: 'Print usage', hidden: true };
