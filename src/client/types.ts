/** Answers the client reads that src/protocol does not describe (yet); fields as Docker's. */
import type { ContainerSummary, ImageSummary } from '../protocol/types.js';

export interface CreateResponse {
  Id: string;
  Warnings: string[] | null;
}

export interface VersionComponent {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

/** GET /version */
export interface SystemVersion {
  Platform?: { Name: string };
  Components?: VersionComponent[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
}

/** GET /info (the fields the CLI prints). */
export interface SystemInfo {
  ID?: string;
  Containers?: number;
  ContainersRunning?: number;
  ContainersPaused?: number;
  ContainersStopped?: number;
  Images?: number;
  Driver?: string;
  DriverStatus?: Array<[string, string]> | null;
  Plugins?: { Volume?: string[] | null; Network?: string[] | null; Log?: string[] | null };
  MemoryLimit?: boolean;
  SwapLimit?: boolean;
  CpuCfsPeriod?: boolean;
  CpuCfsQuota?: boolean;
  KernelMemory?: boolean;
  IPv4Forwarding?: boolean;
  Debug?: boolean;
  NFd?: number;
  NGoroutines?: number;
  LoggingDriver?: string;
  CgroupDriver?: string;
  CgroupVersion?: string;
  NEventsListener?: number;
  KernelVersion?: string;
  OperatingSystem?: string;
  OSVersion?: string;
  OSType?: string;
  Architecture?: string;
  NCPU?: number;
  MemTotal?: number;
  IndexServerAddress?: string;
  DockerRootDir?: string;
  HttpProxy?: string;
  HttpsProxy?: string;
  NoProxy?: string;
  Name?: string;
  Labels?: string[] | null;
  ExperimentalBuild?: boolean;
  ServerVersion?: string;
  Runtimes?: Record<string, unknown>;
  DefaultRuntime?: string;
  Swarm?: { LocalNodeState?: string };
  LiveRestoreEnabled?: boolean;
  Isolation?: string;
  InitBinary?: string;
  ContainerdCommit?: { ID: string };
  RuncCommit?: { ID: string };
  InitCommit?: { ID: string };
  SecurityOptions?: string[] | null;
  Warnings?: string[] | null;
  RegistryConfig?: { InsecureRegistryCIDRs?: string[] | null; IndexConfigs?: Record<string, unknown> };
}

/** GET /containers/{id}/top */
export interface TopResponse {
  Titles: string[];
  Processes: string[][];
}

/** POST /containers/prune */
export interface ContainersPruneResponse {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** POST /images/prune */
export interface ImagesPruneResponse {
  ImagesDeleted: Array<{ Untagged?: string; Deleted?: string }> | null;
  SpaceReclaimed: number;
}

/** `filters` query values: {key: [values]} as docker encodes them. */
export type Filters = Record<string, string[]>;

/** volume.UsageData: -1 when the daemon did not compute it. */
export interface VolumeUsageData {
  RefCount: number;
  Size: number;
}

/** volume.Volume: GET /volumes/{name}, POST /volumes/create and the items of GET /volumes. */
export interface Volume {
  ClusterVolume?: unknown;
  CreatedAt?: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: string;
  Status?: Record<string, unknown> | null;
  UsageData?: VolumeUsageData | null;
}

/** GET /volumes */
export interface VolumeListResponse {
  Volumes: Volume[] | null;
  Warnings: string[] | null;
}

/** Body of POST /volumes/create (volume.CreateOptions; empty fields omitted as Go does). */
export interface VolumeCreateBody {
  Driver?: string;
  DriverOpts?: Record<string, string>;
  Labels?: Record<string, string>;
  Name?: string;
}

/** POST /volumes/prune */
export interface VolumesPruneResponse {
  VolumesDeleted: string[] | null;
  SpaceReclaimed: number;
}

/** build.CacheRecord, the fields `system df` reads. */
export interface BuildCacheRecord {
  ID: string;
  Type?: string;
  Description?: string;
  InUse?: boolean;
  Shared?: boolean;
  Size: number;
  CreatedAt?: string;
  LastUsedAt?: string | null;
  UsageCount?: number;
}

/** GET /system/df */
export interface DiskUsage {
  LayersSize: number;
  Images: ImageSummary[] | null;
  Containers: ContainerSummary[] | null;
  Volumes: Volume[] | null;
  BuildCache: BuildCacheRecord[] | null;
}

/** container.Ulimit (`--ulimit`). */
export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** container.RestartPolicy as the CLI sends it; the daemon checks the name. */
export interface RestartPolicy {
  Name: string;
  MaximumRetryCount: number;
}

/**
 * container.Resources as docker CLI 28 marshals it: part of the create HostConfig and the body
 * of POST /containers/{id}/update. Pointer fields are null when unset; KernelMemory is omitted when 0.
 */
export interface Resources {
  CpuShares: number;
  Memory: number;
  NanoCpus: number;
  CgroupParent: string;
  BlkioWeight: number;
  BlkioWeightDevice: unknown[] | null;
  BlkioDeviceReadBps: unknown[] | null;
  BlkioDeviceWriteBps: unknown[] | null;
  BlkioDeviceReadIOps: unknown[] | null;
  BlkioDeviceWriteIOps: unknown[] | null;
  CpuPeriod: number;
  CpuQuota: number;
  CpuRealtimePeriod: number;
  CpuRealtimeRuntime: number;
  CpusetCpus: string;
  CpusetMems: string;
  Devices: unknown[] | null;
  DeviceCgroupRules: string[] | null;
  DeviceRequests: unknown[] | null;
  KernelMemory?: number;
  MemoryReservation: number;
  MemorySwap: number;
  MemorySwappiness: number | null;
  OomKillDisable: boolean | null;
  PidsLimit: number | null;
  Ulimits: Ulimit[] | null;
  CpuCount: number;
  CpuPercent: number;
  IOMaximumIOps: number;
  IOMaximumBandwidth: number;
}

/** Body of POST /containers/{id}/update (container.UpdateConfig). */
export interface UpdateBody extends Resources {
  RestartPolicy: RestartPolicy;
}

/** POST /containers/{id}/update */
export interface UpdateResponse {
  Warnings: string[] | null;
}

/** Query of GET /events; `since`/`until` already converted to unix timestamps (see timetypes.GetTimestamp). */
export interface EventsOptions {
  since?: string;
  until?: string;
  filters?: Filters;
  signal?: AbortSignal;
}

/** The stat of a path in a container (moby's container.PathStat), from X-Docker-Container-Path-Stat. */
export interface ContainerPathStat {
  name: string;
  size: number;
  /** Go's os.FileMode: permission bits plus type bits (dir = 1<<31, symlink = 1<<27, …). */
  mode: number;
  mtime: string;
  linkTarget: string;
}
