/**
 * The builder: `POST /build` with Docker's classic-builder behaviour and output. The context is
 * extracted, the Dockerfile parsed and planned (src/build), then the stages the target needs are
 * built, independent ones concurrently (build-schedule.ts), each instruction a step
 * (build-steps.ts) whose result image is cached; `cachefrom` images can satisfy lookups too.
 */
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { invalidArgument, type Logger } from '../core/index.js';
import {
  beginStage, DockerfileError, ParseError, parseDockerfile, parseOnbuildTrigger, planBuild, unusedBuildArgs,
  type BuildPlan, type Dockerfile, type Instruction, type LabelInstruction, type StageScope,
} from '../build/index.js';
import {
  familiarString, parseReference, withDefaultTag, type CommitImageService, type ImageRecord, type ImageReference,
} from '../image/index.js';
import type { ImageService, RegistryImageService } from '../image/types.js';
import type { JsonMessage } from '../protocol/index.js';
import { CacheFromSources } from './build-cache-from.js';
import { BuildCacheIndex } from './build-cache.js';
import { clearContexts, openContext, type BuildContext } from './build-context.js';
import { short } from './build-run.js';
import { runStages, type StageSlot } from './build-schedule.js';
import { baseConfig, execStep, type StageState, type StepEnv } from './build-steps.js';
import type { Engine } from './engine.js';

/** The options of one build (POST /build query). */
export interface BuildOptions {
  readonly dockerfile: string;
  readonly tags: readonly string[];
  readonly buildArgs: ReadonlyMap<string, string>;
  readonly labels: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly noCache: boolean;
  readonly pull: boolean;
  readonly rm: boolean;
  readonly forceRm: boolean;
  /** `networkmode`: default (bridge), none, host, or a network name. */
  readonly networkMode: string;
  readonly quiet: boolean;
  readonly platform?: string;
  /** `RUN --mount=type=secret` contents by id (berth's X-Berth-Build-Secrets). */
  readonly secrets: ReadonlyMap<string, Buffer>;
  /** `cachefrom`: images whose build history can satisfy cache lookups (Docker's classic builder). */
  readonly cacheFrom: readonly string[];
  readonly signal?: AbortSignal;
}

/** What a stage's run needs beyond its slot and step environment. */
interface StageContext {
  readonly df: Dockerfile;
  readonly plan: BuildPlan;
  readonly total: number;
  /** The request's labels, for the target stage only. */
  readonly labels: readonly [string, string][];
  readonly image: (ref: string) => Promise<ImageRecord>;
}

/** What the builder needs from the daemon. */
export interface BuilderDeps {
  readonly engine: Engine;
  readonly images: ImageService & RegistryImageService & CommitImageService;
  readonly logger: Logger;
  /** data-root/build-cache: the cache index, cache mounts and contexts being built. */
  readonly dir: string;
}

/** Builds images from Dockerfiles. */
export class Builder {
  private readonly cache: BuildCacheIndex;
  private cleared: Promise<void> | undefined;

  /** data-root/build-cache, next to the engine's containers directory. */
  static dirOf(engine: Engine): string {
    return join(dirname(dirname(engine.store.paths('build').dir)), 'build-cache');
  }

  constructor(private readonly d: BuilderDeps) {
    this.cache = new BuildCacheIndex(d.dir, d.logger);
  }

  /**
   * POST /build/prune: removes the `RUN --mount=type=cache` directories no running step uses (with
   * or without `all`: BuildKit counts them as unused cache either way) that `select` picks.
   */
  async prune(select?: (mount: { lastUsedMs: number }) => boolean): Promise<{ CachesDeleted: string[] | null; SpaceReclaimed: number }> {
    const { deleted, bytes } = await this.cache.pruneMounts(select);
    if (deleted.length > 0) this.d.logger.info('build cache pruned', { mounts: deleted.length, bytes });
    return { CachesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: bytes };
  }

