/**
 * Turns a create request plus the image's config into the container's effective config,
 * following Docker's rules (moby daemon/create.go, container config merge).
 */
import { invalidArgument } from '../core/index.js';
import type { ContainerConfig, ContainerCreateBody } from '../protocol/index.js';

export const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Merges env lists: later entries override earlier ones by key, order of first appearance kept. */
export function mergeEnv(...lists: Array<readonly string[] | null | undefined>): string[] {
  const order: string[] = [];
  const values = new Map<string, string>();
  for (const list of lists) {
    for (const entry of list ?? []) {
      const eq = entry.indexOf('=');
      const key = eq === -1 ? entry : entry.slice(0, eq);
      if (!values.has(key)) order.push(key);
      values.set(key, entry);
    }
  }
  return order.map((k) => values.get(k)!);
}

/**
 * The effective config of a new container. Docker's rules: an Entrypoint in the request replaces
 * the image's and drops the image's Cmd; Env is the image's overridden by the request's; labels
 * merge; other fields fall back to the image's when the request leaves them empty.
 */
export function mergeConfig(req: ContainerCreateBody, image: ContainerConfig | undefined, imageRef: string): ContainerConfig {
  const img = image ?? {};
  const entrypointSet = req.Entrypoint !== undefined && req.Entrypoint !== null;
  const entrypoint = entrypointSet ? req.Entrypoint! : (img.Entrypoint ?? null);
  // docker run --entrypoint '' clears the entrypoint: the CLI sends [""].
  const ep = entrypoint && entrypoint.length === 1 && entrypoint[0] === '' ? [] : entrypoint;
  let cmd = req.Cmd && req.Cmd.length > 0 ? req.Cmd : null;
  if (!cmd && !entrypointSet) cmd = img.Cmd ?? null;
  let env = mergeEnv(img.Env, req.Env);
  if (!env.some((e) => e.startsWith('PATH='))) env = [DEFAULT_PATH, ...env];
  const labels = { ...(img.Labels ?? {}), ...(req.Labels ?? {}) };
  const merged: ContainerConfig = {
    Hostname: req.Hostname ?? '',
    Domainname: req.Domainname ?? '',
    User: req.User || img.User || '',
    AttachStdin: req.AttachStdin ?? false,
    AttachStdout: req.AttachStdout ?? false,
    AttachStderr: req.AttachStderr ?? false,
    Tty: req.Tty ?? false,
    OpenStdin: req.OpenStdin ?? false,
    StdinOnce: req.StdinOnce ?? false,
    Env: env,
    Cmd: cmd,
    Image: imageRef,
    // the request's VOLUMEs (docker CLI sends `-v /path` here) add to the image's
    Volumes: req.Volumes || img.Volumes ? { ...(img.Volumes ?? {}), ...(req.Volumes ?? {}) } : null,
    WorkingDir: req.WorkingDir || img.WorkingDir || '',
    Entrypoint: ep && ep.length > 0 ? ep : null,
    OnBuild: null,
    Labels: labels,
  };
  const stopSignal = req.StopSignal || img.StopSignal;
  if (stopSignal) merged.StopSignal = stopSignal;
  if (req.StopTimeout !== undefined) merged.StopTimeout = req.StopTimeout;
  const exposed = { ...(img.ExposedPorts ?? {}), ...(req.ExposedPorts ?? {}) };
  if (Object.keys(exposed).length > 0) merged.ExposedPorts = exposed;
  if (req.Healthcheck ?? img.Healthcheck) {
    // moby merges field by field: what the request leaves unset comes from the image
    const r = req.Healthcheck ?? {};
    const i = img.Healthcheck ?? {};
    merged.Healthcheck = {
      Test: r.Test && r.Test.length > 0 ? r.Test : (i.Test ?? []),
      ...(r.Interval || i.Interval ? { Interval: r.Interval || i.Interval! } : {}),
      ...(r.Timeout || i.Timeout ? { Timeout: r.Timeout || i.Timeout! } : {}),
      ...(r.StartPeriod || i.StartPeriod ? { StartPeriod: r.StartPeriod || i.StartPeriod! } : {}),
      ...(r.Retries || i.Retries ? { Retries: r.Retries || i.Retries! } : {}),
    };
  }
  return merged;
}

/** Splits Entrypoint + Cmd into Docker's Path and Args. Throws 400 when there is no command. */
export function commandOf(config: ContainerConfig): { path: string; args: string[] } {
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  if (argv.length === 0) throw invalidArgument('no command specified');
  return { path: argv[0]!, args: argv.slice(1) };
}
