/**
 * One Dockerfile instruction of a stage, executed as Docker's classic builder does: metadata
 * instructions commit a config-only image, RUN runs a container and commits its changes,
 * COPY/ADD/WORKDIR edit a rootfs and commit it. Every step's result is a (dangling) image found
 * again through the build cache.
 */
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { EngineError, invalidArgument, notImplemented } from '../core/index.js';
import {
  advanceScope, applyMetadata, buildArgPrefix, commandArgv, expandInstruction, instructionComment, isUrl, normalizeDest,
  nopCreatedBy, parseChmod, resolveRunCommand, resolveRunMounts, runEnvironment, shellOf, SourceHasher, stepCacheKey,
  type ConfigState, type Instruction, type RunMount, type StageScope, type EscapeToken,
} from '../build/index.js';
import { layerTar, type ImageRecord } from '../image/index.js';
import type { ContainerConfig, MountSpec } from '../protocol/index.js';
import { resolveUser } from '../runtime/index.js';
import type { CacheFromSources } from './build-cache-from.js';
import type { BuildCacheIndex } from './build-cache.js';
import { copyFromContext, hashContextSources, inMemory, resolveContextSources, type ContextSource } from './build-context-copy.js';
import type { BuildContext } from './build-context.js';
import {
  addUrl, copySources, mkdirIn, resolveInRoot, resolveSources, writeInline, type CopyAttrs, type ResolvedSource, type SourceRoot,
} from './build-copy.js';
import { commitStep, fileStepContainer, removeStepContainer, runContainer, short, type StepDeps } from './build-run.js';

/** A failed RUN: Docker's message, and the command's exit code for the client. */
export class BuildRunError extends EngineError {
  constructor(readonly argv: readonly string[], readonly exitCode: number) {
    super('internal', `The command '${argv.join(' ')}' returned a non-zero code: ${exitCode}`);
    this.name = 'BuildRunError';
  }
}

/** The state of a stage between instructions. */
export interface StageState {
  /** '' while the stage is `FROM scratch` with nothing committed yet. */
  imageId: string;
  image: ImageRecord | undefined;
  cs: ConfigState;
  scope: StageScope;
}

/** Everything a step needs from its build. */
export interface StepEnv {
  readonly deps: StepDeps;
  readonly cache: BuildCacheIndex;
  readonly context: BuildContext;
  readonly tmpDir: string;
  readonly noCache: boolean;
  readonly rm: boolean;
  readonly forceRm: boolean;
  readonly networkMode: string;
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly globals: ReadonlyMap<string, string>;
  readonly secrets: ReadonlyMap<string, Buffer>;
  readonly escape: EscapeToken;
  readonly fileName: string;
  readonly out: (text: string) => void;
  /** `cachefrom` images, consulted on a cache index miss. */
  readonly cacheFrom?: CacheFromSources;
  /** The rootfs source of `COPY --from` / `RUN --mount=from`: a stage's result or an image. */
  readonly fromImage: (name: string) => Promise<ImageRecord>;
  readonly signal?: AbortSignal;
}

