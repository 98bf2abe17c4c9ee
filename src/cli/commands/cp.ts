/**
 * `berth cp` / `berth container cp`: docker/cli v28's cli/command/container/cp.go. The daemon
 * only stats, archives and extracts (`HEAD|GET|PUT /containers/{id}/archive`); where things land
 * and under which name is decided here from both sides' stat, as docker does.
 */
import { resolve } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import type { Client, ContainerPathStat } from '../../client/index.js';
import { copyRaw } from '../../client/index.js';
import { PROG, helpFlag, type CommandDef, type Ctx } from '../command.js';
import { humanSize } from '../format/units.js';
import {
  getRebaseName, goJoin, preserveTrailingDotOrSeparator, prepareArchiveCopy, splitCpArg, splitPathDirEntry, type CopyInfo,
} from './cp-paths.js';
import { copyInfoSourcePath, rebaseArchive, tarResource } from './cp-tar.js';
import { copyInfoDestinationPath, untarToHost, validateOutputPath } from './cp-untar.js';

/** Go's os.FileMode bits the copy looks at. */
const MODE_DIR = 2 ** 31;
const MODE_SYMLINK = 2 ** 27;
const MODE_DEVICE = 2 ** 26;
const MODE_IRREGULAR = 2 ** 19;

interface CpConfig {
  container: string;
  src: string;
  dst: string;
  followLink: boolean;
  copyUIDGID: boolean;
  quiet: boolean;
}

/** `cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-` and `cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`. */
export const cp: CommandDef = {
  name: 'cp',
  usage: `cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\t${PROG} cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`,
  short: 'Copy files/folders between a container and the local filesystem',
  flags: [
    { name: 'archive', short: 'a', kind: 'bool', help: 'Archive mode (copy all uid/gid information)' },
    { name: 'follow-link', short: 'L', kind: 'bool', help: 'Always follow symbol link in SRC_PATH' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached' },
    helpFlag,
  ],
  args: { exact: 2 },
  async run(ctx, p, args) {
    const [source = '', destination = ''] = args;
    if (source === '') throw new Error('source can not be empty');
    if (destination === '') throw new Error('destination can not be empty');
    const src = splitCpArg(source);
    const dst = splitCpArg(destination);
    if (src.container !== '' && dst.container !== '') throw new Error('copying between containers is not supported');
    if (src.container === '' && dst.container === '') throw new Error('must specify at least one container source');
    const cfg: CpConfig = {
      container: src.container || dst.container, src: src.path, dst: dst.path,
      followLink: p.bool('follow-link'), copyUIDGID: p.bool('archive'),
      // without -q, quiet unless stdout is a terminal. Not quiet means docker 28's summary line
      // only: its live progress checks a stream wrapper for a terminal, finds none, never draws.
      quiet: p.has('quiet') ? p.bool('quiet') : ctx.stdout.isTTY !== true,
    };
    if (src.container !== '') await copyFromContainer(ctx, ctx.client(), cfg);
    else await copyToContainer(ctx, ctx.client(), cfg);
    return 0;
  },
};

/** filepath.Abs keeping a trailing `/` or `/.`. */
function resolveLocalPath(path: string): string {
  return preserveTrailingDotOrSeparator(resolve(path), path);
}

function isSymlink(stat: ContainerPathStat): boolean {
  return (stat.mode & MODE_SYMLINK) !== 0;
}

/** A symlink's target as the copy uses it: absolute, or joined to the link's directory. */
function linkPath(linkPathIn: string, stat: ContainerPathStat): string {
  return stat.linkTarget.startsWith('/') ? stat.linkTarget : goJoin(splitPathDirEntry(linkPathIn)[0], stat.linkTarget);
}

async function copyFromContainer(ctx: Ctx, client: Client, cfg: CpConfig): Promise<void> {
  let dstPath = cfg.dst;
  if (dstPath !== '-') dstPath = resolveLocalPath(dstPath);
  validateOutputPath(dstPath);
  let srcPath = cfg.src;
  let rebaseName = '';
  if (cfg.followLink) {
    const stat = await client.containerStatPath(cfg.container, srcPath).catch(() => undefined);
    if (stat !== undefined && isSymlink(stat)) ({ resolved: srcPath, rebaseName } = getRebaseName(srcPath, linkPath(srcPath, stat)));
  }
  const { stat, content } = await client.containerArchive(cfg.container, srcPath);
  if (dstPath === '-') {
    await copyRaw(content, ctx.stdout);
    return;
  }
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: stat.mode >= MODE_DIR, rebaseName };
  const counter = new ByteCounter();
  let archive: Readable = cfg.quiet ? content : content.pipe(counter);
  if (rebaseName !== '') archive = rebaseArchive(archive, splitPathDirEntry(srcPath)[1], rebaseName);
  if (cfg.quiet) {
    await copyTo(archive, srcInfo, dstPath);
    return;
  }
  const res = await copyTo(archive, srcInfo, dstPath).then(() => undefined, (err: unknown) => err);
  ctx.err(`Successfully copied ${humanSize(counter.total)} to ${dstPath}\n`);
  if (res !== undefined) throw res;
}

