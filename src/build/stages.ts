/**
 * Build stages: the instructions from one FROM to the next, their names (`AS name`,
 * case-insensitive), the dependencies between them (FROM <earlier stage>, COPY --from=<stage |
 * index | image>, RUN --mount=from=<stage | image>), the `--target` choice, the stages the
 * target needs (others are skipped, as BuildKit does), a topological order and the waves of
 * stages that can be built concurrently.
 */
import { invalidArgument } from '../core/index.js';
import { globalArgs, platformArgs, type PlatformSpec } from './build-args.js';
import { DockerfileError, ParseError, Problem } from './errors.js';
import { expandInstruction } from './expand.js';
import type { ArgInstruction, FromInstruction, Instruction } from './instruction-types.js';
import type { EscapeToken } from './parser.js';
import { mountFrom } from './run-mount.js';
import { processWord } from './shell-lexer.js';
import { withSuggestion } from './text.js';

/** One stage: its FROM and the instructions up to the next FROM. */
export interface Stage {
  /** 0-based position, the number `COPY --from=<n>` uses. */
  readonly index: number;
  /** `AS name`, lower-cased; undefined for an unnamed stage. */
  readonly name: string | undefined;
  readonly from: FromInstruction;
  readonly instructions: readonly Instruction[];
}

/** The ARGs before the first FROM and the stages. */
export interface StageSplit {
  readonly metaArgs: readonly ArgInstruction[];
  readonly stages: readonly Stage[];
}

/**
 * Splits instructions into the global ARGs and the stages. Throws ParseError for an
 * instruction before the first FROM, a Dockerfile without FROM, or a stage name used twice.
 */
