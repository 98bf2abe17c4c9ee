/** The data behind /version and /info. */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { API_VERSION, BERTH_VERSION, ENGINE_VERSION, MIN_API_VERSION } from '../protocol/index.js';
import type { SystemInfo } from '../api/index.js';
import type { Engine } from '../engine/index.js';
import type { ImageService } from '../image/types.js';
import type { DaemonConfig } from './config.js';

function osName(): string {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m?.[1] ?? 'Linux';
  } catch {
    return 'Linux';
  }
}

function cgroupVersion(): string {
  try {
    return readFileSync('/sys/fs/cgroup/cgroup.controllers', 'utf8') ? '2' : '1';
  } catch {
    return '1';
  }
}

export function systemInfo(cfg: DaemonConfig, engine: Engine, images: ImageService, runtimeName: string, runtimes: readonly string[] = [runtimeName]): SystemInfo {
  const arch = os.arch() === 'x64' ? 'x86_64' : os.arch();
  const goArch = os.arch() === 'x64' ? 'amd64' : os.arch();
  return {
    version: () => ({
      Platform: { Name: 'berth' },
      Components: [{
        Name: 'Engine', Version: ENGINE_VERSION,
        Details: { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: 'linux', Arch: goArch, KernelVersion: os.release(), BerthVersion: BERTH_VERSION, NodeVersion: process.version },
      }],
      Version: ENGINE_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'berth',
      GoVersion: process.version,
      Os: 'linux',
      Arch: goArch,
      KernelVersion: os.release(),
      BuildTime: '',
    }),
    info: async () => {
      const all = engine.store.all();
      const count = (s: string): number => all.filter((c) => c.state.status === s).length;
      const imgs = await images.list({ all: true });
      return {
        ID: 'berth',
        Containers: all.length,
        ContainersRunning: count('running'),
        ContainersPaused: count('paused'),
        ContainersStopped: all.length - count('running') - count('paused'),
        Images: imgs.length,
        Driver: 'overlay2',
        DriverStatus: [['Backing Filesystem', 'extfs'], ['Supports d_type', 'true'], ['Using metacopy', 'false'], ['Native Overlay Diff', 'true']],
        Plugins: { Volume: ['local'], Network: ['host', 'null'], Authorization: null, Log: ['json-file'] },
        MemoryLimit: true, SwapLimit: false, KernelMemoryTCP: false, CpuCfsPeriod: true, CpuCfsQuota: true,
        CPUShares: true, CPUSet: true, PidsLimit: true, IPv4Forwarding: true, BridgeNfIptables: false,
        BridgeNfIp6tables: false, Debug: cfg.logLevel === 'debug', NFd: 0, OomKillDisable: true,
        NGoroutines: 0, SystemTime: new Date().toISOString(), LoggingDriver: 'json-file',
        CgroupDriver: 'cgroupfs', CgroupVersion: cgroupVersion(), NEventsListener: 0,
        KernelVersion: os.release(), OperatingSystem: osName(), OSVersion: '', OSType: 'linux',
        Architecture: arch, IndexServerAddress: 'https://index.docker.io/v1/',
        RegistryConfig: { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, InsecureRegistryCIDRs: ['127.0.0.0/8'], IndexConfigs: {}, Mirrors: null },
        NCPU: os.cpus().length, MemTotal: os.totalmem(), GenericResources: null,
        DockerRootDir: cfg.dataRoot, HttpProxy: '', HttpsProxy: '', NoProxy: '', Name: os.hostname(),
        Labels: [], ExperimentalBuild: false, ServerVersion: ENGINE_VERSION,
        Runtimes: Object.fromEntries(runtimes.map((r) => [r, { path: r }])), DefaultRuntime: runtimeName,
        Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
        LiveRestoreEnabled: true, Isolation: '', InitBinary: 'docker-init',
        ContainerdCommit: { ID: '' }, RuncCommit: { ID: '' }, InitCommit: { ID: '' },
        SecurityOptions: ['name=seccomp,profile=builtin'], Warnings: null,
      };
    },
  };
}
