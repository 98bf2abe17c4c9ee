/**
 * The executor's pure half for metadata instructions: how ENV, LABEL, EXPOSE, VOLUME, USER,
 * WORKDIR, CMD, ENTRYPOINT, STOPSIGNAL, HEALTHCHECK, SHELL and ONBUILD change the image config
 * being built, and the `created_by` text Docker's classic builder writes into the history
 * (moby builder/dockerfile dispatchers.go: "/bin/sh -c #(nop) " + the instruction).
 */
import type { ContainerConfig, HealthConfig } from '../protocol/index.js';
import { exposedPorts, type StageScope } from './expand.js';
import type { Instruction } from './instruction-types.js';
import type { EscapeToken } from './parser.js';
import { resolveWorkdir } from './paths.js';
import { commandArgv } from './run-command.js';

/** Docker's default SHELL on Linux. */
export const DEFAULT_SHELL: readonly string[] = ['/bin/sh', '-c'];

/** What a stage carries from one instruction to the next besides its variables. */
export interface ConfigState {
  readonly config: ContainerConfig;
  /** Whether CMD was set in this stage (ENTRYPOINT clears an inherited CMD otherwise). */
  readonly cmdSet: boolean;
  /** MAINTAINER, kept as the image's author. */
  readonly author: string | undefined;
}

/** The SHELL in force for a config. */
export function shellOf(config: ContainerConfig): readonly string[] {
  return config.Shell && config.Shell.length > 0 ? config.Shell : DEFAULT_SHELL;
}

/**
 * Applies an already expanded metadata instruction. `scope` is the stage's scope *after* the
 * instruction (ENV changes the image Env through it). Returns the state unchanged for RUN,
 * COPY, ADD, FROM and ARG. Throws DockerfileError for a bad EXPOSE.
 */
export function applyMetadata(
  state: ConfigState, instr: Instruction, scope: StageScope, options: { escape?: EscapeToken; fileName?: string } = {},
): ConfigState {
  const c: ContainerConfig = { ...state.config };
  let { cmdSet, author } = state;
  const shell = shellOf(c);
  switch (instr.kind) {
    case 'ENV':
      c.Env = [...scope.imageEnv];
      break;
    case 'LABEL':
      c.Labels = { ...(c.Labels ?? {}) };
      for (const p of instr.pairs) c.Labels[p.key] = p.value;
      break;
    case 'EXPOSE': {
      const ports = { ...(c.ExposedPorts ?? {}) };
      for (const p of exposedPorts(instr, scope.vars, options)) ports[p] = {};
      c.ExposedPorts = ports;
      break;
    }
    case 'VOLUME': {
      const vols = { ...(c.Volumes ?? {}) };
      for (const p of instr.paths) if (p.trim() !== '') vols[p] = {};
      c.Volumes = vols;
      break;
    }
    case 'USER':
      c.User = instr.user;
      break;
    case 'WORKDIR':
      c.WorkingDir = resolveWorkdir(c.WorkingDir ?? '', instr.path);
      break;
    case 'CMD':
      c.Cmd = commandArgv(instr.command, shell);
      if (instr.command.form === 'shell') c.ArgsEscaped = true;
      cmdSet = true;
      break;
    case 'ENTRYPOINT':
      if (instr.command.form === 'exec') c.Entrypoint = instr.command.args.length > 0 ? [...instr.command.args] : null;
      else c.Entrypoint = instr.command.command === '' ? null : commandArgv(instr.command, shell);
      if (instr.command.form === 'shell') c.ArgsEscaped = true;
      if (!cmdSet) c.Cmd = null;
      break;
    case 'STOPSIGNAL':
      c.StopSignal = instr.signal;
      break;
    case 'HEALTHCHECK':
      c.Healthcheck = healthConfig(instr.health);
      break;
    case 'SHELL':
      c.Shell = [...instr.shell];
      break;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), instr.expression];
      break;
    case 'MAINTAINER':
      author = instr.maintainer;
      break;
    default:
      break;
  }
  return { config: c, cmdSet, author };
}

function healthConfig(h: Extract<Instruction, { kind: 'HEALTHCHECK' }>['health']): HealthConfig {
  if (h.type === 'none') return { Test: ['NONE'] };
  const out: HealthConfig & { StartInterval?: number } = { Test: [...h.test] };
  if (h.interval) out.Interval = h.interval;
  if (h.timeout) out.Timeout = h.timeout;
  if (h.startPeriod) out.StartPeriod = h.startPeriod;
  if (h.startInterval) out.StartInterval = h.startInterval;
  if (h.retries) out.Retries = h.retries;
  return out;
}

/**
 * The comment Docker's classic builder records for an instruction (after expansion), e.g.
 * `ENV A=b`, `LABEL k=v`, `CMD ["sh"]`, `WORKDIR /app`; for COPY/ADD the source digest is
 * added by the executor.
 */
export function instructionComment(instr: Instruction): string {
  switch (instr.kind) {
    case 'ENV':
    case 'LABEL':
      return `${instr.kind} ${instr.pairs.map((p) => `${p.key}=${p.value}`).join(' ')}`;
    case 'CMD':
    case 'ENTRYPOINT':
      return `${instr.kind} ${JSON.stringify(instr.command.form === 'exec' ? instr.command.args : [instr.command.command])}`;
    case 'EXPOSE':
      return `EXPOSE ${instr.ports.join(' ')}`;
    case 'VOLUME':
      return `VOLUME ${JSON.stringify(instr.paths)}`;
    case 'USER':
      return `USER ${instr.user}`;
    case 'WORKDIR':
      return `WORKDIR ${instr.path}`;
    case 'STOPSIGNAL':
      return `STOPSIGNAL ${instr.signal}`;
    case 'SHELL':
      return `SHELL ${JSON.stringify(instr.shell)}`;
    case 'ARG':
      return `ARG ${instr.args.map((a) => (a.value === undefined ? a.key : `${a.key}=${a.value}`)).join(' ')}`;
    case 'ONBUILD':
      return `ONBUILD ${instr.expression}`;
    case 'MAINTAINER':
      return `MAINTAINER ${instr.maintainer}`;
    default:
      return instr.original;
  }
}

/** `created_by` of a step that runs no command: `/bin/sh -c #(nop)  <comment>`. */
export function nopCreatedBy(shell: readonly string[], comment: string): string {
  return [...shell, '#(nop) ', comment].join(' ');
}

/**
 * The `|N K=V …` prefix Docker's classic builder puts before a RUN command in the history
 * when build args are in scope (so that the cache sees them); empty without args.
 */
export function buildArgPrefix(args: ReadonlyMap<string, string | undefined>): string[] {
  const set = [...args].filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => `${k}=${v}`).sort();
  return set.length > 0 ? [`|${set.length}`, ...set] : [];
}