const META = new Set(['ENV', 'LABEL', 'EXPOSE', 'VOLUME', 'USER', 'CMD', 'ENTRYPOINT', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ARG', 'ONBUILD', 'MAINTAINER']);

/** Runs one instruction (expanded here unless `raw`); returns the stage state after it. */
export async function execStep(env: StepEnv, st: StageState, instr: Instruction, o: { raw?: boolean } = {}): Promise<StageState> {
  const opts = { escape: env.escape, fileName: env.fileName };
  const e = o.raw ? instr : expandInstruction(instr, st.scope.vars, opts);
  const scope = advanceScope(st.scope, [instr], { buildArgs: env.buildArgs, globals: env.globals, ...opts });
  const cs = applyMetadata(st.cs, e, scope, opts);
  const next = { ...st, cs, scope };
  const shell = shellOf(st.cs.config);
  if (META.has(e.kind)) {
    const comment = instructionComment(e);
    return commitCached(env, next, { text: nopCreatedBy(shell, comment), args: scope.args, extra: [JSON.stringify(cs.config)] }, () =>
      commitImage(env, next, nopCreatedBy(shell, comment), undefined));
  }
  switch (e.kind) {
    case 'WORKDIR': {
      const dir = cs.config.WorkingDir ?? '/';
      const createdBy = nopCreatedBy(shell, `WORKDIR ${dir}`);
      return commitCached(env, next, { text: createdBy, args: scope.args, extra: [JSON.stringify(cs.config)] }, () =>
        fileStep(env, next, createdBy, async (root) => void await mkdirIn(root, dir)));
    }
    case 'RUN':
      return runStep(env, st, next, e);
    case 'COPY':
    case 'ADD':
      return copyStep(env, next, e);
    default:
      throw invalidArgument(`unexpected ${e.kind} instruction`);
  }
}

/** Looks the step up in the cache; on a miss runs `make` (which returns the new image id) and records it. */
async function commitCached(
  env: StepEnv, st: StageState, key: { text: string; args: ReadonlyMap<string, string | undefined>; content?: string; extra?: string[] },
  make: () => Promise<string>,
): Promise<StageState> {
  const k = stepCacheKey({ parent: st.imageId, ...key });
  if (!env.noCache) {
    const hit = await env.cache.get(k);
    const image = hit ? await env.deps.images.get(hit).catch(() => undefined) : undefined;
    const found = image ?? await env.cacheFrom?.lookup(st.image, key.text, st.cs.config, env.signal ? { signal: env.signal } : {});
    if (found) {
      if (!image) await env.cache.set(k, found.id);
      env.out(' ---> Using cache\n');
      env.out(` ---> ${short(found.id)}\n`);
      return { ...st, imageId: found.id, image: found };
    }
  }
  const id = await make();
  const image = await env.deps.images.get(id);
  await env.cache.set(k, id);
  env.out(` ---> ${short(id)}\n`);
  return { ...st, imageId: id, image };
}

/** A config-only image (no layer). */
function commitImage(env: StepEnv, st: StageState, createdBy: string, containerId: string | undefined): Promise<string> {
  const shell = shellOf(st.cs.config);
  return env.deps.images.commit({
    parent: st.imageId,
    layer: () => layerTarOfNothing(),
    config: st.cs.config,
    containerConfig: { ...st.cs.config, Cmd: [...shell, createdBy.slice(shell.join(' ').length + 1)] },
    containerId: containerId ?? '',
    createdBy,
    ...(st.cs.author ? { author: st.cs.author } : {}),
    ...(env.signal ? { signal: env.signal } : {}),
  });
}

/** A tar with no members (two zero blocks): the commit records an empty layer. */
function layerTarOfNothing(): Readable {
  return Readable.from([Buffer.alloc(1024)]);
}

/** Edits the stage's rootfs with `op` and commits the result. */
async function fileStep(env: StepEnv, st: StageState, createdBy: string, op: (rootfs: string) => Promise<void>): Promise<string> {
  const { deps } = env;
  const shell = shellOf(st.cs.config);
  if (st.image && st.image.chainIds.length > 0) {
    const id = await fileStepContainer(deps, st.image, { ...st.cs.config, Cmd: [...shell, createdBy.slice(shell.join(' ').length + 1)] });
    try {
      await deps.engine.withRootfs(id, (root) => op(root));
      return await commitStep(deps, id, { parent: st.imageId, config: st.cs.config, createdBy, author: st.cs.author, signal: env.signal, adopt: true });
    } finally {
      await removeStepContainer(deps, id);
    }
  }
  const dir = await mkdtemp(join(env.tmpDir, 'rootfs-'));
  try {
    await op(dir);
    return await env.deps.images.commit({
      parent: st.imageId, layer: () => layerTar(dir), config: st.cs.config,
      containerConfig: { ...st.cs.config, Cmd: [...shell, createdBy.slice(shell.join(' ').length + 1)] },
      containerId: '', createdBy, ...(st.cs.author ? { author: st.cs.author } : {}), ...(env.signal ? { signal: env.signal } : {}),
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function runStep(env: StepEnv, before: StageState, st: StageState, run: Extract<Instruction, { kind: 'RUN' }>): Promise<StageState> {
  if (!st.image) throw invalidArgument('RUN cannot be used on a scratch image without layers: no such file or directory');
  const resolved = resolveRunCommand(run, { os: st.image.config.os });
  const argv = commandArgv(resolved.command, shellOf(st.cs.config));
  const mounts = resolveRunMounts(run, before.scope.vars, { escape: env.escape, fileName: env.fileName });
  const createdBy = [...buildArgPrefix(st.scope.args), ...argv].join(' ');
  const runEnv = runEnvironment(st.scope, env.buildArgs);
  const network = run.network === 'none' ? 'none' : run.network === 'host' ? 'host' : env.networkMode;
  // RUN --mount=type=bind,from=<stage|image>: the source's image id is part of the cache key
  const sources = new Map<RunMount, ImageRecord>();
  for (const m of mounts) {
    if (m.type === 'bind' && m.from) sources.set(m, await env.fromImage(m.from));
  }
  const extra = [JSON.stringify(runEnv), st.cs.config.User ?? '', st.cs.config.WorkingDir ?? '', JSON.stringify(run.mounts), network,
    JSON.stringify(resolved.files), ...[...sources.values()].map((i) => i.id)];
  return commitCached(env, st, { text: createdBy, args: st.scope.args, extra }, () => withMountSources(env, [...sources], async (roots) => {
    const work = await mkdtemp(join(env.tmpDir, 'run-'));
    let containerId: string | undefined;
    let ok = false;
    // cache mounts in use are left alone by a build cache prune
    const release: Array<() => void> = [];
    try {
      const specs = await runMounts(env, mounts, work, runEnv, roots, release);
      for (const f of resolved.files) {
        const host = join(work, `file-${specs.mounts.length}`);
        await writeFile(host, f.data, { mode: f.mode });
        specs.mounts.push({ Type: 'bind', Source: host, Target: f.path, ReadOnly: true });
        specs.scrub.push(f.path);
      }
      const { id, exitCode } = await runContainer(env.deps, {
        image: st.image!, argv, env: runEnv, config: { ...st.cs.config },
        // 'default' is the daemon's default bridge, or none when it runs without one (--bridge none), as for run
        networkMode: network,
        mounts: specs.mounts, scrub: specs.scrub,
        onStarted: (cid) => {
          containerId = cid;
          env.out(` ---> Running in ${short(cid)}\n`);
        },
        onOutput: env.out,
        ...(env.signal ? { signal: env.signal } : {}),
      });
      if (exitCode !== 0) throw new BuildRunError(argv, exitCode);
      const newId = await commitStep(env.deps, id, { parent: st.imageId, config: st.cs.config, createdBy, author: st.cs.author, signal: env.signal });
      ok = true;
      return newId;
    } finally {
      if (containerId && (env.forceRm || (ok && env.rm))) {
        await removeStepContainer(env.deps, containerId);
        env.out(`Removing intermediate container ${short(containerId)}\n`);
      }
      for (const r of release) r();
      await rm(work, { recursive: true, force: true });
    }
  }));
}

/**
 * Runs `fn` with the root filesystem of each mount's source stage or image mounted on the host
 * (a never-started container of it, removed afterwards: writes through `rw` are thrown away, as
 * BuildKit does). An image without layers is an empty directory.
 */
async function withMountSources<T>(env: StepEnv, sources: Array<[RunMount, ImageRecord]>, fn: (roots: Map<RunMount, string>) => Promise<T>, roots = new Map<RunMount, string>()): Promise<T> {
  const [first, ...rest] = sources;
  if (!first) return fn(roots);
  const [mount, image] = first;
  if (image.chainIds.length === 0) {
    const empty = await mkdtemp(join(env.tmpDir, 'from-'));
    try {
      return await withMountSources(env, rest, fn, new Map(roots).set(mount, empty));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  }
  const id = await fileStepContainer(env.deps, image, { Cmd: ['/bin/sh'] });
  try {
    return await env.deps.engine.withRootfs(id, (root) => withMountSources(env, rest, fn, new Map(roots).set(mount, root)));
  } finally {
    await removeStepContainer(env.deps, id);
  }
}

/** HostConfig.Mounts for RUN --mount: cache dirs, binds of the context or of a stage/image, secrets, tmpfs. */
async function runMounts(
  env: StepEnv, mounts: readonly RunMount[], work: string, runEnv: string[], fromRoots: ReadonlyMap<RunMount, string>,
  release: Array<() => void>,
): Promise<{ mounts: MountSpec[]; scrub: string[] }> {
  const out: MountSpec[] = [];
  const scrub: string[] = [];
  for (const m of mounts) {
    switch (m.type) {
      case 'cache': {
        if (!m.target) throw invalidArgument('mount target required for cache mounts');
        const dir = env.cache.mountDir(m.id ?? m.target);
        release.push(env.cache.useMount(dir)); // before it exists: a prune meanwhile leaves it
        await mkdir(dir, { recursive: true, mode: m.mode ?? 0o755 });
        out.push({ Type: 'bind', Source: dir, Target: m.target, ReadOnly: m.readOnly });
        break;
      }
      case 'bind': {
        if (!m.target) throw invalidArgument('mount target required for bind mounts');
        const root = m.from ? fromRoots.get(m) : (await env.context.materialize()).dir;
        if (root === undefined) throw invalidArgument(`RUN --mount: no filesystem for from=${m.from ?? ''}`);
        out.push({ Type: 'bind', Source: await resolveInRoot(root, m.source ?? '/'), Target: m.target, ReadOnly: m.readOnly });
        break;
      }
      case 'secret': {
        const id = m.id ?? (m.target ?? m.source ?? '').split('/').filter(Boolean).at(-1) ?? '';
        const data = env.secrets.get(id);
        if (data === undefined) {
          if (m.required) throw invalidArgument(`secret ${id}: not found`);
          break;
        }
        const file = join(work, `secret-${out.length}`);
        await writeFile(file, data, { mode: m.mode ?? 0o400 });
        if (m.env) runEnv.push(`${m.env}=${data.toString('utf8')}`);
        if (m.env && !m.target) break;
        const target = m.target ?? `/run/secrets/${id}`;
        out.push({ Type: 'bind', Source: file, Target: target, ReadOnly: true });
        scrub.push(target);
        break;
      }
      case 'tmpfs':
        if (!m.target) throw invalidArgument('mount target required for tmpfs mounts');
        out.push({ Type: 'tmpfs', Target: m.target, ...(m.size ? { TmpfsOptions: { SizeBytes: m.size } } : {}) });
        break;
      case 'ssh':
        throw notImplemented('RUN --mount=type=ssh is not supported by the berth builder');
    }
  }
  return { mounts: out, scrub };
}

async function copyStep(env: StepEnv, st: StageState, c: Extract<Instruction, { kind: 'COPY' | 'ADD' }>): Promise<StageState> {
  const workdir = st.cs.config.WorkingDir ?? '/';
  const dest = normalizeDest(workdir, c.dest);
  const from = c.kind === 'COPY' ? c.from : undefined;
  const mode = c.chmod === undefined ? undefined : parseChmod(c.chmod);
  if (c.chmod !== undefined && mode === undefined) throw invalidArgument(`invalid chmod parameter: ${c.chmod}`);
  const hasher = new SourceHasher();
  let fromImage: ImageRecord | undefined;
  let sources: ContextSource[] = [];
  const urls = c.kind === 'ADD' ? c.sources.filter(isUrl) : [];
  const local = c.sources.filter((s) => !urls.includes(s));
  if (from !== undefined) {
    fromImage = await env.fromImage(from);
    hasher.bytes('from', fromImage.id);
    for (const s of local) hasher.bytes('src', s);
  } else {
    for (const s of local) sources.push(...resolveContextSources(env.context, s, c.kind));
    if (local.length > 0 && sources.length === 0) throw invalidArgument(`${c.kind} failed: no source files were specified`);
    hashContextSources(env.context, sources, hasher);
  }
  for (const u of urls) hasher.bytes('url', u);
  for (const i of c.inline) hasher.bytes(i.path, i.data);
  const digest = hasher.digest();
  const count = local.length + urls.length + c.inline.length;
  const kindWord = count > 1 ? 'multi' : sources[0]?.isDir ? 'dir' : 'file';
  const createdBy = nopCreatedBy(shellOf(st.cs.config), `${c.kind} ${kindWord}:${digest} in ${dest} `);
  const extra = [c.chown ?? '', c.chmod ?? '', JSON.stringify(st.cs.config)];
  return commitCached(env, st, { text: createdBy, args: st.scope.args, content: digest, extra }, () =>
    fileStep(env, st, createdBy, async (root) => {
      const attrs: CopyAttrs = { owner: await owner(root, c.chown), ...(mode !== undefined ? { mode } : {}) };
      const extract = c.kind === 'ADD';
      if (fromImage) {
        const fromId = await fileStepContainer(env.deps, fromImage, { Cmd: ['/bin/sh'] });
        try {
          await env.deps.engine.withRootfs(fromId, async (fromRoot) => {
            const sroot: SourceRoot = { dir: fromRoot, isContext: false };
            const found: ResolvedSource[] = [];
            for (const s of local) found.push(...(await resolveSources(sroot, s, c.kind)));
            await copySources(root, sroot, found, dest, { kind: c.kind, attrs, extract: false });
          });
        } finally {
          await removeStepContainer(env.deps, fromId);
        }
      } else if (sources.length > 0 && !extract && inMemory(env.context, sources)) {
        await copyFromContext(root, env.context, sources, dest, attrs);
      } else if (sources.length > 0) {
        // ADD (archives are unpacked) or content over the memory budget: from the extracted context
        const disk = await env.context.materialize();
        const found: ResolvedSource[] = [];
        for (const s of local) found.push(...(await resolveSources(disk, s, c.kind)));
        await copySources(root, disk, found, dest, { kind: c.kind, attrs, extract });
      }
      for (const u of urls) await addUrl(root, u, dest, attrs, env.signal);
      for (const i of c.inline) await writeInline(root, dest, i.path, i.data, attrs);
    }));
}

/** `--chown` resolved with the image's passwd and group files; root without it. */
async function owner(root: string, chown: string | undefined): Promise<{ uid: number; gid: number }> {
  if (!chown) return { uid: 0, gid: 0 };
  const read = async (p: string): Promise<string | undefined> => readFile(await resolveInRoot(root, p), 'utf8').catch(() => undefined);
  const u = resolveUser(chown, await read('/etc/passwd'), await read('/etc/group'));
  return { uid: u.uid, gid: u.gid };
}

/** The config a stage starts with from its base image (ONBUILD triggers are run by the caller). */
export function baseConfig(image: ImageRecord | undefined): ContainerConfig {
  return structuredClone(image?.config.config ?? {});
}
