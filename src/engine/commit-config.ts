/**
 * The config of a committed image, as Moby's CreateImageFromContainer builds it: the config sent
 * with the request (else the container's), with the `changes` applied (Dockerfile instructions,
 * dockerfile.BuildFromConfig), then completed from the container's config (daemon/commit.go merge).
 */
import { applyChanges } from '../image/index.js';
import type { ContainerConfig, HealthConfig } from '../protocol/index.js';

/**
 * The new image's config. `body` is the request's config (null or undefined when none was sent,
 * as the docker CLI does). Throws 'invalid-argument' for a bad change, in Docker's words.
 */
export function commitConfig(container: ContainerConfig, body: ContainerConfig | null | undefined, changes: readonly string[]): ContainerConfig {
  const user = applyChanges(body ?? container, changes);
  return mergeConfig(user, structuredClone(container));
}

/** Moby's merge(userConf, imageConf): fills what the user config leaves out from the container's. */
export function mergeConfig(user: ContainerConfig, base: ContainerConfig): ContainerConfig {
  const c: ContainerConfig = { ...user };
  if (!c.User) c.User = base.User ?? '';
  c.ExposedPorts = isEmpty(c.ExposedPorts) ? (base.ExposedPorts ?? null) : { ...base.ExposedPorts, ...c.ExposedPorts };
  if (!c.Env || c.Env.length === 0) c.Env = base.Env ?? null;
  else {
    const keys = new Set(c.Env.map(envKey));
    c.Env = [...c.Env, ...(base.Env ?? []).filter((e) => !keys.has(envKey(e)))];
  }
  c.Labels = { ...base.Labels, ...c.Labels };
  if (!c.Entrypoint || c.Entrypoint.length === 0) {
    if (!c.Cmd || c.Cmd.length === 0) c.Cmd = base.Cmd ?? null;
    // an empty (not absent) entrypoint stays: it resets the image's
    if (c.Entrypoint === undefined || c.Entrypoint === null) c.Entrypoint = base.Entrypoint ?? null;
  }
  if (base.Healthcheck) c.Healthcheck = c.Healthcheck ? mergeHealthcheck(c.Healthcheck, base.Healthcheck) : base.Healthcheck;
  if (!c.WorkingDir) c.WorkingDir = base.WorkingDir ?? '';
  c.Volumes = isEmpty(c.Volumes) ? (base.Volumes ?? null) : { ...c.Volumes, ...base.Volumes };
  if (!c.StopSignal && base.StopSignal) c.StopSignal = base.StopSignal;
  return c;
}

function mergeHealthcheck(user: HealthConfig, base: HealthConfig): HealthConfig {
  const h: HealthConfig = { ...user };
  if (!h.Test || h.Test.length === 0) h.Test = base.Test ?? [];
  if (!h.Interval && base.Interval !== undefined) h.Interval = base.Interval;
  if (!h.Timeout && base.Timeout !== undefined) h.Timeout = base.Timeout;
  if (!h.StartPeriod && base.StartPeriod !== undefined) h.StartPeriod = base.StartPeriod;
  if (!h.Retries && base.Retries !== undefined) h.Retries = base.Retries;
  return h;
}

function envKey(e: string): string {
  const eq = e.indexOf('=');
  return eq < 0 ? e : e.slice(0, eq);
}

function isEmpty(o: Record<string, unknown> | null | undefined): boolean {
  return !o || Object.keys(o).length === 0;
}
