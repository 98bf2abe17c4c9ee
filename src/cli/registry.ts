import { PROG, type ArgRule, type CommandDef } from './command.js';
import { formatFlagHelp } from './flags.js';
import { COMMANDS } from './commands/index.js';

/** Management groups: `container ls` → the `ps` implementation, with docker's alias names. */
const GROUPS: Record<string, { short: string; members: Record<string, string> }> = {
  container: {
    short: 'Manage containers',
    members: {
      attach: 'attach', create: 'create', exec: 'exec', inspect: 'container inspect', kill: 'kill', logs: 'logs',
      ls: 'ps', ps: 'ps', list: 'ps', port: 'port', prune: 'container prune', rename: 'rename', restart: 'restart', rm: 'rm',
      remove: 'rm', run: 'run', start: 'start', stop: 'stop', top: 'top', wait: 'wait',
      cp: 'cp',
      commit: 'commit', diff: 'diff', export: 'export',
      pause: 'pause', unpause: 'unpause', update: 'update',
      stats: 'stats',
    },
  },
  image: {
    short: 'Manage images',
    members: {
      build: 'build', history: 'history', import: 'import', inspect: 'image inspect', load: 'load', ls: 'images', list: 'images',
      prune: 'image prune', rm: 'rmi', remove: 'rmi', tag: 'tag', pull: 'pull', push: 'push', save: 'save',
    },
  },
  network: {
    short: 'Manage networks',
    members: {
      connect: 'network connect', create: 'network create', disconnect: 'network disconnect', inspect: 'network inspect',
      ls: 'network ls', list: 'network ls', prune: 'network prune', rm: 'network rm', remove: 'network rm',
    },
  },
  volume: {
    short: 'Manage volumes',
    members: {
      create: 'volume create', inspect: 'volume inspect', ls: 'volume ls', list: 'volume ls', prune: 'volume prune', rm: 'volume rm',
      remove: 'volume rm',
    },
  },
  builder: {
    short: 'Manage builds',
    members: { build: 'build', prune: 'builder prune' },
  },
  system: {
    short: 'Manage berth',
    members: { df: 'system df', events: 'events', info: 'info', prune: 'system prune' },
  },
};

export type Found =
  | { kind: 'command'; cmd: CommandDef; args: string[] }
  | { kind: 'group'; help: string }
  | { kind: 'unknown'; message: string };

const byName = new Map<string, CommandDef>(COMMANDS.map((c) => [c.name, c]));

/** Resolves `argv` (after global flags) to a command, renaming group members to their full path. */
export function findCommand(argv: string[]): Found {
  const [first, second, ...rest] = argv as [string, string | undefined, ...string[]];
  const group = GROUPS[first];
  if (group !== undefined) {
    if (second === undefined || second === '--help' || second.startsWith('-')) return { kind: 'group', help: groupHelp(first) };
    const target = group.members[second];
    const cmd = target === undefined ? undefined : byName.get(target);
    if (cmd === undefined) {
      return { kind: 'unknown', message: `${PROG}: unknown command: ${PROG} ${first} ${second}\n\nUsage:  ${PROG} ${first}\n\nRun '${PROG} ${first} --help' for more information\n` };
    }
    // group-only commands (`network ls`) already carry their path; `container ls` borrows `ps`
    if (cmd.name.includes(' ')) return { kind: 'command', cmd, args: rest };
    return { kind: 'command', cmd: { ...cmd, name: `${first} ${second}`, usage: cmd.usage.replace(/^\S+/, `${first} ${second}`) }, args: rest };
  }
  const cmd = byName.get(first);
  if (cmd === undefined || cmd.name.includes(' ')) {
    return { kind: 'unknown', message: `${PROG}: unknown command: ${PROG} ${first}\n\nRun '${PROG} --help' for more information\n` };
  }
  return { kind: 'command', cmd, args: argv.slice(1) };
}

/** `berth run [OPTIONS] IMAGE …` */
export function usageLine(cmd: CommandDef): string {
  return `${PROG} ${cmd.usage}`;
}

/** docker/cli's cli/required.go messages for a wrong number of positional arguments. */
export function argsError(cmd: CommandDef, n: number): string | undefined {
  const rule: ArgRule = cmd.args ?? { min: 0 };
  const path = `${PROG} ${cmd.name}`;
  const plural = (k: number): string => (k === 1 ? 'argument' : 'arguments');
  const tail = (verb: string): string => `\n\nUsage:  ${usageLine(cmd)}\n\n${verb} '${path} --help' for more information\n`;
  if ('none' in rule) return n === 0 ? undefined : `${PROG}: '${path}' accepts no arguments${tail('Run')}`;
  if ('exact' in rule) return n === rule.exact ? undefined : `${PROG}: '${path}' requires ${rule.exact} ${plural(rule.exact)}${tail('Run')}`;
  if ('min' in rule && rule.max !== undefined) {
    if (n >= rule.min && n <= rule.max) return undefined;
    return `${PROG}: '${path}' requires at least ${rule.min} and at most ${rule.max} ${plural(rule.max)}${tail('Run')}`;
  }
  if ('min' in rule) return n >= rule.min ? undefined : `${PROG}: '${path}' requires at least ${rule.min} ${plural(rule.min)}${tail('See')}`;
  return n <= rule.max ? undefined : `${PROG}: '${path}' requires at most ${rule.max} ${plural(rule.max)}${tail('Run')}`;
}

/** `--help` for one command. */
export function commandHelp(cmd: CommandDef): string {
  const hasFlags = cmd.flags.some((f) => f.hidden !== true);
  return `\nUsage:  ${usageLine(cmd)}\n\n${cmd.short}\n${hasFlags ? `\nOptions:\n${formatFlagHelp(cmd.flags)}\n` : ''}`;
}

/** cobra's `rpad .Name .NamePadding` plus a space: names in a 12-column field (longer ones get one space). */
function pad(name: string): string {
  return `${name.padEnd(11)} `;
}

function groupHelp(group: string): string {
  const g = GROUPS[group]!;
  const lines = Object.entries(g.members)
    .filter(([name]) => !['ps', 'list', 'remove'].includes(name))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, target]) => `  ${pad(name)}${byName.get(target)?.short ?? ''}`);
  return `\nUsage:  ${PROG} ${group} COMMAND\n\n${g.short}\n\nCommands:\n${lines.join('\n')}\n\nRun '${PROG} ${group} COMMAND --help' for more information on a command.\n`;
}

/** `berth --help` */
export function rootHelp(): string {
  const cmds = COMMANDS.filter((c) => !c.name.includes(' ')).map((c) => `  ${pad(c.name)}${c.short}`);
  const groups = Object.entries(GROUPS).map(([n, g]) => `  ${pad(n)}${g.short}`);
  return `\nUsage:  ${PROG} [OPTIONS] COMMAND\n\nA self-sufficient runtime for containers\n\nCommands:\n${cmds.join('\n')}\n\nManagement Commands:\n${groups.join('\n')}\n\nGlobal Options:\n      --config string      Location of client config files\n  -D, --debug              Enable debug mode\n  -H, --host list          Daemon socket to connect to\n  -l, --log-level string   Set the logging level ("debug", "info", "warn", "error", "fatal")\n  -v, --version            Print version information and quit\n\nRun '${PROG} COMMAND --help' for more information on a command.\n`;
}
