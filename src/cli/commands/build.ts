/**
 * `berth build [OPTIONS] PATH | URL | -` (docker/cli cli/command/image/build.go, classic builder):
 * the context directory is sent as a tar honouring .dockerignore (the Dockerfile and
 * .dockerignore always kept), a Dockerfile outside the context travels inside the tar under a
 * private name, `-` reads a tar or a bare Dockerfile from stdin; the daemon's messages are
 * printed as the classic builder prints them.
 */
import { createReadStream } from 'node:fs';
import { fsp } from '../../core/builtin.js';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import tar, { type Pack } from 'tar-stream';
import { crypto } from '../../core/builtin.js';
import { IgnoreMatcher, keepBuildFiles, parseDockerignore, type ParentMatches } from '../../build/index.js';
import { jsonLines } from '../../client/index.js';
import { helpFlag, StatusError, type CommandDef } from '../command.js';

export const build: CommandDef = {
  name: 'build',
  usage: 'build [OPTIONS] PATH | URL | -',
  short: 'Build an image from a Dockerfile',
  flags: [
    { name: 'tag', short: 't', kind: 'list', help: 'Name and optionally a tag in the "name:tag" format' },
    { name: 'file', short: 'f', kind: 'string', help: 'Name of the Dockerfile (Default is "PATH/Dockerfile")' },
    { name: 'build-arg', kind: 'list', help: 'Set build-time variables' },
    { name: 'label', kind: 'list', help: 'Set metadata for an image' },
    { name: 'target', kind: 'string', help: 'Set the target build stage to build.' },
    { name: 'no-cache', kind: 'bool', help: 'Do not use cache when building the image' },
    { name: 'pull', kind: 'bool', help: 'Always attempt to pull a newer version of the image' },
    { name: 'network', kind: 'string', help: 'Set the networking mode for the RUN instructions during build', defaultText: 'default' },
    { name: 'iidfile', kind: 'string', help: 'Write the image ID to the file' },
    { name: 'quiet', short: 'q', kind: 'bool', help: 'Suppress the build output and print image ID on success' },
    { name: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
    { name: 'rm', kind: 'bool', defaultTrue: true, help: 'Remove intermediate containers after a successful build' },
    { name: 'force-rm', kind: 'bool', help: 'Always remove intermediate containers' },
    { name: 'secret', kind: 'list', help: 'Secret to expose to the build (format: "id=mysecret[,src=/local/secret]")' },
    { name: 'progress', kind: 'string', help: 'Set type of progress output (accepted, the classic output is always used)' },
    { name: 'cache-from', kind: 'list', help: 'Images to consider as cache sources' },
    helpFlag,
  ],
  args: { exact: 1 },
  async run(ctx, p, args) {
    const target = args[0]!;
    if (/^(https?|git):\/\/|^git@|^github\.com\//.test(target)) {
      throw new StatusError(1, `unable to prepare context: remote build contexts (${target}) are not supported by berth`);
    }
    const file = p.str('file');
    let body: Readable;
    let dockerfile: string;
    if (target === '-') {
      ({ body, dockerfile } = await stdinContext(ctx.stdin, file));
    } else {
      ({ body, dockerfile } = await directoryContext(target, file, ctx.stdin));
    }
    const labels: Record<string, string> = {};
    for (const l of p.list('label')) {
      const eq = l.indexOf('=');
      labels[eq < 0 ? l : l.slice(0, eq)] = eq < 0 ? '' : l.slice(eq + 1);
    }
    const buildArgs: Record<string, string> = {};
    for (const a of p.list('build-arg')) {
      const eq = a.indexOf('=');
      if (eq >= 0) buildArgs[a.slice(0, eq)] = a.slice(eq + 1);
      else if (ctx.env[a] !== undefined) buildArgs[a] = ctx.env[a]!; // docker takes `--build-arg NAME` from the environment
    }
    const secrets = await readSecrets(p.list('secret'), ctx.env);
    const quiet = p.bool('quiet');
    const res = await ctx.client().imageBuild(body, {
      t: p.list('tag').length > 0 ? p.list('tag') : undefined,
      dockerfile,
      buildargs: JSON.stringify(buildArgs),
      labels: JSON.stringify(labels),
      target: p.str('target'),
      nocache: p.bool('no-cache') ? '1' : undefined,
      pull: p.bool('pull') ? '1' : undefined,
      rm: p.bool('rm') ? '1' : '0',
      forcerm: p.bool('force-rm') ? '1' : undefined,
      networkmode: p.str('network') ?? 'default',
      q: quiet ? '1' : undefined,
      platform: p.str('platform'),
      cachefrom: JSON.stringify(p.list('cache-from')),
      version: '1',
    }, secrets.size > 0 ? { 'X-Berth-Build-Secrets': Buffer.from(JSON.stringify(Object.fromEntries(secrets))).toString('base64') } : {});
    let id = '';
    for await (const m of jsonLines(res)) {
      if (m.errorDetail || m.error) {
        const code = m.errorDetail?.code ?? 0;
        throw new StatusError(code === 0 ? 1 : code, m.errorDetail?.message ?? m.error ?? 'build failed');
      }
      const aux = m.aux as { ID?: unknown } | undefined;
      if (aux && typeof aux.ID === 'string') id = aux.ID;
      if (!quiet && typeof m.stream === 'string') ctx.out(m.stream);
      else if (!quiet && typeof m.status === 'string') ctx.out(`${m.id ? `${m.id}: ` : ''}${m.status}${m.progress ? ` ${m.progress}` : ''}\n`);
    }
    if (quiet && id) ctx.out(`${id}\n`);
    const iidfile = p.str('iidfile');
    if (iidfile && id) await fsp().writeFile(iidfile, id);
    return 0;
  },
};

/** `--secret id=x,src=path` (also `source=`, `env=`): id → base64 content. */
async function readSecrets(specs: string[], env: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const spec of specs) {
    const fields = new Map(spec.split(',').map((f) => {
      const eq = f.indexOf('=');
      return [eq < 0 ? f : f.slice(0, eq), eq < 0 ? '' : f.slice(eq + 1)] as [string, string];
    }));
    const id = fields.get('id') ?? '';
    const src = fields.get('src') ?? fields.get('source');
    const envName = fields.get('env');
    if (id === '') throw new StatusError(1, `invalid secret ${spec}: id is required`);
    if (src) out.set(id, (await fsp().readFile(src)).toString('base64'));
    else if (envName ?? env[id] !== undefined) out.set(id, Buffer.from(env[envName ?? id] ?? '').toString('base64'));
    else throw new StatusError(1, `invalid secret ${spec}: src is required`);
  }
  return out;
}

