/**
 * Parsed nodes → typed instructions, with Docker's argument checks and messages (BuildKit
 * frontend/dockerfile/instructions/parse.go). Errors are ParseError:
 * "dockerfile parse error on line N: <detail>".
 */
import { ParseError, Problem } from './errors.js';
import { parseFlags, noFlags } from './flags.js';
import type { NodeArgs } from './line-parsers.js';
import { chompHeredocContent, parseDockerfileAst, parseHeredocWord, type DockerfileAst, type DockerfileNode, type Heredoc } from './parser.js';
import { mountFrom } from './run-mount.js';
import { trimSpace, withSuggestion } from './text.js';
import { parseGoDuration } from './units.js';
import {
  INSTRUCTION_KINDS, type AddInstruction, type ArgInstruction, type CommandLine, type CopyInstruction, type FromInstruction,
  type Healthcheck, type HealthcheckInstruction, type InlineSource, type Instruction, type KeyValue, type OnbuildInstruction,
  type RunInstruction, type RunNetwork, type RunSecurity,
} from './instruction-types.js';

export * from './instruction-types.js';

/** What every parser of one instruction receives. */
interface Request {
  readonly node: DockerfileNode;
  readonly args: readonly string[];
  readonly json: boolean;
  readonly base: { original: string; startLine: number; endLine: number };
}

/**
 * Converts one node into a typed instruction. Throws ParseError with Docker's messages
 * ("unknown instruction: FOO", "FROM requires either one or three arguments", …).
 */
export function parseInstruction(node: DockerfileNode, options: { fileName?: string } = {}): Instruction {
  try {
    return fromNode(node);
  } catch (err) {
    if (!(err instanceof Problem)) throw err;
    throw new ParseError(err.message, {
      fileName: options.fileName ?? 'Dockerfile',
      line: node.startLine,
      endLine: node.endLine,
      instruction: node.command.toUpperCase(),
    });
  }
}

/** Every node of a parsed Dockerfile as instructions, in order. Throws ParseError. */
export function parseInstructions(ast: DockerfileAst): Instruction[] {
  return ast.nodes.map((node) => parseInstruction(node, { fileName: ast.fileName }));
}

/**
 * Parses an ONBUILD trigger as Docker does when a child build runs it: a one-instruction
 * Dockerfile with the default escape token. Throws ParseError.
 */
export function parseOnbuildTrigger(expression: string): Instruction {
  const ast = parseDockerfileAst(expression, { fileName: 'ONBUILD trigger' });
  if (ast.nodes.length !== 1) {
    throw new ParseError('onbuild trigger should be a single expression', { fileName: ast.fileName, line: 0, endLine: 0, instruction: 'ONBUILD' });
  }
  return parseInstruction(ast.nodes[0]!, { fileName: ast.fileName });
}

/** Flattens node arguments as BuildKit's nodeArgs does. */
function flatArgs(args: NodeArgs): string[] {
  switch (args.form) {
    case 'none': return [];
    case 'json': case 'words': return [...args.values];
    case 'text': return [args.text];
    case 'pairs': return args.pairs.flatMap((p) => [p.key, p.value]);
    case 'healthcheck': return [args.type, ...flatArgs(args.command)];
    case 'instruction': return [args.line.command, ...flatArgs(args.line.args)];
  }
}

function isJson(args: NodeArgs): boolean {
  if (args.form === 'json') return true;
  return args.form === 'healthcheck' && args.command.form === 'json';
}

function fromNode(node: DockerfileNode): Instruction {
  const req: Request = {
    node, args: flatArgs(node.args), json: isJson(node.args),
    base: { original: trimSpace(node.original), startLine: node.startLine, endLine: node.endLine },
  };
  const parse = PARSERS[node.keyword];
  if (!parse) {
    throw new Problem(withSuggestion(`unknown instruction: ${node.command}`, node.command, INSTRUCTION_KINDS, false));
  }
  return parse(req);
}

const atLeastOne = (cmd: string): Problem => new Problem(`${cmd} requires at least one argument`);
const exactlyOne = (cmd: string): Problem => new Problem(`${cmd} requires exactly one argument`);
const noDestination = (cmd: string): Problem =>
  new Problem(`${cmd} requires at least two arguments, but only one was provided. Destination could not be determined`);

/** `--flag=` with an empty value counts as not set, as in Docker. */
const nonEmpty = (v: string | undefined): string | undefined => (v === '' ? undefined : v);

function commandLine(args: readonly string[], json: boolean): CommandLine {
  if (json) return { form: 'exec', args };
  return { form: 'shell', command: args.join(' ') };
}

function pairs(req: Request, cmd: string): KeyValue[] {
  const kv = req.node.args.form === 'pairs' ? req.node.args.pairs : [];
  if (kv.length === 0) throw atLeastOne(cmd);
  if (kv.some((p) => p.key === '')) throw new Problem(`${cmd} names can not be blank`);
  return kv.map((p) => ({ key: p.key, value: p.value }));
}

