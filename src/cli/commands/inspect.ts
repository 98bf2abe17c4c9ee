import { ApiError } from '../../client/errors.js';
import { StatusError, describe, helpFlag, type CommandDef, type Ctx } from '../command.js';
import { Template } from '../format/template.js';
import { networkInspect } from './network-api.js';

/** The object types berth can inspect, in docker's autodetection order. */
export type Kind = 'container' | 'image' | 'network' | 'volume';

/** The kinds `berth inspect` tries when no `--type` is given, in docker's order (swarm kinds and plugins do not exist in berth). */
const AUTODETECT: Kind[] = ['container', 'image', 'network', 'volume'];

/** Every `--type` docker accepts (cli/command/system/inspect.go allTypes). */
const ALL_TYPES = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

/** docker's isErrSkippable: try the next object type on these. */
function skippable(err: unknown): boolean {
  if (err instanceof ApiError && err.status === 404) return true;
  const m = err instanceof Error ? err.message : '';
  return m.includes('not supported') || m.includes('invalid reference format');
}

async function fetchOne(ctx: Ctx, name: string, kinds: Kind[], opts: { size: boolean; verbose: boolean }): Promise<unknown> {
  const client = ctx.client();
  for (const kind of kinds) {
    try {
      let obj: unknown;
      if (kind === 'container') obj = await client.containerInspect(name, { size: opts.size });
      else if (kind === 'image') obj = await client.imageInspectRaw(name);
      else if (kind === 'network') obj = await networkInspect(ctx, name, { verbose: opts.verbose });
      else obj = await client.volumeInspect(name);
      if (opts.size && kind !== 'container') ctx.err(`WARNING: --size ignored for ${kind}\n`);
      return obj;
    } catch (err) {
      if (!skippable(err) || kinds.length === 1) throw err;
    }
  }
  return undefined;
}

/** Go templates run on docker's typed structs, where `Id` is the field `ID`: offer both, hidden from JSON. */
function withGoFieldNames(obj: unknown): void {
  if (obj === null || typeof obj !== 'object' || !('Id' in obj) || 'ID' in obj) return;
  Object.defineProperty(obj, 'ID', { value: (obj as { Id: unknown }).Id, enumerable: false });
}

/** Go prints absent pointer fields (State.Health) as `<nil>`; give templates the same shape. */
function withNilPointers(obj: unknown): void {
  if (obj === null || typeof obj !== 'object') return;
  const state = (obj as { State?: Record<string, unknown> }).State;
  if (state !== undefined && state !== null && typeof state === 'object' && !('Health' in state)) state['Health'] = null;
}

function indentJson(values: unknown[]): string {
  if (values.length === 0) return '[]\n';
  return `${JSON.stringify(values, null, 4)}\n`;
}

/**
 * docker's inspect: JSON array indented 4 spaces, or `-f` per object; missing objects print
 * `Error: No such object: x` (or `No such container/image` for typed inspect) and exit 1.
 */
export async function inspectObjects(ctx: Ctx, names: string[], opts: { kinds: Kind[]; format?: string; size: boolean; verbose?: boolean }): Promise<number> {
  const tmpl = opts.format === undefined || opts.format === '' || opts.format === 'json' ? undefined : new Template(opts.format);
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    let obj: unknown;
    try {
      obj = opts.kinds.length === 0 ? undefined : await fetchOne(ctx, name, opts.kinds, { size: opts.size, verbose: opts.verbose === true });
    } catch (err) {
      errors.push(describe(err));
      continue;
    }
    if (obj === undefined) {
      errors.push(`Error: No such object: ${name}`);
      continue;
    }
    if (tmpl !== undefined) {
      withNilPointers(obj);
      withGoFieldNames(obj);
      ctx.out(`${tmpl.execute(obj)}\n`);
    } else found.push(obj);
  }
  if (tmpl === undefined) ctx.out(indentJson(found));
  if (errors.length > 0) throw new StatusError(1, errors.join('\n'));
  return 0;
}

const FLAGS = [
  { name: 'format', short: 'f', kind: 'string' as const, help: 'Format output using a custom template' },
  { name: 'size', short: 's', kind: 'bool' as const, help: 'Display total file sizes if the type is container' },
  helpFlag,
];

export const inspect: CommandDef = {
  name: 'inspect',
  usage: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
  short: 'Return low-level information on berth objects',
  flags: [...FLAGS, { name: 'type', kind: 'string', help: 'Only inspect objects of the given type' }],
  args: { min: 1 },
  run(ctx, p, args) {
    const type = p.str('type') ?? '';
    const valid = ALL_TYPES.map((t) => `"${t}"`).join(', ');
    if (p.has('type') && type === '') throw new StatusError(1, `type is empty: must be one of ${valid}`);
    if (type !== '' && !ALL_TYPES.includes(type)) throw new StatusError(1, `unknown type: "${type}": must be one of ${valid}`);
    // other docker types (plugin, swarm objects) do not exist in berth: "No such object"
    const kinds: Kind[] = type === '' ? AUTODETECT : AUTODETECT.filter((k) => k === type);
    return inspectObjects(ctx, args, { kinds, ...(p.has('format') ? { format: p.str('format')! } : {}), size: p.bool('size') });
  },
};

export const containerInspect: CommandDef = {
  name: 'container inspect',
  usage: 'container inspect [OPTIONS] CONTAINER [CONTAINER...]',
  short: 'Display detailed information on one or more containers',
  flags: FLAGS,
  args: { min: 1 },
  run: (ctx, p, args) => inspectObjects(ctx, args, { kinds: ['container'], ...(p.has('format') ? { format: p.str('format')! } : {}), size: p.bool('size') }),
};

export const imageInspect: CommandDef = {
  name: 'image inspect',
  usage: 'image inspect [OPTIONS] IMAGE [IMAGE...]',
  short: 'Display detailed information on one or more images',
  flags: FLAGS.filter((f) => f.name !== 'size'),
  args: { min: 1 },
  run: (ctx, p, args) => inspectObjects(ctx, args, { kinds: ['image'], ...(p.has('format') ? { format: p.str('format')! } : {}), size: false }),
};
