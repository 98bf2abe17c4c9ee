/**
 * The container runtime contract, as the engine uses it: rootfs, OCI bundle, conmon + runc.
 * Implemented in this folder.
 */
import type { Readable, Writable } from 'node:stream';
import type { OciResources } from './oci-types.js';

export type { OciResources } from './oci-types.js';

/** A namespace the container joins instead of getting its own: the host's, or one at a path. */
export type NamespaceChoice = { mode: 'private' } | { mode: 'host' } | { mode: 'path'; path: string };

/**
 * The container's privileges (HostConfig CapAdd/CapDrop/Privileged/SecurityOpt/Devices/…), already
 * checked by the engine. Absent fields mean Docker's defaults.
 */
export interface SecurityPlan {
  /** --privileged: every host capability and device, no masked/readonly paths, /sys writable, no seccomp. */
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  /** --security-opt no-new-privileges. */
  noNewPrivileges?: boolean;
  /** --security-opt seccomp=: the default profile, none, or a profile (moby format, parsed JSON). */
  seccomp?: { mode: 'default' } | { mode: 'unconfined' } | { mode: 'profile'; profile: unknown };
  /** --device */
  devices?: Array<{ pathOnHost: string; pathInContainer: string; permissions: string }>;
  /** --device-cgroup-rule, as `c 1:3 rwm`. */
  deviceCgroupRules?: string[];
  /** --group-add: group names (looked up in the container's /etc/group) or numbers. */
  groupAdd?: string[];
  /** --sysctl, over Docker's network defaults. */
  sysctls?: Record<string, string>;
  /**
   * --ipc, --pid, --uts, --cgroupns; default private (cgroup: the runtime's default). IPC adds
   * `shareable` (a namespace of its own whose /dev/shm is a tmpfs on the host, which others may
   * join) and, when joining another container's namespace, whose /dev/shm to mount with it.
   */
  ipc?: NamespaceChoice | { mode: 'none' } | { mode: 'shareable' } | { mode: 'path'; path: string; shm: IpcShm };
  pid?: NamespaceChoice;
  uts?: { mode: 'private' } | { mode: 'host' };
  cgroup?: { mode: 'private' } | { mode: 'host' };
}

/** The /dev/shm that goes with a joined IPC namespace: a shareable container's, or the host's. */
export type IpcShm = { container: string } | { host: true };

export type MountRequest =
  | { type: 'bind'; source: string; destination: string; readonly: boolean; propagation?: string }
  | { type: 'tmpfs'; destination: string; options: string[] };

/** Everything needed to create one container. Paths are absolute. */
export interface ContainerPlan {
  /** 64-hex container id; also the runtime's container id. */
  id: string;
  /** The OCI runtime to create it with (`--runtime`); undefined: the default. */
  runtime?: string;
  /** exec-root/containers/<id>: bundle (config.json, rootfs/ mount point), conmon files, attach socket. */
  bundleDir: string;
  /** Image layer diff dirs, top-most first (overlay lowerdir order). */
  lowerDirs: string[];
  /** data-root/containers/<id>/upper and /work, created if missing. */
  upperDir: string;
  workDir: string;
  /** conmon's k8s-file log (data-root/containers/<id>/ctr.log). */
  logPath: string;
  /** Size of the container's /dev/shm tmpfs in bytes (--shm-size); undefined: 64 MiB. */
  shmSize?: number;
  /** Files the engine wrote; bind-mounted at /etc/hostname, /etc/hosts, /etc/resolv.conf. */
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  process: {
    args: string[];
    env: string[];
    cwd: string;
    /** docker -u syntax: name, uid, name:group, uid:gid; '' = root. Resolved against the rootfs. */
    user: string;
    tty: boolean;
    openStdin: boolean;
    /**
     * Docker's StdinOnce: close the container's stdin when the attached client closes its side
     * (AttachConnection.closeStdin / close). When false, stdin stays open across attaches.
     */
    stdinOnce?: boolean;
    consoleSize?: [number, number];
  };
  hostname: string;
  domainname: string;
  mounts: MountRequest[];
  readonlyRootfs: boolean;
  /** Run an init (tini/catatonit) as pid 1 (--init). */
  init: boolean;
  /** host: the host's; none: a new one; path: join this namespace (bind-mounted netns or /proc/<pid>/ns/net). */
  network: { mode: 'none' | 'host' } | { mode: 'path'; path: string };
  annotations?: Record<string, string>;
  /** cgroup limits (memory, cpu, pids, blkio). */
  resources?: OciResources;
  /** --ulimit: rlimits of the container's processes. */
  rlimits?: Array<{ type: string; soft: number; hard: number }>;
  /** --cgroup-parent: instead of the daemon's. */
  cgroupParent?: string;
  oomScoreAdj?: number;
  /** Capabilities, seccomp, devices, namespaces; Docker's defaults when absent. */
  security?: SecurityPlan;
}

export interface CreatedContainer {
  /** Host pid of the container's process. */
  pid: number;
  /** Host pid of its conmon. */
  conmonPid: number;
}

export interface ExitStatus {
  exitCode: number;
  /** When conmon wrote the exit file. */
  finishedAt: Date;
  oomKilled: boolean;
}