/** go-archive CopyTo: extract `content` (of `srcInfo`) so that it ends up as `dstPath`. */
async function copyTo(content: Readable, srcInfo: CopyInfo, dstPath: string): Promise<void> {
  try {
    const plan = prepareArchiveCopy(srcInfo, copyInfoDestinationPath(dstPath));
    const archive = plan.rebase ? rebaseArchive(content, plan.rebase.from, plan.rebase.to) : content;
    await untarToHost(archive, plan.dstDir);
  } catch (err) {
    content.destroy();
    throw err;
  }
}

async function copyToContainer(ctx: Ctx, client: Client, cfg: CpConfig): Promise<void> {
  const srcPath = cfg.src === '-' ? '-' : resolveLocalPath(cfg.src);
  const dstPath = cfg.dst;
  const dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let stat = await client.containerStatPath(cfg.container, dstPath).catch(() => undefined);
  if (stat !== undefined && isSymlink(stat)) {
    dstInfo.path = linkPath(dstPath, stat);
    stat = await client.containerStatPath(cfg.container, dstInfo.path).catch(() => undefined);
  }
  if (stat !== undefined) {
    const why = (stat.mode & MODE_DEVICE) !== 0 ? 'got a device' : (stat.mode & MODE_IRREGULAR) !== 0 ? 'got an irregular file' : '';
    if (why !== '') throw new Error(`destination "${cfg.container}:${dstPath}" must be a directory or a regular file: ${why}`);
    dstInfo.exists = true;
    dstInfo.isDir = stat.mode >= MODE_DIR;
  }
  let content: Readable;
  let resolvedDst: string;
  const counter = new ByteCounter();
  if (srcPath === '-') {
    content = ctx.stdin;
    resolvedDst = dstInfo.path;
    if (!dstInfo.isDir) throw new Error(`destination "${cfg.container}:${dstPath}" must be a directory`);
  } else {
    const srcInfo = copyInfoSourcePath(srcPath, cfg.followLink);
    const srcArchive = tarResource(srcInfo);
    let plan;
    try {
      plan = prepareArchiveCopy(srcInfo, dstInfo);
    } catch (err) {
      srcArchive.destroy();
      throw err;
    }
    resolvedDst = plan.dstDir;
    content = plan.rebase ? rebaseArchive(srcArchive, plan.rebase.from, plan.rebase.to) : srcArchive;
    if (!cfg.quiet) content = content.pipe(counter);
  }
  const opts = { copyUIDGID: cfg.copyUIDGID };
  if (cfg.quiet) {
    await client.copyToContainer(cfg.container, resolvedDst, content, opts);
    return;
  }
  const res = await client.copyToContainer(cfg.container, resolvedDst, content, opts).then(() => undefined, (err: unknown) => err);
  ctx.err(`Successfully copied ${humanSize(counter.total)} to ${cfg.container}:${dstInfo.path}\n`);
  if (res !== undefined) throw res;
}

/** Passes bytes through, counting them (docker's copyProgressPrinter). */
class ByteCounter extends Transform {
  total = 0;
  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null, data?: Buffer) => void): void {
    this.total += chunk.length;
    cb(null, chunk);
  }
}