/** The context from stdin: a tar (maybe compressed) as it is, or a Dockerfile wrapped in a tar. */
async function stdinContext(stdin: NodeJS.ReadStream, file: string | undefined): Promise<{ body: Readable; dockerfile: string }> {
  const chunks: Buffer[] = [];
  for await (const c of stdin) chunks.push(c as Buffer);
  const data = Buffer.concat(chunks);
  const isTar = (data[0] === 0x1f && data[1] === 0x8b) || data.subarray(257, 262).toString('latin1') === 'ustar'
    || (data[0] === 0x42 && data[1] === 0x5a && data[2] === 0x68) || (data[0] === 0xfd && data[1] === 0x37);
  if (isTar) return { body: bufferStream(data), dockerfile: file ?? 'Dockerfile' };
  const pack = tar.pack();
  pack.entry({ name: 'Dockerfile', mode: 0o644, mtime: new Date(), uid: 0, gid: 0 }, data);
  pack.finalize();
  return { body: toNode(pack), dockerfile: 'Dockerfile' };
}

function bufferStream(data: Buffer): Readable {
  const s = new PassThrough();
  s.end(data);
  return s;
}

function toNode(pack: Pack): Readable {
  const out = new PassThrough();
  pack.on('error', (err: Error) => out.destroy(err));
  pack.pipe(out);
  return out;
}

