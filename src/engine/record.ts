/**
 * The container record: what berth keeps about a container, persisted as JSON in
 * data-root/containers/<id>/container.json (written atomically on every change).
 */
import type { ContainerConfig, HostConfig, ContainerStatus } from '../protocol/index.js';
import type { HealthState } from './health.js';

export interface ContainerStateRecord {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  /** RFC 3339, or Go's zero time when never started / never finished. */
  startedAt: string;
  finishedAt: string;
  /** Healthcheck state while one is configured (Docker's State.Health). */
  health?: HealthState;
}

export interface MountPointRecord {
  type: 'bind' | 'tmpfs' | 'volume';
  source: string;
  destination: string;
  rw: boolean;
  mode: string;
  propagation: string;
  /** Volumes: the volume's name and driver. */
  name?: string;
  driver?: string;
  /** Volumes: copy the image's content into the volume when it is empty (not `nocopy`). */
  copyData?: boolean;
  /** Bind propagation for the runtime (volumes are rprivate; Docker shows "" for them). */
  bindPropagation?: string;
  /** A `-v` bind: its missing source is created at start, as Docker does. */
  createSource?: boolean;
}

/** A network the container is configured on (Docker's EndpointSettings, the configured part). */
export interface EndpointConfigRecord {
  NetworkID: string;
  Aliases: string[] | null;
  IPAMConfig: { IPv4Address?: string } | null;
  MacAddress: string;
}

export interface ContainerRecord {
  id: string;
  /** Without the leading slash. */
  name: string;
  created: string;
  /** Entrypoint + Cmd split into Path and Args, as Docker reports them. */
  path: string;
  args: string[];
  /** The effective config: the image's merged with the request's. */
  config: ContainerConfig;
  hostConfig: HostConfig;
  /** Image id (sha256:…). */
  image: string;
  state: ContainerStateRecord;
  restartCount: number;
  mounts: MountPointRecord[];
  /** True once the container has been started at least once. */
  hasBeenStarted: boolean;
  /** Stopped by `stop` (restart policies leave it alone until it is started again). */
  manuallyStopped?: boolean;
  /** Networks by name (absent for records made before networking: the mode's network). */
  networks?: Record<string, EndpointConfigRecord>;
}

/** Go's zero time as Docker prints it for unset timestamps. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

export function initialState(): ContainerStateRecord {
  return {
    status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false,
    startedAt: ZERO_TIME, finishedAt: ZERO_TIME,
  };
}