  /**
   * Builds the context `body`; `emit` receives Docker's JSON messages. Returns the image id.
   * Throws before the first message for a bad request (no Dockerfile, parse error, bad tag),
   * so the API can answer with a status code; later failures are thrown too (RUN failures as
   * BuildRunError with the exit code).
   */
  async build(body: Readable, o: BuildOptions, emit: (m: JsonMessage) => void): Promise<string> {
    const tags = o.tags.map(parseTag);
    const contexts = join(this.d.dir, 'contexts');
    this.cleared ??= clearContexts(contexts);
    await this.cleared;
    const ctx = await openContext(contexts, body, o.dockerfile, o.signal);
    try {
      const df = parseDockerfile(ctx.dockerfile, { fileName: o.dockerfile || 'Dockerfile' });
      const plan = planBuild(df, { buildArgs: o.buildArgs, ...(o.target ? { target: o.target } : {}) });
      return await this.run(ctx, df, plan, tags, o, emit);
    } finally {
      await ctx.close();
    }
  }

  private async run(ctx: BuildContext, df: Dockerfile, plan: BuildPlan, tags: ImageReference[], o: BuildOptions, emit: (m: JsonMessage) => void): Promise<string> {
    const out = (text: string): void => {
      if (!o.quiet) emit({ stream: text });
    };
    const tmpDir = ctx.workDir;
    await mkdir(tmpDir, { recursive: true, mode: 0o700 });
    const labels = Object.entries(o.labels);
    const total = df.metaArgs.length + plan.order.reduce((n, i) => n + 1 + plan.stages[i]!.instructions.length, 0) + (labels.length > 0 ? 1 : 0);
    df.metaArgs.forEach((a, n) => out(`Step ${n + 1}/${total} : ${a.original}\n`));
    const cacheFrom = o.noCache || o.cacheFrom.length === 0 ? undefined : await CacheFromSources.open(o.cacheFrom, this.d.images);
    const pulls = new Map<string, Promise<ImageRecord>>();
    const image = (ref: string, to: (m: JsonMessage) => void): Promise<ImageRecord> => {
      let p = pulls.get(ref); // one lookup or pull per reference and build, however many stages use it
      if (!p) {
        p = this.image(ref, { pull: o.pull, quiet: o.quiet, emit: to, ...(o.platform ? { platform: o.platform } : {}) });
        pulls.set(ref, p);
      }
      return p;
    };
    const shared = {
      deps: this.d, cache: this.cache, context: ctx, tmpDir, noCache: o.noCache, rm: o.rm, forceRm: o.forceRm,
      networkMode: o.networkMode === '' || o.networkMode === 'default' ? 'default' : o.networkMode,
      buildArgs: o.buildArgs, globals: plan.globalArgs, secrets: o.secrets, escape: df.escape, fileName: df.fileName,
      ...(cacheFrom ? { cacheFrom } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
    };
    const stageEnv = (slot: StageSlot): StepEnv => ({
      ...shared,
      out: (text) => {
        if (!o.quiet) slot.lane({ stream: text });
      },
      fromImage: async (name) => {
        const stage = /^[0-9]+$/.test(name) ? plan.stages[Number(name)] : plan.stages.find((s) => s.name === name.toLowerCase());
        if (!stage) return image(name, slot.lane);
        const r = stage.index === slot.index ? undefined : await slot.tasks.get(stage.index);
        if (!r?.image) throw invalidArgument(`stage ${name} has no filesystem to copy from`);
        return r.image;
      },
    });
    try {
      const last = await runStages(plan, emit, {
        firstStep: df.metaArgs.length,
        stage: (slot) => this.stage(slot, stageEnv(slot), {
          df, plan, total, labels: slot.index === plan.target ? labels : [], image: (ref) => image(ref, slot.lane),
        }),
      });
      if (!last || last.imageId === '') throw invalidArgument('No image was generated. Is your Dockerfile empty?');
      const unused = unusedBuildArgs(plan.order.flatMap((i) => [...plan.stages[i]!.instructions]).concat(df.metaArgs), o.buildArgs);
      if (unused.length > 0) out(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
      emit({ aux: { ID: last.imageId } });
      if (o.quiet) emit({ stream: `${last.imageId}\n` });
      out(`Successfully built ${short(last.imageId)}\n`);
      for (const t of tags) {
        await this.d.images.tag(last.imageId, `${t.domain}/${t.path}`, t.tag ?? 'latest');
        out(`Successfully tagged ${familiarString(withDefaultTag(t))}\n`);
      }
      return last.imageId;
    } finally {
      await rm(tmpDir, { recursive: true, force: true });
    }
  }

  /** One stage: FROM, the base image's triggers, the instructions (and the request's labels on the target). */
  private async stage(slot: StageSlot, env: StepEnv, s: StageContext): Promise<StageState> {
    const stage = s.plan.stages[slot.index]!;
    let step = slot.step;
    const stepLine = (text: string): void => env.out(`Step ${++step}/${s.total} : ${text}\n`);
    stepLine(stage.from.original);
    let st = await this.begin(stage.base, slot, env, s);
    st = await this.triggers(env, st);
    for (const instr of stage.instructions) {
      slot.stopped();
      stepLine(instr.original);
      st = await this.step(env, st, instr, s.df);
    }
    if (s.labels.length > 0) {
      const label = labelInstruction(s.labels);
      stepLine(label.original);
      st = await execStep(env, st, label, { raw: true });
    }
    return st;
  }

  /** Executes one instruction, giving Dockerfile errors their file and line. */
  private async step(env: StepEnv, st: StageState, instr: Instruction, df: Dockerfile): Promise<StageState> {
    try {
      return await execStep(env, st, instr);
    } catch (err) {
      if (err instanceof DockerfileError && !(err instanceof ParseError) && !err.message.includes(df.fileName)) {
        throw new DockerfileError(err.detail, err, { message: `${df.fileName}:${err.line} ${err.instruction ?? instr.kind}: ${err.detail}`, cause: err });
      }
      throw err;
    }
  }

  /** The state a stage starts from: its base image, scratch or an earlier stage (waited for). */
  private async begin(base: BuildPlan['stages'][number]['base'], slot: StageSlot, env: StepEnv, s: StageContext): Promise<StageState> {
    if (base.kind === 'stage') {
      const parent = await slot.tasks.get(base.stage)!;
      if (parent.imageId !== '') env.out(` ---> ${short(parent.imageId)}\n`);
      return { ...parent, cs: { ...parent.cs, cmdSet: false, author: parent.cs.author } };
    }
    if (base.kind === 'scratch') {
      return { imageId: '', image: undefined, cs: { config: {}, cmdSet: false, author: undefined }, scope: beginStage({ imageEnv: [] }) };
    }
    const image = await s.image(base.ref);
    env.out(` ---> ${short(image.id)}\n`);
    const config = baseConfig(image);
    const scope: StageScope = beginStage({ imageEnv: config.Env ?? [] });
    return { imageId: image.id, image, cs: { config, cmdSet: false, author: undefined }, scope };
  }

  /** Runs the base image's ONBUILD triggers (Docker prints "# Executing N build triggers"). */
  private async triggers(env: StepEnv, st: StageState): Promise<StageState> {
    const triggers = st.cs.config.OnBuild ?? [];
    if (triggers.length === 0 || !st.image || st.imageId !== st.image.id) return st;
    env.out(`# Executing ${triggers.length} build trigger${triggers.length > 1 ? 's' : ''}\n`);
    let next: StageState = { ...st, cs: { ...st.cs, config: { ...st.cs.config, OnBuild: null } } };
    for (const t of triggers) next = await execStep(env, next, parseOnbuildTrigger(t));
    return next;
  }

  /** An image by reference: pulled when missing or with `pull`. */
  private async image(ref: string, o: { pull: boolean; quiet: boolean; platform?: string; emit: (m: JsonMessage) => void }): Promise<ImageRecord> {
    const have = await this.d.images.get(ref).catch(() => undefined);
    if (have && !o.pull) return have;
    try {
      await this.d.images.pull(ref, { ...(o.platform ? { platform: o.platform } : {}), ...(o.quiet ? {} : { onProgress: o.emit }) });
    } catch (err) {
      if (have) return have; // --pull with the image present: keep the local one when the registry cannot be reached
      throw err;
    }
    return this.d.images.get(ref);
  }
}

/** Validates a `t` value as Docker does before building. */
function parseTag(t: string): ImageReference {
  let ref: ImageReference;
  try {
    ref = parseReference(t);
  } catch {
    throw invalidArgument(`invalid reference format: repository name (${t}) must be lowercase`);
  }
  if (ref.digest !== undefined) throw invalidArgument(`invalid reference format`);
  return ref;
}

/** The LABEL Docker appends to the target stage for the request's `labels`. */
function labelInstruction(labels: readonly [string, string][]): LabelInstruction {
  return {
    kind: 'LABEL',
    original: `LABEL ${labels.map(([k, v]) => `${JSON.stringify(k)}=${JSON.stringify(v)}`).join(' ')}`,
    startLine: 0, endLine: 0,
    pairs: labels.map(([key, value]) => ({ key, value })),
  };
}