const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;

function parseFrom(req: Request): FromInstruction {
  const a = req.args;
  let stageName: string | undefined;
  if (a.length === 3 && a[1]!.toLowerCase() === 'as') {
    stageName = a[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw new Problem(`invalid name for build stage: ${JSON.stringify(a[2])}, name can't start with a number or contain symbols`);
    }
  } else if (a.length !== 1) {
    throw new Problem('FROM requires either one or three arguments');
  }
  const f = parseFlags(req.node.flags, { platform: 'string' });
  return { kind: 'FROM', ...req.base, image: a[0]!, stageName, platform: nonEmpty(f.platform) };
}

function parseRun(req: Request): RunInstruction {
  const f = parseFlags(req.node.flags, { mount: 'strings', network: 'string', security: 'string' });
  const network = f.network ?? 'default';
  if (!['default', 'none', 'host'].includes(network)) throw new Problem(`invalid network mode ${JSON.stringify(network)}`);
  const security = f.security ?? 'sandbox';
  if (!['sandbox', 'insecure'].includes(security)) throw new Problem(`security ${JSON.stringify(security)} is not valid`);
  for (const spec of f.mount) mountFrom(spec);
  return {
    kind: 'RUN', ...req.base,
    command: commandLine(req.args, req.json),
    heredocs: req.node.heredocs,
    mounts: f.mount,
    network: network as RunNetwork,
    security: security as RunSecurity,
  };
}

