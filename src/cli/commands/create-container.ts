import { domainOf, registryAuthHeader } from '../docker-config.js';
import { existsSync, writeFileSync } from 'node:fs';
import { displayProgress } from '../io/progress.js';
import { parseImageRef } from '../opts/reference.js';
import type { ContainerRequest } from '../opts/container-config.js';
import { isNotFound, type Ctx } from '../command.js';

/** Pulls an image for run/create, progress on stderr (docker's pullImage). */
export async function pullImage(ctx: Ctx, image: string, opts: { platform?: string; quiet?: boolean }): Promise<void> {
  const ref = parseImageRef(image);
  const registryAuth = registryAuthHeader(ctx.env, domainOf(ref.repository));
  const res = await ctx.client().imagePull(ref.repository, ref.digest ?? ref.tag, { registryAuth, ...(opts.platform === undefined ? {} : { platform: opts.platform }) });
  const out = opts.quiet === true ? null : ctx.stderr;
  await displayProgress(res, out, ctx.stderr.isTTY === true);
}

/**
 * Creates a container the way docker/cli's createContainer does: --cidfile guard, --pull
 * policy, "Unable to find image" + pull + retry on 404, warnings on stderr. Answers the id.
 */
export async function createContainer(ctx: Ctx, req: ContainerRequest, quiet: boolean): Promise<string> {
  const image = req.body.Image ?? '';
  if (req.cidfile !== undefined && existsSync(req.cidfile)) {
    throw new Error(`container ID file found, make sure the other container isn't running or delete ${req.cidfile}`);
  }
  const pullOpts = { quiet, ...(req.platform === undefined ? {} : { platform: req.platform }) };
  if (req.pull === 'always') await pullImage(ctx, image, pullOpts);
  const opts = { ...(req.name === undefined ? {} : { name: req.name }), ...(req.platform === undefined ? {} : { platform: req.platform }) };
  let created;
  try {
    created = await ctx.client().containerCreate(req.body, opts);
  } catch (err) {
    if (!isNotFound(err) || req.pull !== 'missing' || !/No such image/i.test((err as Error).message)) throw err;
    ctx.err(`Unable to find image '${parseImageRef(image).familiar}' locally\n`);
    await pullImage(ctx, image, pullOpts);
    created = await ctx.client().containerCreate(req.body, opts);
  }
  for (const w of created.Warnings ?? []) ctx.err(`WARNING: ${w}\n`);
  if (req.cidfile !== undefined) writeFileSync(req.cidfile, created.Id);
  return created.Id;
}
