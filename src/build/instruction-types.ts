/**
 * Typed Dockerfile instructions. String fields hold the words as written in the Dockerfile
 * (quotes and `$VARS` included) where Docker expands them later; `expandInstruction` in
 * expand.ts turns them into final values. Fields Docker never expands (RUN/CMD/ENTRYPOINT
 * command lines, SHELL, HEALTHCHECK, MAINTAINER, ONBUILD, COPY --from) are final as parsed.
 */
import type { Heredoc } from './parser.js';

interface Base<K extends string> {
  readonly kind: K;
  /** The instruction's logical line, trimmed (Docker's `String()`; used in history). */
  readonly original: string;
  /** 1-based first line. */
  readonly startLine: number;
  /** 1-based last line (continuations and heredocs included). */
  readonly endLine: number;
}

/**
 * A command line: exec form (JSON array) or shell form (run with the stage's SHELL). A shell
 * form with an empty command means the instruction had no arguments at all (`CMD`).
 */
export type CommandLine =
  | { readonly form: 'exec'; readonly args: readonly string[] }
  | { readonly form: 'shell'; readonly command: string };

/** `FROM [--platform=p] image [AS name]`. */
export interface FromInstruction extends Base<'FROM'> {
  /** The base image or earlier stage, unexpanded (FROM lines see only global ARGs). */
  readonly image: string;
  /** The stage name, lower-cased; undefined for an unnamed stage. */
  readonly stageName: string | undefined;
  /** The `--platform` value, unexpanded. */
  readonly platform: string | undefined;
}

/** `RUN --network`. */
export type RunNetwork = 'default' | 'none' | 'host';
/** `RUN --security`. */
export type RunSecurity = 'sandbox' | 'insecure';

/** `RUN [--mount=…] [--network=…] [--security=…] command`. */
export interface RunInstruction extends Base<'RUN'> {
  readonly command: CommandLine;
  /** Heredocs of the line (`RUN <<EOF`); see `runScript` for how Docker runs them. */
  readonly heredocs: readonly Heredoc[];
  /** Raw `--mount` values; `resolveRunMounts` (expand.ts) parses them with the stage's variables. */
  readonly mounts: readonly string[];
  readonly network: RunNetwork;
  readonly security: RunSecurity;
}

/** `CMD`: the default command (or ENTRYPOINT arguments). */
export interface CmdInstruction extends Base<'CMD'> {
  readonly command: CommandLine;
}

/** `ENTRYPOINT`; exec form `[]` clears it. */
export interface EntrypointInstruction extends Base<'ENTRYPOINT'> {
  readonly command: CommandLine;
}

/** A `key=value` of ENV or LABEL (raw until expanded). */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
}

/** `ENV k=v k2="v 2"` or `ENV k v`. */
export interface EnvInstruction extends Base<'ENV'> {
  readonly pairs: readonly KeyValue[];
}

/** `LABEL k=v …` (or the legacy `LABEL k v`). */
export interface LabelInstruction extends Base<'LABEL'> {
  readonly pairs: readonly KeyValue[];
}

/** One `name[=default]` of ARG; `value` is undefined without a default. */
export interface ArgDefinition {
  readonly key: string;
  readonly value: string | undefined;
}

/** `ARG name[=default] …`; values stay raw, see applyArg. */
export interface ArgInstruction extends Base<'ARG'> {
  readonly args: readonly ArgDefinition[];
}

/** `EXPOSE 80 443/tcp 53/udp 8000-8010`; raw words (sorted, as Docker does). */
export interface ExposeInstruction extends Base<'EXPOSE'> {
  readonly ports: readonly string[];
}

/** `VOLUME /a /b` or `VOLUME ["/a"]`. */
export interface VolumeInstruction extends Base<'VOLUME'> {
  readonly paths: readonly string[];
}

/** `USER user[:group]`. */
export interface UserInstruction extends Base<'USER'> {
  readonly user: string;
}

/** `WORKDIR path` (relative to the previous one; see resolveWorkdir). */
export interface WorkdirInstruction extends Base<'WORKDIR'> {
  readonly path: string;
}

/** A COPY/ADD source given inline as a heredoc (`COPY <<EOF /dest`). */
export interface InlineSource {
  /** The heredoc name, used as the file name. */
  readonly path: string;
  /** The body, leading tabs already stripped for `<<-`. */
  readonly data: string;
  /** Whether variables in the body are expanded (unquoted delimiter). */
  readonly expand: boolean;
}

interface CopyLike<K extends 'COPY' | 'ADD'> extends Base<K> {
  /** Source paths (or URLs/git refs for ADD), raw. */
  readonly sources: readonly string[];
  readonly inline: readonly InlineSource[];
  readonly dest: string;
  readonly chown: string | undefined;
  readonly chmod: string | undefined;
  readonly link: boolean;
  /** `--exclude` patterns (not expanded, as in BuildKit). */
  readonly exclude: readonly string[];
}

/** `COPY [flags] src… dest`. */
export interface CopyInstruction extends CopyLike<'COPY'> {
  /** `--from`: a stage name, a stage index or an image; never expanded. */
  readonly from: string | undefined;
  readonly parents: boolean;
}

/** `ADD [flags] src… dest` (URLs, git and archives are the executor's business). */
export interface AddInstruction extends CopyLike<'ADD'> {
  readonly keepGitDir: boolean | undefined;
  readonly checksum: string | undefined;
  readonly unpack: boolean | undefined;
}

/** `ONBUILD <instruction>`: stored in the image config as `expression`. */
export interface OnbuildInstruction extends Base<'ONBUILD'> {
  /** The trigger text as Docker stores it (heredoc bodies appended). */
  readonly expression: string;
  /** The trigger parsed; null when it does not parse (Docker only fails when it runs). */
  readonly trigger: Instruction | null;
}

/** `STOPSIGNAL signal` (raw until expanded). */
export interface StopsignalInstruction extends Base<'STOPSIGNAL'> {
  readonly signal: string;
}

/** Durations are in nanoseconds; 0 means "inherit". */
export type Healthcheck =
  | { readonly type: 'none' }
  | {
    readonly type: 'cmd';
    /** Docker's Test: ["CMD", args…] (exec form) or ["CMD-SHELL", command]. */
    readonly test: readonly string[];
    readonly interval: number;
    readonly timeout: number;
    readonly startPeriod: number;
    readonly startInterval: number;
    readonly retries: number;
  };

/** `HEALTHCHECK NONE` or `HEALTHCHECK [flags] CMD …`. */
export interface HealthcheckInstruction extends Base<'HEALTHCHECK'> {
  readonly health: Healthcheck;
}

/** `SHELL ["executable", "params"]`: the shell of later shell forms. */
export interface ShellInstruction extends Base<'SHELL'> {
  readonly shell: readonly string[];
}

/** `MAINTAINER name` (deprecated, sets the image author). */
export interface MaintainerInstruction extends Base<'MAINTAINER'> {
  readonly maintainer: string;
}

/** Every Dockerfile instruction, discriminated by `kind`. */
export type Instruction =
  | FromInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | EnvInstruction
  | LabelInstruction
  | ArgInstruction
  | ExposeInstruction
  | VolumeInstruction
  | UserInstruction
  | WorkdirInstruction
  | CopyInstruction
  | AddInstruction
  | OnbuildInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction
  | MaintainerInstruction;

/** An instruction keyword, upper case. */
export type InstructionKind = Instruction['kind'];

/** Every instruction keyword, upper case. */
export const INSTRUCTION_KINDS: readonly InstructionKind[] = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
];
