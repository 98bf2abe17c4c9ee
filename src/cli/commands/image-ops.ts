import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { forEachArg, helpFlag, StatusError, type CommandDef } from '../command.js';
import { displayProgress } from '../io/progress.js';

export const rmi: CommandDef = {
  name: 'rmi',
  usage: 'rmi [OPTIONS] IMAGE [IMAGE...]',
  short: 'Remove one or more images',
  flags: [
    { name: 'force', short: 'f', kind: 'bool', help: 'Force removal of the image' },
    { name: 'no-prune', kind: 'bool', help: 'Do not delete untagged parents' },
    { name: 'platform', kind: 'list', help: 'Remove only the given platform variant' },
    helpFlag,
  ],
  args: { min: 1 },
  run: (ctx, p, args) => forEachArg(ctx, args, async (name) => {
    const items = await ctx.client().imageRemove(name, { force: p.bool('force'), noprune: p.bool('no-prune') });
    for (const i of items) ctx.out('Untagged' in i ? `Untagged: ${i.Untagged}\n` : `Deleted: ${i.Deleted}\n`);
    return undefined;
  }),
};

export const tag: CommandDef = {
  name: 'tag',
  usage: 'tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]',
  short: 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE',
  flags: [helpFlag],
  args: { exact: 2 },
  async run(ctx, _p, args) {
    const [source, target] = args as [string, string];
    let repo = target;
    let t: string | undefined;
    const at = repo.indexOf('@');
    if (at >= 0) throw new StatusError(1, 'refusing to create a tag with a digest reference');
    const colon = repo.lastIndexOf(':');
    if (colon > repo.lastIndexOf('/')) {
      t = repo.slice(colon + 1);
      repo = repo.slice(0, colon);
    }
    await ctx.client().imageTag(source, repo, t ?? 'latest');
    return 0;
  },
};

function openInput(path: string | undefined, stdin: NodeJS.ReadStream): Readable {
  if (path === undefined || path === '' || path === '-') return stdin;
  const s = createReadStream(path);
  return s;
}

export const load: CommandDef = {
  name: 'load',
  usage: 'load [OPTIONS]',
  short: 'Load an image from a tar archive or STDIN',
  flags: [
    { name: 'input', short: 'i', kind: 'string', help: 'Read from tar archive file, instead of STDIN' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Suppress the load output' },
    { name: 'platform', kind: 'list', help: 'Load only the given platform variant' },
    helpFlag,
  ],
  args: { none: true },
  async run(ctx, p) {
    const file = p.str('input');
    if ((file === undefined || file === '') && ctx.stdin.isTTY === true) {
      throw new StatusError(1, 'requested load from stdin, but stdin is empty');
    }
    const input = openInput(file, ctx.stdin);
    const opened = new Promise<void>((resolve, reject) => {
      if (input === ctx.stdin) resolve();
      else {
        input.once('open', () => resolve());
        input.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`open ${file}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`)));
      }
    });
    await opened;
    const quiet = p.bool('quiet') || ctx.stdout.isTTY !== true;
    const res = await ctx.client().imageLoad(input, { quiet });
    await displayProgress(res, ctx.stdout, ctx.stdout.isTTY === true);
    return 0;
  },
};

export const importCmd: CommandDef = {
  name: 'import',
  usage: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
  short: 'Import the contents from a tarball to create a filesystem image',
  flags: [
    { name: 'change', short: 'c', kind: 'list', help: 'Apply Dockerfile instruction to the created image' },
    { name: 'message', short: 'm', kind: 'string', help: 'Set commit message for imported image' },
    { name: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
    helpFlag,
  ],
  args: { min: 1, max: 2 },
  async run(ctx, p, args) {
    const [source, ref] = args as [string, string | undefined];
    let repo: string | undefined;
    let t: string | undefined;
    if (ref !== undefined) {
      repo = ref;
      const colon = ref.lastIndexOf(':');
      if (colon > ref.lastIndexOf('/')) {
        repo = ref.slice(0, colon);
        t = ref.slice(colon + 1);
      }
    }
    const isUrl = /^https?:\/\//.test(source);
    let body: Readable | undefined;
    if (!isUrl) {
      body = openInput(source, ctx.stdin);
      if (body !== ctx.stdin) {
        await new Promise<void>((resolve, reject) => {
          body!.once('open', () => resolve());
          body!.once('error', (err: NodeJS.ErrnoException) => reject(new Error(`open ${source}: ${err.code === 'ENOENT' ? 'no such file or directory' : err.message}`)));
        });
      }
    }
    const res = await ctx.client().imageImport(body, {
      fromSrc: isUrl ? source : '-',
      ...(repo === undefined ? {} : { repo }),
      ...(t === undefined ? {} : { tag: t }),
      ...(p.has('message') ? { message: p.str('message')! } : {}),
      ...(p.has('platform') ? { platform: p.str('platform')! } : {}),
      changes: p.list('change'),
    });
    await displayProgress(res, ctx.stdout, ctx.stdout.isTTY === true);
    return 0;
  },
};
