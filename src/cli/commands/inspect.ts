import { ApiError } from '../../client/errors.js';
import { StatusError, describe, helpFlag, type CommandDef, type Ctx } from '../command.js';
import { Template } from '../format/template.js';

type Kind = 'container' | 'image';

async function fetchOne(ctx: Ctx, name: string, kinds: Kind[], size: boolean): Promise<unknown> {
  const client = ctx.client();
  for (const kind of kinds) {
    try {
      if (kind === 'container') return await client.containerInspect(name, { size });
      return await client.imageInspectRaw(name);
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 404) || kinds.length === 1) throw err;
    }
  }
  return undefined;
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
export async function inspectObjects(ctx: Ctx, names: string[], opts: { kinds: Kind[]; format?: string; size: boolean }): Promise<number> {
  const tmpl = opts.format === undefined || opts.format === '' || opts.format === 'json' ? undefined : new Template(opts.format);
  const found: unknown[] = [];
  const errors: string[] = [];
  for (const name of names) {
    let obj: unknown;
    try {
      obj = await fetchOne(ctx, name, opts.kinds, opts.size);
    } catch (err) {
      errors.push(describe(err));
      continue;
    }
    if (obj === undefined) {
      errors.push(`Error: No such object: ${name}`);
      continue;
    }
    if (tmpl !== undefined) withNilPointers(obj);
    if (tmpl !== undefined) ctx.out(`${tmpl.execute(obj)}\n`);
    else found.push(obj);
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
    const type = p.str('type');
    if (type !== undefined && type !== '' && type !== 'container' && type !== 'image') {
      throw new StatusError(1, `"${type}" is not a valid value for --type`);
    }
    const kinds: Kind[] = type === 'container' || type === 'image' ? [type] : ['container', 'image'];
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
