/**
 * The Dockerfile front end: pure functions from Dockerfile text (and .dockerignore text) to
 * typed instructions, stages, a build plan and expansion environments. No I/O, no containers;
 * the executor builds on this.
 *
 *   const df = parseDockerfile(text, { fileName: 'Dockerfile' });
 *   const plan = planBuild(df, { target, buildArgs, platform: { build: host } });
 *   for (const i of plan.order) { … plan.stages[i] … expandInstruction(instr, scope.vars, { escape: df.escape }) … }
 */

// Errors
export { DockerfileError, ParseError, type DockerfileLocation } from './errors.js';

// Text → nodes
export {
  parseDockerfileAst, chompHeredocContent,
  type DockerfileAst, type DockerfileNode, type EscapeToken, type Heredoc, type ParseOptions,
  type ParserDirectives, type ParseWarning,
} from './parser.js';
export type { NodeArgs, CommandArgs, KeyValueWord, SplitLine } from './line-parsers.js';

// Nodes → typed instructions
export {
  parseInstruction, parseInstructions, parseOnbuildTrigger, INSTRUCTION_KINDS,
  type Instruction, type InstructionKind, type CommandLine, type FromInstruction, type RunInstruction,
  type CmdInstruction, type EntrypointInstruction, type EnvInstruction, type LabelInstruction, type ArgInstruction,
  type ArgDefinition, type ExposeInstruction, type VolumeInstruction, type UserInstruction, type WorkdirInstruction,
  type CopyInstruction, type AddInstruction, type InlineSource, type OnbuildInstruction, type StopsignalInstruction,
  type HealthcheckInstruction, type Healthcheck, type ShellInstruction, type MaintainerInstruction, type KeyValue,
  type RunNetwork, type RunSecurity,
} from './instructions.js';
export type { RunMount, MountType, CacheSharing } from './run-mount.js';
export { resolveRunCommand, commandArgv, HEREDOC_PIPES_DIR, type ResolvedRunCommand, type RunInlineFile } from './run-command.js';

// The whole file
export { parseDockerfile, type Dockerfile } from './dockerfile.js';

// Expansion and scopes
export {
  expandInstruction, expandWord, expandWords, resolveRunMounts, exposedPorts,
  beginStage, applyEnv, applyArg, advanceScope, stageEnvironment, runEnvironment,
  type ExpandOptions, type ArgContext, type StageScope,
} from './expand.js';
export type { EnvLookup, LexOptions } from './shell-lexer.js';
export {
  globalArgs, platformArgs, formatPlatform, unusedBuildArgs, PROXY_ARGS, PLATFORM_ARGS, type PlatformSpec,
} from './build-args.js';

// Stages and plan
export {
  splitStages, findStage, planBuild,
  type Stage, type StageSplit, type StageBase, type StageDependency, type PlannedStage, type PlanOptions, type BuildPlan,
} from './stages.js';

// .dockerignore
export {
  parseDockerignore, IgnoreMatcher, keepBuildFiles, hiddenBuildFiles,
  type IgnorePattern, type ParentMatches,
} from './dockerignore.js';

// Paths
export { cleanPath, resolveWorkdir } from './paths.js';

// Executor helpers (pure): metadata → config, COPY/ADD paths, cache keys
export {
  applyMetadata, instructionComment, nopCreatedBy, buildArgPrefix, shellOf, DEFAULT_SHELL, type ConfigState,
} from './exec-config.js';
export {
  normalizeDest, destIsDir, checkMultipleSources, targetPath, hasGlob, globMatch, contextRelative, parseChmod, isUrl, urlFileName,
} from './exec-paths.js';
export { stepCacheKey, SourceHasher, type StepKeyInput, type SourceEntry } from './cache-key.js';
