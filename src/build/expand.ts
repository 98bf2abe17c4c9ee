/**
 * Variable substitution in instructions, with Docker's rules about which arguments are expanded:
 * ADD, COPY (not --from), ENV, EXPOSE (split into words), FROM (global ARGs only), LABEL,
 * STOPSIGNAL, USER, VOLUME, WORKDIR and RUN --mount values. RUN, CMD, ENTRYPOINT, SHELL,
 * HEALTHCHECK, MAINTAINER and ONBUILD are left to the shell (or to the child build). ARG
 * defaults are expanded when the ARG is applied (applyArg). Quotes are removed here.
 *
 * Also the stage scope: which variables an instruction sees, given the base image's Env, the
 * `--build-arg` values and the global ARGs (see build-args.ts for the rules).
 */
import { EngineError } from '../core/index.js';
import { PROXY_ARGS } from './build-args.js';
import { DockerfileError, Problem } from './errors.js';
import { parseExposedPorts } from './expose.js';
import type { ArgInstruction, Instruction, RunInstruction, InlineSource } from './instruction-types.js';
import type { EscapeToken } from './parser.js';
import { parseMount, type RunMount } from './run-mount.js';
import { processWord, processWords, type EnvLookup, type LexOptions } from './shell-lexer.js';

/** How to expand: the Dockerfile's escape token and its name for error locations. */
export interface ExpandOptions {
  /** The Dockerfile's escape token (`# escape=`), backslash by default. */
  readonly escape?: EscapeToken;
  /** For error locations; "Dockerfile" by default. */
  readonly fileName?: string;
}

/**
 * Returns the instruction with its expandable arguments substituted from `env` (the stage's
 * variables before this instruction; for FROM, the global ARGs). Instructions Docker does not
 * expand are returned as they are. Throws DockerfileError ('failed to process "…": …').
 */
export function expandInstruction<T extends Instruction>(instr: T, env: EnvLookup, options: ExpandOptions = {}): T {
  return withLocation(instr, options, () => expandFields(instr, env, options.escape ?? '\\'));
}

/**
 * Parses a RUN's `--mount` values with their variables substituted. Throws DockerfileError with
 * Docker's mount messages.
 */
export function resolveRunMounts(run: RunInstruction, env: EnvLookup, options: ExpandOptions = {}): RunMount[] {
  const escape = options.escape ?? '\\';
  return withLocation(run, options, () => run.mounts.map((spec) => parseMount(spec, (w) => processWord(w, env, { escape }))));
}

/**
 * EXPOSE after expansion: each word is expanded and split (`EXPOSE $PORTS` with PORTS="80 443"
 * exposes both), then turned into "port/proto" keys. Throws DockerfileError.
 */
export function exposedPorts(expose: Extract<Instruction, { kind: 'EXPOSE' }>, env: EnvLookup, options: ExpandOptions = {}): string[] {
  const escape = options.escape ?? '\\';
  return withLocation(expose, options, () => parseExposedPorts(expose.ports.flatMap((p) => processWords(p, env, { escape }))));
}

function withLocation<R>(instr: Instruction, options: ExpandOptions, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    throw new DockerfileError(err.message, {
      fileName: options.fileName ?? 'Dockerfile',
      line: instr.startLine,
      endLine: instr.endLine,
      instruction: instr.kind,
    });
  }
}

function expandFields<T extends Instruction>(instr: T, env: EnvLookup, escape: EscapeToken): T {
  const word = (w: string): string => processWord(w, env, { escape });
  const opt = (w: string | undefined): string | undefined => (w === undefined ? undefined : word(w));
  const inline = (docs: readonly InlineSource[]): InlineSource[] =>
    docs.map((d) => (d.expand ? { ...d, data: processWord(d.data, env, { escape: '\\', skipProcessQuotes: true }) } : d));
  const i: Instruction = instr;
  let out: Instruction;
  switch (i.kind) {
    case 'FROM':
      out = { ...i, image: word(i.image), platform: opt(i.platform) };
      break;
    case 'ENV':
    case 'LABEL':
      out = { ...i, pairs: i.pairs.map((p) => ({ key: word(p.key), value: word(p.value) })) };
      break;
    case 'COPY':
      out = { ...i, sources: i.sources.map(word), dest: word(i.dest), chown: opt(i.chown), chmod: opt(i.chmod), inline: inline(i.inline) };
      break;
    case 'ADD':
      out = {
        ...i, sources: i.sources.map(word), dest: word(i.dest), chown: opt(i.chown), chmod: opt(i.chmod),
        checksum: opt(i.checksum), inline: inline(i.inline),
      };
      break;
    case 'EXPOSE':
      out = { ...i, ports: i.ports.flatMap((p) => processWords(p, env, { escape })) };
      break;
    case 'VOLUME':
      out = { ...i, paths: i.paths.map(word) };
      break;
    case 'USER':
      out = { ...i, user: word(i.user) };
      break;
    case 'WORKDIR':
      out = { ...i, path: word(i.path) };
      break;
    case 'STOPSIGNAL':
      out = { ...i, signal: word(i.signal) };
      break;
    default:
      out = i;
  }
  return out as T;
}