/** A connection to a container's conmon attach socket. */
export interface AttachConnection {
  /** Output as it happens: stream 1 = stdout, 2 = stderr. */
  onData(cb: (stream: 1 | 2, data: Buffer) => void): void;
  onClose(cb: () => void): void;
  /** Writes to the container's stdin (only if created with openStdin). */
  write(data: Buffer): void;
  /** Closes the container's stdin (StdinOnce). */
  closeStdin(): void;
  close(): void;
}

export interface ExecSpec {
  args: string[];
  env: string[];
  cwd: string;
  user: string;
  tty: boolean;
  openStdin: boolean;
  privileged?: boolean;
  /** `docker exec -d`: no stdio at all (stdout/stderr are empty streams). */
  detach?: boolean;
  /** [height, width] of the terminal at start (API 1.42 ConsoleSize); only with `tty`. */
  consoleSize?: [number, number];
}

/**
 * A process started in a running container. With a TTY, `stdout` carries the terminal's output,
 * `stderr` is an ended stream and `stdin` writes to the terminal. Ending `stdin` closes the
 * process's stdin: without a TTY the process reads EOF; a terminal only gives EOF on ^D (0x04).
 */
export interface ExecProcess {
  /** Host pid of the process (0 if the runtime refused to start it). */
  pid: number;
  stdin: Writable | null;
  stdout: Readable;
  stderr: Readable;
  /** Resolves with the exit code (128+signal when killed). */
  exited: Promise<number>;
  /**
   * Resizes the exec's terminal; present only with a TTY. Throws 'invalid-argument' for a size
   * outside 0..65535 and 'conflict' once the process has exited.
   */
  resize?(height: number, width: number): Promise<void>;
}

export interface ContainerRuntime {
  /** The default OCI runtime (runc or crun), as `docker info` shows it. */
  readonly name: string;
  /** Every runtime a container may ask for (`--runtime`), the default first. */
  readonly runtimes: string[];
  /** Releases what the runtime set up for itself (not containers: those keep running). */
  close(): Promise<void>;
  /**
   * Mounts the overlay rootfs, writes config.json, starts conmon which runs `runc create`.
   * On return the container exists in the runtime and its attach socket is ready; its process
   * has not started. Throws EngineError with the runtime's own message on failure (for example
   * `exec: "nope": executable file not found in $PATH`), after cleaning up what it made.
   */
  create(plan: ContainerPlan, opts?: { signal?: AbortSignal }): Promise<CreatedContainer>;
  /** `runc start`: the process begins. */
  start(id: string): Promise<void>;
  /** Connects to the attach socket (after create). */
  attach(id: string): Promise<AttachConnection>;
  /** Sends a signal (name like 'SIGTERM'/'TERM' or number) to the container's process. */
  kill(id: string, signal: string | number): Promise<void>;
  /** The exit status conmon recorded, or undefined while the container runs. */
  exitStatus(id: string): Promise<ExitStatus | undefined>;
  /** Calls cb once when the container's process exits (conmon wrote the exit file). Returns an unsubscribe. */
  onExit(id: string, cb: (status: ExitStatus) => void): () => void;
  /** True while the container's conmon process lives (used to re-adopt after a daemon restart). */
  isMonitorAlive(id: string): Promise<boolean>;
  /**
   * True once the runtime started the container's process (its state holds no `exec.fifo` any
   * more); false while it waits to be started or when the runtime has no state for it.
   */
  hasStarted(id: string): Promise<boolean>;
  /** Host pid of the container's process, if running. */
  pid(id: string): Promise<number | undefined>;
  /** `runc delete --force`, unmounts the rootfs, removes the bundle dir. Idempotent. */
  cleanup(id: string): Promise<void>;
  /** Starts a process inside the running container (conmon in exec mode runs `runc exec`). */
  exec(id: string, spec: ExecSpec): Promise<ExecProcess>;
  /** `docker top`: runs ps on the host and keeps the container's processes. */
  top(id: string, psArgs?: string): Promise<{ Titles: string[]; Processes: string[][] }>;
  /**
   * The container's root filesystem on the host, for cp, export and the like: the running
   * container's overlay as it is, or, for one that does not run, its overlay mounted at a private
   * path until `release()`. The caller keeps the container from starting meanwhile.
   * Volumes and bind mounts of the container are not part of it.
   */
  mountRootfs(id: string, layout: { lowerDirs: string[]; upperDir: string; workDir: string }): Promise<{ path: string; release(): Promise<void> }>;
  /** `runc update`: changes the cgroup limits of a running container. */
  update(id: string, resources: OciResources): Promise<void>;
  /** `runc pause` / `runc resume` (the freezer). */
  pause(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Asks conmon to reopen its log file (after the engine renamed it for rotation). */
  reopenLog(id: string): Promise<void>;
  /**
   * Resizes a TTY container's terminal (conmon ctl message 1). Throws 'conflict' when the container
   * has no TTY or is not running, 'invalid-argument' for a size outside 0..65535.
   */
  resize?(id: string, height: number, width: number): Promise<void>;
}