export function splitStages(instructions: readonly Instruction[], options: { fileName?: string } = {}): StageSplit {
  const fileName = options.fileName ?? 'Dockerfile';
  const at = (i: Instruction): { fileName: string; line: number; endLine: number; instruction: string } =>
    ({ fileName, line: i.startLine, endLine: i.endLine, instruction: i.kind });
  const metaArgs: ArgInstruction[] = [];
  const stages: { index: number; name: string | undefined; from: FromInstruction; instructions: Instruction[] }[] = [];
  for (const instr of instructions) {
    if (instr.kind === 'FROM') {
      if (instr.stageName !== undefined && stages.some((s) => s.name === instr.stageName)) {
        throw new ParseError(`${instr.stageName} stage name already used`, at(instr));
      }
      stages.push({ index: stages.length, name: instr.stageName, from: instr, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1]!.instructions.push(instr);
    } else if (instr.kind === 'ARG') {
      metaArgs.push(instr);
    } else {
      throw new ParseError('no build stage in current context', at(instr));
    }
  }
  if (stages.length === 0) {
    throw new ParseError('dockerfile contains no stages to build', { fileName, line: 0, endLine: 0, instruction: undefined });
  }
  return { metaArgs, stages };
}

/** The stage called `name` (case-insensitive), if any. */
export function findStage(stages: readonly Stage[], name: string): Stage | undefined {
  const lower = name.toLowerCase();
  return stages.find((s) => s.name === lower);
}

/** What a stage starts from. */
export type StageBase =
  | { readonly kind: 'scratch' }
  | { readonly kind: 'stage'; readonly stage: number }
  | { readonly kind: 'image'; readonly ref: string };

/** Something a stage needs before it can run: an earlier (or other) stage or an image to pull. */
export type StageDependency =
  | { readonly kind: 'stage'; readonly stage: number; readonly via: 'from' | 'copy' | 'mount'; readonly line: number }
  | { readonly kind: 'image'; readonly ref: string; readonly via: 'copy' | 'mount'; readonly line: number };

/** A stage with its base and dependencies resolved. */
export interface PlannedStage extends Stage {
  readonly base: StageBase;
  /** `--platform` expanded with the global ARGs. */
  readonly platform: string | undefined;
  readonly dependencies: readonly StageDependency[];
  /** Indices of the stages this one depends on (deduplicated). */
  readonly dependsOn: readonly number[];
}

/** The build request's part in planning. */
export interface PlanOptions {
  /** `--target`: the stage to build; the last stage by default. */
  readonly target?: string;
  /** `--build-arg` values. */
  readonly buildArgs?: ReadonlyMap<string, string>;
  /** Build and target platforms, for the automatic platform ARGs. */
  readonly platform?: { readonly build: PlatformSpec; readonly target?: PlatformSpec };
  /** Overrides the Dockerfile's escape token and name (taken from a parsed Dockerfile). */
  readonly escape?: EscapeToken;
  readonly fileName?: string;
}

/** What to build, in which order. */
export interface BuildPlan {
  /** The global ARG values FROM lines were expanded with. */
  readonly globalArgs: ReadonlyMap<string, string>;
  readonly stages: readonly PlannedStage[];
  /** Index of the target stage. */
  readonly target: number;
  /** The stages the target needs, dependencies first (the target last). */
  readonly order: readonly number[];
  /** `order` grouped in waves: a wave's stages depend only on earlier waves. */
  readonly waves: readonly (readonly number[])[];
  /** Stages not needed for the target (not built). */
  readonly skipped: readonly number[];
  /** Images the needed stages use (bases, COPY --from, mounts), in order of first use. */
  readonly images: readonly string[];
}

/**
 * Resolves names and dependencies and picks what to build. Throws DockerfileError for a blank
 * base name, `--from` with variables, a bad stage index or a dependency cycle, and
 * EngineError('invalid-argument') for an unknown target.
 */
export function planBuild(
  split: StageSplit & { readonly escape?: EscapeToken; readonly fileName?: string },
  options: PlanOptions = {},
): BuildPlan {
  const fileName = options.fileName ?? split.fileName ?? 'Dockerfile';
  const escape = options.escape ?? split.escape ?? '\\';
  const buildArgs = options.buildArgs ?? new Map<string, string>();
  const predefined = options.platform ? platformArgs(options.platform.build, options.platform.target) : new Map<string, string>();
  const globals = globalArgs(split.metaArgs, { buildArgs, predefined, escape, fileName });
  const { stages } = split;
  const planned = stages.map((stage) => planStage(stage, stages, globals, { escape, fileName }));
  const target = resolveTarget(stages, options.target);
  checkCycles(planned, fileName);
  const order = reachable(planned, target);
  const needed = new Set(order);
  const images: string[] = [];
  for (const i of order) {
    const s = planned[i]!;
    if (s.base.kind === 'image') images.push(s.base.ref);
    for (const d of s.dependencies) if (d.kind === 'image') images.push(d.ref);
  }
  return {
    globalArgs: globals,
    stages: planned,
    target,
    order,
    waves: waves(planned, order),
    skipped: stages.map((s) => s.index).filter((i) => !needed.has(i)),
    images: [...new Set(images)],
  };
}

function planStage(stage: Stage, all: readonly Stage[], globals: ReadonlyMap<string, string>, opts: { escape: EscapeToken; fileName: string }): PlannedStage {
  const at = (i: Instruction): { fileName: string; line: number; endLine: number; instruction: string } =>
    ({ fileName: opts.fileName, line: i.startLine, endLine: i.endLine, instruction: i.kind });
  const from = expandInstruction(stage.from, globals, opts);
  if (from.image === '') throw new DockerfileError(`base name (${stage.from.image}) should not be blank`, at(stage.from));
  const earlier = findStage(all.slice(0, stage.index), from.image);
  const base: StageBase = from.image === 'scratch' && !earlier ? { kind: 'scratch' }
    : earlier ? { kind: 'stage', stage: earlier.index } : { kind: 'image', ref: from.image };
  const dependencies: StageDependency[] = [];
  if (base.kind === 'stage') dependencies.push({ kind: 'stage', stage: base.stage, via: 'from', line: stage.from.startLine });
  for (const instr of stage.instructions) {
    try {
      if (instr.kind === 'COPY' && instr.from !== undefined) dependencies.push(copyFrom(instr.from, all, instr.startLine));
      if (instr.kind === 'RUN') {
        for (const spec of instr.mounts) {
          const name = mountFrom(spec);
          if (name === undefined || name === '') continue;
          const s = findStage(all, name);
          dependencies.push(s ? { kind: 'stage', stage: s.index, via: 'mount', line: instr.startLine }
            : { kind: 'image', ref: name, via: 'mount', line: instr.startLine });
        }
      }
    } catch (err) {
      if (err instanceof Problem) throw new DockerfileError(err.message, at(instr));
      throw err;
    }
  }
  const dependsOn = [...new Set(dependencies.flatMap((d) => (d.kind === 'stage' ? [d.stage] : [])))];
  return { ...stage, base, platform: from.platform, dependencies, dependsOn };
}

function copyFrom(from: string, all: readonly Stage[], line: number): StageDependency {
  let plain: string;
  try {
    plain = processWord(from, new Map());
  } catch {
    plain = '';
  }
  if (plain !== from) {
    throw new Problem('variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
  }
  if (/^[+-]?[0-9]+$/.test(from)) {
    const index = Number.parseInt(from, 10);
    if (index < 0 || index >= all.length) throw new Problem(`invalid stage index ${index}`);
    return { kind: 'stage', stage: index, via: 'copy', line };
  }
  const s = findStage(all, from);
  return s ? { kind: 'stage', stage: s.index, via: 'copy', line } : { kind: 'image', ref: from, via: 'copy', line };
}

function resolveTarget(stages: readonly Stage[], target: string | undefined): number {
  if (target === undefined || target === '') return stages.length - 1;
  const s = findStage(stages, target);
  if (!s) {
    const names = stages.flatMap((st) => (st.name ? [st.name] : []));
    throw invalidArgument(withSuggestion(`target stage ${JSON.stringify(target)} could not be found`, target, names, true));
  }
  return s.index;
}

function checkCycles(stages: readonly PlannedStage[], fileName: string): void {
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (i: number): boolean => {
    if (state.get(i) === 'done') return false;
    if (state.get(i) === 'visiting') return true;
    state.set(i, 'visiting');
    for (const d of stages[i]!.dependsOn) if (visit(d)) return true;
    state.set(i, 'done');
    return false;
  };
  for (const s of stages) {
    if (visit(s.index)) {
      const name = s.name ?? `stage-${s.index}`;
      throw new DockerfileError(`circular dependency detected on stage: ${name}`, {
        fileName, line: s.from.startLine, endLine: s.from.endLine, instruction: 'FROM',
      });
    }
  }
}

/** The stages `target` needs, dependencies before dependents, in file order where free. */
function reachable(stages: readonly PlannedStage[], target: number): number[] {
  const order: number[] = [];
  const seen = new Set<number>();
  const visit = (i: number): void => {
    if (seen.has(i)) return;
    seen.add(i);
    for (const d of [...stages[i]!.dependsOn].sort((a, b) => a - b)) visit(d);
    order.push(i);
  };
  visit(target);
  return order;
}

function waves(stages: readonly PlannedStage[], order: readonly number[]): number[][] {
  const level = new Map<number, number>();
  for (const i of order) level.set(i, Math.max(-1, ...stages[i]!.dependsOn.map((d) => level.get(d) ?? -1)) + 1);
  const out: number[][] = [];
  for (const i of order) (out[level.get(i)!] ??= []).push(i);
  return out.map((w) => w.sort((a, b) => a - b));
}
