import { createClient, type Client } from '../client/index.js';
import { ConnectError } from '../client/errors.js';
import { PROG, StatusError, describe, type CommandDef, type Ctx } from './command.js';
import { findCommand, rootHelp, commandHelp, usageLine, argsError } from './registry.js';
import { FlagError, parseFlags, type FlagSpec } from './flags.js';

const GLOBAL_FLAGS: FlagSpec[] = [
  { name: 'host', short: 'H', kind: 'list', help: 'Daemon socket to connect to' },
  { name: 'log-level', short: 'l', kind: 'string', help: 'Set the logging level' },
  { name: 'debug', short: 'D', kind: 'bool', help: 'Enable debug mode' },
  { name: 'config', kind: 'string', help: 'Location of client config files' },
  { name: 'context', short: 'c', kind: 'string', help: 'Name of the context to use' },
  { name: 'tls', kind: 'bool', help: 'Use TLS' },
  { name: 'tlsverify', kind: 'bool', help: 'Use TLS and verify the remote' },
  { name: 'tlscacert', kind: 'string', help: 'Trust certs signed only by this CA' },
  { name: 'tlscert', kind: 'string', help: 'Path to TLS certificate file' },
  { name: 'tlskey', kind: 'string', help: 'Path to TLS key file' },
  { name: 'version', short: 'v', kind: 'bool', help: 'Print version information and quit' },
  { name: 'help', kind: 'bool', help: 'Print usage' },
];

/**
 * Node creates process.stdin/stdout/stderr on first access, ~1.5 ms each (a tty, pipe or file
 * stream): a command touches only the ones it uses. Output streams get their error handler then.
 */
const touched = new Set<NodeJS.WriteStream>();

function output(name: 'stdout' | 'stderr'): NodeJS.WriteStream {
  const stream = process[name];
  if (!touched.has(stream)) {
    touched.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' && name === 'stdout') process.stderr.write(`write /dev/stdout: broken pipe\n`);
      process.exit(1);
    });
  }
  return stream;
}

function makeCtx(host: string | undefined): Ctx {
  let client: Client | undefined;
  return {
    get stdin() {
      return process.stdin;
    },
    get stdout() {
      return output('stdout');
    },
    get stderr() {
      return output('stderr');
    },
    env: process.env,
    client: () => (client ??= createClient(host === undefined ? {} : { host })),
    out: (t) => void output('stdout').write(t),
    err: (t) => void output('stderr').write(t),
  };
}

function flagFailure(ctx: Ctx, cmd: CommandDef, err: FlagError): number {
  ctx.err(`${err.message}\n\nUsage:  ${usageLine(cmd)}\n\nRun '${PROG} ${cmd.name} --help' for more information\n`);
  return 125;
}

async function dispatch(argv: string[]): Promise<number> {
  let globals;
  try {
    globals = parseFlags(argv, GLOBAL_FLAGS, { interspersed: false });
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    output('stderr').write(`${err.message}\n\nUsage:  ${PROG} [OPTIONS] COMMAND\n\nRun '${PROG} --help' for more information\n`);
    return 125;
  }
  const hosts = globals.list('host');
  const ctx = makeCtx(hosts[hosts.length - 1] ?? (process.env['DOCKER_HOST'] || undefined));
  if (globals.bool('version')) {
    ctx.out(`Berth version 0.1.0, build berth\n`);
    return 0;
  }
  const rest = globals.positionals;
  if (rest.length === 0 || globals.bool('help') || rest[0] === 'help') {
    ctx.out(rootHelp());
    return 0;
  }
  const found = findCommand(rest);
  if (found.kind === 'unknown') {
    ctx.err(found.message);
    return 1;
  }
  if (found.kind === 'group') {
    ctx.out(found.help);
    return 0;
  }
  const { cmd, args } = found;
  let parsed;
  try {
    parsed = parseFlags(args, cmd.flags, { interspersed: cmd.interspersed !== false });
  } catch (err) {
    if (err instanceof FlagError) return flagFailure(ctx, cmd, err);
    throw err;
  }
  if (parsed.bool('help')) {
    ctx.out(commandHelp(cmd));
    return 0;
  }
  const bad = argsError(cmd, parsed.positionals.length);
  if (bad !== undefined) {
    ctx.err(bad);
    return 1;
  }
  try {
    return await cmd.run(ctx, parsed, parsed.positionals);
  } catch (err) {
    if (err instanceof FlagError) return flagFailure(ctx, cmd, err);
    if (err instanceof StatusError) {
      if (err.message !== '') ctx.err(`${err.message}\n`);
      return err.code;
    }
    if (err instanceof ConnectError && (cmd.name === 'run' || cmd.name === 'create' || cmd.name.endsWith(' run') || cmd.name.endsWith(' create'))) {
      ctx.err(`${PROG}: ${err.message}\n\nRun '${PROG} ${cmd.name} --help' for more information\n`);
      return 125;
    }
    ctx.err(`${describe(err)}\n`);
    return 1;
  }
}

function flush(stream: NodeJS.WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.writableLength === 0) resolve();
    else stream.write('', () => resolve());
  });
}

async function main(): Promise<void> {
  const code = await dispatch(process.argv.slice(2)).catch((err: unknown) => {
    output('stderr').write(`${describe(err)}\n`);
    return 1;
  });
  await Promise.all([...touched].map(flush));
  process.exit(code);
}

void main();
