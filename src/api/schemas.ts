/**
 * Schemas for request bodies: untrusted JSON enters as unknown and leaves typed, or a 400
 * naming the field. Unknown fields are allowed, as Docker ignores them.
 */
import { z } from 'zod';
import { invalidArgument } from '../core/index.js';
import type { ContainerCreateBody, ExecCreateBody } from '../protocol/index.js';
import type { CreateNetworkRequest } from '../network/index.js';

const str = z.string().nullish();
const strs = z.array(z.string()).nullish();
const bool = z.boolean().nullish();
const num = z.number().nullish();
const strMap = z.record(z.string(), z.string()).nullish();

const mountSchema = z.looseObject({
  Target: z.string().nullish(),
  Source: str,
  Type: z.string(),
  ReadOnly: bool,
  BindOptions: z.looseObject({ Propagation: str, NonRecursive: bool, CreateMountpoint: bool }).nullish(),
  TmpfsOptions: z.looseObject({ SizeBytes: num, Mode: num, Options: z.array(z.array(z.string())).nullish() }).nullish(),
});

const hostConfigSchema = z.looseObject({
  Binds: strs,
  NetworkMode: str,
  AutoRemove: bool,
  Mounts: z.array(mountSchema).nullish(),
  Tmpfs: strMap,
  ReadonlyRootfs: bool,
  Init: bool,
  LogConfig: z.looseObject({ Type: str, Config: strMap }).nullish(),
  ConsoleSize: z.array(z.number()).nullish(),
  ExtraHosts: strs,
  Dns: strs,
  CapAdd: strs,
  CapDrop: strs,
  Privileged: bool,
  RestartPolicy: z.looseObject({ Name: str, MaximumRetryCount: num }).nullish(),
  PortBindings: z.record(z.string(), z.array(z.looseObject({ HostIp: str, HostPort: str })).nullable()).nullish(),
  Memory: num,
  MemorySwap: num,
  MemoryReservation: num,
  NanoCpus: num,
  CpuShares: num,
  CpuPeriod: num,
  CpuQuota: num,
  CpusetCpus: str,
  CpusetMems: str,
  BlkioWeight: num,
  CgroupParent: str,
  MemorySwappiness: num,
  PidsLimit: num,
  ShmSize: num,
  OomScoreAdj: num,
  OomKillDisable: bool,
  PublishAllPorts: bool,
  IpcMode: str,
  PidMode: str,
  UTSMode: str,
  Runtime: str,
  SecurityOpt: strs,
  GroupAdd: strs,
  DnsOptions: strs,
  DnsSearch: strs,
  VolumesFrom: strs,
  Links: strs,
  Sysctls: strMap,
  Devices: z.array(z.looseObject({ PathOnHost: str, PathInContainer: str, CgroupPermissions: str })).nullish(),
  DeviceCgroupRules: strs,
  CgroupnsMode: str,
  UsernsMode: str,
  Ulimits: z.array(z.looseObject({ Name: z.string(), Soft: z.number(), Hard: z.number() })).nullish(),
});

const createSchema = z.looseObject({
  Hostname: str,
  Domainname: str,
  User: str,
  AttachStdin: bool,
  AttachStdout: bool,
  AttachStderr: bool,
  Tty: bool,
  OpenStdin: bool,
  StdinOnce: bool,
  Env: strs,
  Cmd: strs,
  Entrypoint: strs,
  Image: str,
  WorkingDir: str,
  Labels: strMap,
  StopSignal: str,
  StopTimeout: num,
  Volumes: z.record(z.string(), z.unknown()).nullish(),
  ExposedPorts: z.record(z.string(), z.unknown()).nullish(),
  MacAddress: str,
  HostConfig: hostConfigSchema.nullish(),
  NetworkingConfig: z.looseObject({
    EndpointsConfig: z.record(z.string(), z.looseObject({
      IPAMConfig: z.looseObject({ IPv4Address: str, IPv6Address: str }).nullish(),
      Aliases: strs,
      MacAddress: str,
    }).nullable()).nullish(),
  }).nullish(),
});

const networkCreateSchema = z.looseObject({
  Name: z.string(),
  Driver: str,
  Internal: bool,
  Attachable: bool,
  Ingress: bool,
  EnableIPv6: bool,
  Options: strMap,
  Labels: strMap,
  IPAM: z.looseObject({
    Driver: str,
    Options: strMap,
    Config: z.array(z.looseObject({ Subnet: str, Gateway: str, IPRange: str })).nullish(),
  }).nullish(),
});

const execSchema = z.looseObject({
  AttachStdin: bool,
  AttachStdout: bool,
  AttachStderr: bool,
  Tty: bool,
  DetachKeys: str,
  Env: strs,
  Cmd: z.array(z.string()).nullish(),
  User: str,
  WorkingDir: str,
  Privileged: bool,
  ConsoleSize: z.array(z.number()).nullish(),
});

function fail(issue: z.core.$ZodIssue | undefined): never {
  const field = issue && issue.path.length > 0 ? issue.path.join('.') : 'body';
  throw invalidArgument(`invalid value for field "${field}": ${issue?.message ?? 'invalid'}`);
}

/** Drops nulls so that optional fields are simply absent. */
function dropNulls<T>(v: T): T {
  if (Array.isArray(v)) return v.map(dropNulls) as T;
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== null && x !== undefined) out[k] = dropNulls(x);
    return out as T;
  }
  return v;
}

export function parseCreateBody(body: unknown): ContainerCreateBody {
  if (body === undefined) throw invalidArgument('config cannot be empty in order to create a container');
  const r = createSchema.safeParse(body);
  if (!r.success) fail(r.error.issues[0]);
  return dropNulls(r.data) as ContainerCreateBody;
}

/** POST /networks/create */
export function parseNetworkCreate(body: unknown): CreateNetworkRequest {
  const r = networkCreateSchema.safeParse(body ?? {});
  if (!r.success) fail(r.error.issues[0]);
  const b = r.data;
  return {
    name: b.Name, driver: b.Driver ?? '', internal: b.Internal ?? false, attachable: b.Attachable ?? false,
    labels: b.Labels ?? {}, options: b.Options ?? {}, enableIPv6: b.EnableIPv6 ?? false,
    ipam: {
      driver: b.IPAM?.Driver || 'default', options: b.IPAM?.Options ?? null,
      config: (b.IPAM?.Config ?? []).map((c) => ({
        ...(c.Subnet ? { Subnet: c.Subnet } : {}), ...(c.Gateway ? { Gateway: c.Gateway } : {}), ...(c.IPRange ? { IPRange: c.IPRange } : {}),
      })),
    },
  };
}

export function parseExecBody(body: unknown): ExecCreateBody {
  const r = execSchema.safeParse(body ?? {});
  if (!r.success) fail(r.error.issues[0]);
  return dropNulls(r.data) as ExecCreateBody;
}

export function parseExecStartBody(body: unknown): { Detach: boolean; Tty: boolean; ConsoleSize?: [number, number] } {
  const r = z.looseObject({ Detach: bool, Tty: bool, ConsoleSize: z.tuple([z.number(), z.number()]).nullish() }).safeParse(body ?? {});
  if (!r.success) fail(r.error.issues[0]);
  return {
    Detach: r.data.Detach ?? false, Tty: r.data.Tty ?? false,
    ...(r.data.ConsoleSize ? { ConsoleSize: r.data.ConsoleSize } : {}),
  };
}