/**
 * A context directory as a tar: .dockerignore applied (keeping the Dockerfile and .dockerignore),
 * owners 0:0 as the docker CLI sends them; `-f` outside the directory (or `-f -`) is added as
 * `.dockerfile.<random>`.
 */
async function directoryContext(dir: string, file: string | undefined, stdin: NodeJS.ReadStream): Promise<{ body: Readable; dockerfile: string }> {
  const root = resolve(dir);
  const st = await fsp().stat(root).catch(() => undefined);
  if (!st) throw new StatusError(1, `unable to prepare context: path "${dir}" not found`);
  if (!st.isDirectory()) throw new StatusError(1, `unable to prepare context: context must be a directory: ${root}`);
  let extra: { name: string; data: Buffer } | undefined;
  let dockerfile: string;
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(c as Buffer);
    extra = { name: dockerfileName(), data: Buffer.concat(chunks) };
    dockerfile = extra.name;
  } else {
    const path = file === undefined ? join(root, 'Dockerfile') : isAbsolute(file) ? file : resolve(file);
    const rel = relative(root, path);
    if (rel.startsWith('..') || isAbsolute(rel)) {
      const data = await fsp().readFile(path).catch(() => {
        throw new StatusError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${path}: no such file or directory`);
      });
      extra = { name: dockerfileName(), data };
      dockerfile = extra.name;
    } else {
      if (!(await fsp().stat(path).catch(() => undefined))) {
        throw new StatusError(1, `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${path}: no such file or directory`);
      }
      dockerfile = rel.split(sep).join('/');
    }
  }
  const ignoreText = await fsp().readFile(join(root, '.dockerignore'), 'utf8').catch(() => '');
  const patterns = keepBuildFiles(parseDockerignore(ignoreText), extra ? 'Dockerfile' : dockerfile, { dockerfileFromStdin: extra !== undefined });
  const matcher = patterns.length > 0 ? new IgnoreMatcher(patterns) : undefined;
  const pack = tar.pack();
  const body = toNode(pack);
  void (async () => {
    try {
      await addDir(pack, root, '', matcher, undefined);
      if (extra) pack.entry({ name: extra.name, mode: 0o600, mtime: new Date(), uid: 0, gid: 0 }, extra.data);
      pack.finalize();
    } catch (err) {
      pack.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();
  return { body, dockerfile };
}

async function addDir(pack: Pack, root: string, rel: string, matcher: IgnoreMatcher | undefined, parents: ParentMatches | undefined): Promise<void> {
  const names = (await fsp().readdir(rel === '' ? root : join(root, rel))).sort();
  for (const name of names) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const abs = join(root, path);
    const st = await fsp().lstat(abs);
    const m = matcher?.matchWalk(path, parents);
    if (m?.ignored && (!st.isDirectory() || matcher!.canSkipDir(path))) continue;
    const common = { name: path, mode: st.mode & 0o7777, mtime: st.mtime, uid: 0, gid: 0 };
    if (st.isDirectory()) {
      if (!m?.ignored) await entry(pack, { ...common, type: 'directory' });
      await addDir(pack, root, path, matcher, m?.parents);
    } else if (st.isSymbolicLink()) {
      await entry(pack, { ...common, type: 'symlink', linkname: await fsp().readlink(abs) });
    } else if (st.isFile()) {
      await new Promise<void>((res, rej) => {
        const e = pack.entry({ ...common, type: 'file', size: st.size }, (err) => (err ? rej(err) : res()));
        const src = createReadStream(abs);
        src.on('error', rej);
        src.pipe(e as unknown as NodeJS.WritableStream);
      });
    }
  }
}

function entry(pack: Pack, header: Partial<tar.Header> & { name: string }): Promise<void> {
  return new Promise((res, rej) => {
    pack.entry(header, (err) => (err ? rej(err) : res()));
  });
}

/**
 * A name for a Dockerfile sent inside the context (from stdin or outside the context dir), as
 * docker's `.dockerfile.<random>`.
 */
function dockerfileName(): string {
  return `.dockerfile.${crypto().randomBytes(10).toString('hex')}`;
}