/** What ARG evaluation needs from the build request. */
export interface ArgContext {
  /** `--build-arg` values. */
  readonly buildArgs: EnvLookup;
  /** Global ARG values (from `globalArgs`), for ARGs redeclared without default in a stage. */
  readonly globals: EnvLookup;
  readonly escape?: EscapeToken;
  readonly fileName?: string;
}

/** The variables of a stage at some point of its instructions. */
export interface StageScope {
  /** Every variable visible to expansion and to RUN: ENV and declared ARG values, in order. */
  readonly vars: ReadonlyMap<string, string>;
  /** The image config's Env ("K=V"), in order: the base image's, then the stage's ENVs. */
  readonly imageEnv: readonly string[];
  /** ARGs declared so far (this stage and the stages it is built from), with their values. */
  readonly args: ReadonlyMap<string, string | undefined>;
}

const envKey = (kv: string): string => {
  const eq = kv.indexOf('=');
  return eq < 0 ? kv : kv.slice(0, eq);
};

/**
 * The scope at the start of a stage: built from an earlier stage, it continues that stage's
 * final scope; built from an image, it starts from the image config's Env ("K=V" list).
 */
export function beginStage(from: { parent: StageScope } | { imageEnv: readonly string[] }): StageScope {
  if ('parent' in from) return from.parent;
  const vars = new Map<string, string>();
  for (const kv of from.imageEnv) {
    const eq = kv.indexOf('=');
    vars.set(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? '' : kv.slice(eq + 1));
  }
  return { vars, imageEnv: [...from.imageEnv], args: new Map() };
}

/** Applies an already expanded ENV: sets the variables and the image Env (replacing in place). */
export function applyEnv(scope: StageScope, env: Extract<Instruction, { kind: 'ENV' }>): StageScope {
  const vars = new Map(scope.vars);
  const imageEnv = [...scope.imageEnv];
  for (const { key, value } of env.pairs) {
    vars.set(key, value);
    const at = imageEnv.findIndex((kv) => envKey(kv) === key);
    if (at >= 0) imageEnv[at] = `${key}=${value}`;
    else imageEnv.push(`${key}=${value}`);
  }
  return { vars, imageEnv, args: scope.args };
}

/**
 * Applies a (raw) ARG: each name takes its `--build-arg` value, else its default expanded with
 * the variables so far, else (no default) the global value; names without any value are
 * declared but unset. Throws DockerfileError for a bad default.
 */
export function applyArg(scope: StageScope, arg: ArgInstruction, ctx: ArgContext): StageScope {
  const vars = new Map(scope.vars);
  const args = new Map(scope.args);
  for (const { key, value: def } of arg.args) {
    let value = ctx.buildArgs.get(key);
    if (value === undefined && def !== undefined) {
      value = withLocation(arg, ctx, () => processWord(def, vars, { escape: ctx.escape ?? '\\' }));
    } else if (value === undefined) {
      value = ctx.globals.get(key);
    }
    if (value !== undefined) vars.set(key, value);
    args.set(key, value);
  }
  return { vars, imageEnv: scope.imageEnv, args };
}

/**
 * Walks instructions from `scope`, applying ENV (expanded first) and ARG, and returns the scope
 * after them: the environment in which the next instruction is expanded. Throws DockerfileError.
 */
export function advanceScope(scope: StageScope, instructions: readonly Instruction[], ctx: ArgContext): StageScope {
  let s = scope;
  for (const instr of instructions) {
    if (instr.kind === 'ENV') s = applyEnv(s, expandInstruction(instr, s.vars, ctx));
    else if (instr.kind === 'ARG') s = applyArg(s, instr, ctx);
  }
  return s;
}

/**
 * The environment of a RUN: the scope's variables, plus the proxy `--build-arg`s that the
 * Dockerfile did not set itself. "K=V" list.
 */
export function runEnvironment(scope: StageScope, buildArgs: EnvLookup): string[] {
  const env = [...scope.vars].map(([k, v]) => `${k}=${v}`);
  for (const name of PROXY_ARGS) {
    const v = buildArgs.get(name);
    if (v !== undefined && !scope.vars.has(name)) env.push(`${name}=${v}`);
  }
  return env;
}


/**
 * The expansion environment of a stage before its instruction number `upTo` (all of them by
 * default), starting from the base image's Env or from the parent stage's scope.
 * Throws DockerfileError.
 */
export function stageEnvironment(
  instructions: readonly Instruction[],
  start: { parent: StageScope } | { imageEnv: readonly string[] },
  ctx: ArgContext & { upTo?: number },
): StageScope {
  return advanceScope(beginStage(start), instructions.slice(0, ctx.upTo ?? instructions.length), ctx);
}

/**
 * Expands one word as Docker's lexer does (quotes removed, escapes applied, variables
 * substituted). Throws EngineError('invalid-argument') with Docker's message.
 */
export function expandWord(word: string, env: EnvLookup, options: LexOptions = {}): string {
  return publicProblem(() => processWord(word, env, options));
}

/** Expands and splits into words on unquoted whitespace. Throws EngineError('invalid-argument'). */
export function expandWords(word: string, env: EnvLookup, options: LexOptions = {}): string[] {
  return publicProblem(() => processWords(word, env, options));
}

function publicProblem<R>(fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    if (err instanceof Problem) throw new EngineError('invalid-argument', err.message);
    throw err;
  }
}
