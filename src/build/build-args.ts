/**
 * Build-argument scoping, as BuildKit does it (and the Dockerfile reference documents):
 * - ARGs before the first FROM are global: they are visible to FROM lines only, evaluated in
 *   order, each default expanded with the globals before it, `--build-arg` values winning;
 * - the automatic platform ARGs (TARGETPLATFORM, BUILDARCH, …) are global too;
 * - inside a stage an ARG must be declared to be visible; declared without a default it takes
 *   the `--build-arg` value, else the global value of the same name;
 * - a stage built FROM an earlier stage inherits that stage's variables (ENV and ARG values);
 * - variables are applied in order: a later ENV or ARG of the same name replaces the value;
 * - the proxy ARGs (HTTP_PROXY & co.) reach RUN without being declared, and stay out of the
 *   image history.
 * This file holds the global scope; the per-stage scope (StageScope) is in expand.ts.
 */
import { DockerfileError, Problem } from './errors.js';
import type { ArgInstruction, Instruction } from './instruction-types.js';
import type { EscapeToken } from './parser.js';
import { processWord, type EnvLookup } from './shell-lexer.js';

/** The predefined proxy ARGs (usable in RUN without an ARG line, excluded from history). */
export const PROXY_ARGS: readonly string[] = [
  'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy',
  'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy',
];

/** The automatic platform ARGs of the global scope. */
export const PLATFORM_ARGS: readonly string[] = [
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
];

/** A platform as the automatic ARGs describe it (no OS version). */
export interface PlatformSpec {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** "os/arch[/variant]". */
export function formatPlatform(p: PlatformSpec): string {
  return p.variant ? `${p.os}/${p.architecture}/${p.variant}` : `${p.os}/${p.architecture}`;
}

/** The automatic platform ARGs for a build on `build` producing an image for `target`. */
export function platformArgs(build: PlatformSpec, target: PlatformSpec = build): Map<string, string> {
  return new Map([
    ['BUILDPLATFORM', formatPlatform(build)],
    ['BUILDOS', build.os],
    ['BUILDARCH', build.architecture],
    ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', formatPlatform(target)],
    ['TARGETOS', target.os],
    ['TARGETARCH', target.architecture],
    ['TARGETVARIANT', target.variant ?? ''],
  ]);
}

function located<R>(instr: Instruction, fileName: string | undefined, fn: () => R): R {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    throw new DockerfileError(err.message, { fileName: fileName ?? 'Dockerfile', line: instr.startLine, endLine: instr.endLine, instruction: instr.kind });
  }
}

/**
 * Values of the global scope, for FROM lines: the predefined platform ARGs (overridable by a
 * `--build-arg` of the same name), then the ARGs before the first FROM in order. A global ARG
 * without default and without `--build-arg` stays unset. Throws DockerfileError.
 */
export function globalArgs(
  metaArgs: readonly ArgInstruction[],
  options: { buildArgs?: EnvLookup; predefined?: EnvLookup; escape?: EscapeToken; fileName?: string } = {},
): Map<string, string> {
  const buildArgs = options.buildArgs ?? new Map<string, string>();
  const out = new Map<string, string>();
  for (const [k, v] of options.predefined ?? []) out.set(k, buildArgs.get(k) ?? v);
  for (const instr of metaArgs) {
    for (const { key, value } of instr.args) {
      const given = buildArgs.get(key);
      if (given !== undefined) out.set(key, given);
      else if (value !== undefined) out.set(key, located(instr, options.fileName, () => processWord(value, out, { escape: options.escape ?? '\\' })));
    }
  }
  return out;
}

/**
 * The `--build-arg` names no ARG of the Dockerfile declares (Docker warns "One or more
 * build-args [...] were not consumed"); predefined ARGs are never reported.
 */
export function unusedBuildArgs(instructions: readonly Instruction[], buildArgs: EnvLookup): string[] {
  const declared = new Set<string>();
  for (const i of instructions) if (i.kind === 'ARG') for (const a of i.args) declared.add(a.key);
  return [...buildArgs.keys()].filter((k) => !declared.has(k) && !PROXY_ARGS.includes(k) && !PLATFORM_ARGS.includes(k)).sort();
}