function sourcesAndDest(req: Request, cmd: string): { sources: string[]; inline: InlineSource[]; dest: string } {
  const dest = req.args[req.args.length - 1]!;
  if (parseHeredocWord(dest)) throw new Problem(`${cmd} cannot accept a heredoc as a destination`);
  const byName = new Map<string, Heredoc>(req.node.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const inline: InlineSource[] = [];
  for (const src of req.args.slice(0, -1)) {
    const doc = parseHeredocWord(src);
    if (!doc) {
      sources.push(src);
      continue;
    }
    const content = byName.get(doc.name)?.content ?? '';
    inline.push({ path: doc.name, data: doc.chomp ? chompHeredocContent(content) : content, expand: doc.expand });
  }
  return { sources, inline, dest };
}

function parseCopy(req: Request): CopyInstruction {
  if (req.args.length < 2) throw noDestination('COPY');
  const f = parseFlags(req.node.flags, {
    chown: 'string', from: 'string', chmod: 'string', link: 'bool', exclude: 'strings', parents: 'bool',
  });
  return {
    kind: 'COPY', ...req.base, ...sourcesAndDest(req, 'COPY'),
    from: nonEmpty(f.from), chown: nonEmpty(f.chown), chmod: nonEmpty(f.chmod),
    link: f.link ?? false, exclude: f.exclude, parents: f.parents ?? false,
  };
}

function parseAdd(req: Request): AddInstruction {
  if (req.args.length < 2) throw noDestination('ADD');
  const f = parseFlags(req.node.flags, {
    chown: 'string', chmod: 'string', link: 'bool', 'keep-git-dir': 'bool', checksum: 'string', unpack: 'bool', exclude: 'strings',
  });
  return {
    kind: 'ADD', ...req.base, ...sourcesAndDest(req, 'ADD'),
    chown: nonEmpty(f.chown), chmod: nonEmpty(f.chmod), link: f.link ?? false, exclude: f.exclude,
    keepGitDir: f['keep-git-dir'], checksum: nonEmpty(f.checksum), unpack: f.unpack,
  };
}

function parseOnbuild(req: Request): OnbuildInstruction {
  if (req.args.length === 0 || req.node.args.form !== 'instruction') throw atLeastOne('ONBUILD');
  noFlags(req.node.flags);
  const trigger = req.args[0]!.trim().toUpperCase();
  if (trigger === 'ONBUILD') throw new Problem('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new Problem(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = req.node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const doc of req.node.heredocs) expression += `\n${doc.content}${doc.name}`;
  let parsed: Instruction | null;
  try {
    parsed = parseOnbuildTrigger(expression);
  } catch {
    parsed = null;
  }
  return { kind: 'ONBUILD', ...req.base, expression, trigger: parsed };
}

function duration(value: string | undefined, flag: string): number {
  if (value === undefined || value === '') return 0;
  const ns = parseGoDuration(value);
  if (ns === 0) return 0;
  if (ns < 1e6) throw new Problem(`Interval ${JSON.stringify(flag)} cannot be less than 1ms`);
  return ns;
}

function parseHealthcheck(req: Request): HealthcheckInstruction {
  if (req.args.length === 0) throw atLeastOne('HEALTHCHECK');
  const type = req.args[0]!.toUpperCase();
  const rest = req.args.slice(1);
  if (type === 'NONE') {
    if (rest.length !== 0) throw new Problem('HEALTHCHECK NONE takes no arguments');
    return { kind: 'HEALTHCHECK', ...req.base, health: { type: 'none' } };
  }
  const f = parseFlags(req.node.flags, {
    interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string',
  });
  if (type !== 'CMD') throw new Problem(`Unknown type ${JSON.stringify(type)} in HEALTHCHECK (try CMD)`);
  const cmd = rest.length === 0 ? [] : req.json ? rest : [rest.join(' ')];
  if (cmd.length === 0) throw new Problem('Missing command after HEALTHCHECK CMD');
  let retries = 0;
  if (f.retries !== undefined && f.retries !== '') {
    if (!/^[+-]?[0-9]+$/.test(f.retries)) throw new Problem(`strconv.ParseInt: parsing ${JSON.stringify(f.retries)}: invalid syntax`);
    retries = Number.parseInt(f.retries, 10);
    if (retries > 2147483647 || retries < -2147483648) throw new Problem(`strconv.ParseInt: parsing ${JSON.stringify(f.retries)}: value out of range`);
    if (retries < 0) throw new Problem(`--retries cannot be negative (${retries})`);
  }
  const health: Healthcheck = {
    type: 'cmd',
    test: [req.json ? 'CMD' : 'CMD-SHELL', ...cmd],
    interval: duration(f.interval, 'interval'),
    timeout: duration(f.timeout, 'timeout'),
    startPeriod: duration(f['start-period'], 'start-period'),
    startInterval: duration(f['start-interval'], 'start-interval'),
    retries,
  };
  return { kind: 'HEALTHCHECK', ...req.base, health };
}

function parseArg(req: Request): ArgInstruction {
  if (req.args.length === 0) throw atLeastOne('ARG');
  const args = req.args.map((word) => {
    const eq = word.indexOf('=');
    if (eq < 0) return { key: word, value: undefined };
    if (eq === 0) throw new Problem('ARG names can not be blank');
    return { key: word.slice(0, eq), value: word.slice(eq + 1) };
  });
  return { kind: 'ARG', ...req.base, args };
}

function one(req: Request, cmd: string): string {
  if (req.args.length !== 1) throw exactlyOne(cmd);
  return req.args[0]!;
}

/** Instructions without flags whose record is built from the request alone. */
function flagless(build: (req: Request) => Instruction): (req: Request) => Instruction {
  return (req) => {
    noFlags(req.node.flags);
    return build(req);
  };
}

const PARSERS: Readonly<Record<string, (req: Request) => Instruction>> = {
  from: parseFrom,
  run: parseRun,
  cmd: flagless((req) => ({ kind: 'CMD', ...req.base, command: commandLine(req.args, req.json) })),
  entrypoint: flagless((req) => ({ kind: 'ENTRYPOINT', ...req.base, command: commandLine(req.args, req.json) })),
  env: flagless((req) => ({ kind: 'ENV', ...req.base, pairs: pairs(req, 'ENV') })),
  label: flagless((req) => ({ kind: 'LABEL', ...req.base, pairs: pairs(req, 'LABEL') })),
  arg: parseArg,
  expose: (req) => {
    if (req.args.length === 0) throw atLeastOne('EXPOSE');
    noFlags(req.node.flags);
    return { kind: 'EXPOSE', ...req.base, ports: [...req.args].sort() };
  },
  volume: (req) => {
    if (req.args.length === 0) throw atLeastOne('VOLUME');
    noFlags(req.node.flags);
    const paths = req.args.map((v) => v.trim());
    if (paths.includes('')) throw new Problem('VOLUME specified can not be an empty string');
    return { kind: 'VOLUME', ...req.base, paths };
  },
  user: (req) => {
    const user = one(req, 'USER');
    noFlags(req.node.flags);
    return { kind: 'USER', ...req.base, user };
  },
  workdir: (req) => {
    const path = one(req, 'WORKDIR');
    noFlags(req.node.flags);
    return { kind: 'WORKDIR', ...req.base, path };
  },
  copy: parseCopy,
  add: parseAdd,
  onbuild: parseOnbuild,
  stopsignal: (req) => ({ kind: 'STOPSIGNAL', ...req.base, signal: one(req, 'STOPSIGNAL') }),
  healthcheck: parseHealthcheck,
  shell: (req) => {
    noFlags(req.node.flags);
    if (req.args.length === 0) throw atLeastOne('SHELL');
    if (!req.json) throw new Problem('SHELL requires the arguments to be in JSON form');
    return { kind: 'SHELL', ...req.base, shell: req.args };
  },
  maintainer: (req) => {
    const maintainer = one(req, 'MAINTAINER');
    noFlags(req.node.flags);
    return { kind: 'MAINTAINER', ...req.base, maintainer };
  },
};

