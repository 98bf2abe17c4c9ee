import { createWriteStream } from 'node:fs';
import { fsp } from '../../core/builtin.js';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crypto } from '../../core/builtin.js';
import { helpFlag, StatusError, type CommandDef } from '../command.js';

/** docker export: the container's filesystem as a tar, to stdout (not a terminal) or `-o FILE`. */
export const exportCmd: CommandDef = {
  name: 'export',
  usage: 'export [OPTIONS] CONTAINER',
  short: "Export a container's filesystem as a tar archive",
  flags: [
    { name: 'output', short: 'o', kind: 'string', help: 'Write to a file, instead of STDOUT' },
    helpFlag,
  ],
  args: { exact: 1 },
  async run(ctx, p, args) {
    const output = p.str('output') ?? '';
    if (output === '' && ctx.stdout.isTTY === true) {
      throw new StatusError(1, 'cowardly refusing to save to a terminal. Use the -o flag or redirect');
    }
    if (output !== '') await validateOutputPath(output);
    const res = await ctx.client().containerExport(args[0]!);
    if (output === '') await pipeline(res, ctx.stdout);
    else await copyToFile(output, res);
    return 0;
  },
};

/** Go's text for the errno codes an output path check meets. */
const ERRNO_TEXT: Record<string, string> = {
  ENOENT: 'no such file or directory', ENOTDIR: 'not a directory', EACCES: 'permission denied',
  ELOOP: 'too many levels of symbolic links', ENAMETOOLONG: 'file name too long',
};

function goStatError(op: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return `${op} ${path}: ${ERRNO_TEXT[code] ?? (err as Error).message}`;
}

/** moby/sys atomicwriter's validateDestination, with its wording (docker export -o in CLI v28). */
async function validateOutputPath(path: string): Promise<void> {
  const fail = (msg: string): never => {
    throw new StatusError(1, `failed to export container: ${msg}`);
  };
  const dir = dirname(path);
  if (dir !== '.' && dir !== '..') {
    const st = await fsp().stat(dir).catch((err: unknown) => fail(`invalid output path: ${goStatError('stat', dir, err)}`));
    if (!st.isDirectory()) fail(`invalid output path: stat ${dir}: not a directory`);
  }
  let st;
  try {
    st = await fsp().lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    return fail(`failed to stat output path: ${goStatError('lstat', path, err)}`);
  }
  const kind = st.isDirectory() ? 'a directory' : st.isSymbolicLink() ? 'a symbolic link directly' : st.isFIFO() ? 'a named pipe (FIFO)'
    : st.isSocket() ? 'a socket' : st.isCharacterDevice() ? 'a character device file' : st.isBlockDevice() ? 'a block device file'
      : st.mode & 0o4000 ? 'a setuid file' : st.mode & 0o2000 ? 'a setgid file' : st.mode & 0o1000 ? 'a sticky bit file' : undefined;
  if (kind !== undefined) fail(`cannot write to ${kind}`);
}

/**
 * atomicwriter's New + Close: a temp file next to the target, made 0600 and renamed over it once
 * the whole archive is in (nothing is replaced when the transfer fails).
 */
async function copyToFile(path: string, src: Readable): Promise<void> {
  const tmp = join(dirname(resolve(path)), `.tmp-${basename(path)}${crypto().randomBytes(5).toString('hex')}`);
  try {
    await pipeline(src, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
    await fsp().chmod(tmp, 0o600);
    await fsp().rename(tmp, path);
  } finally {
    await fsp().rm(tmp, { force: true });
  }
}
