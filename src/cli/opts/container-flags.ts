import type { FlagSpec } from '../flags.js';
import { parseMount } from './mounts.js';
import { parseNetworkOpt, validateDNSSearch, validateExtraHost, validateIPAddress, validateLink } from './network-opts.js';
import { checkBytes, checkCpus, checkSwap, checkUint16, checkUlimit } from './resources.js';
import { validateDevice, validateDeviceCgroupRule, validateSysctl } from './security.js';

const checkNetwork = (v: string): string => {
  parseNetworkOpt(v);
  return v;
};

/** `--mount` is checked as it is set (docker's MountOpt.Set), before any other option. */
const checkMount = (v: string): string => {
  parseMount(v);
  return v;
};

/** Flags shared by `create` and `run` (docker/cli opts.go AddFlags), the subset berth handles or accepts. */
export const CONTAINER_FLAGS: FlagSpec[] = [
  { name: 'add-host', kind: 'list', help: 'Add a custom host-to-IP mapping (host:ip)', validate: validateExtraHost },
  { name: 'attach', short: 'a', kind: 'list', help: 'Attach to STDIN, STDOUT or STDERR' },
  { name: 'cap-add', kind: 'list', help: 'Add Linux capabilities' },
  { name: 'blkio-weight', kind: 'string', valueName: 'uint16', help: 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)', validate: checkUint16 },
  { name: 'cap-drop', kind: 'list', help: 'Drop Linux capabilities' },
  { name: 'cgroup-parent', kind: 'string', help: 'Optional parent cgroup for the container' },
  { name: 'cgroupns', kind: 'string', help: 'Cgroup namespace to use (host|private)' },
  { name: 'cidfile', kind: 'string', help: 'Write the container ID to the file' },
  { name: 'cpu-period', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) period' },
  { name: 'cpu-quota', kind: 'int', help: 'Limit CPU CFS (Completely Fair Scheduler) quota' },
  { name: 'cpu-rt-period', kind: 'int', help: 'Limit CPU real-time period in microseconds' },
  { name: 'cpu-rt-runtime', kind: 'int', help: 'Limit CPU real-time runtime in microseconds' },
  { name: 'cpu-shares', short: 'c', kind: 'int', help: 'CPU shares (relative weight)' },
  { name: 'cpus', kind: 'string', valueName: 'decimal', help: 'Number of CPUs', validate: checkCpus },
  { name: 'cpuset-cpus', kind: 'string', help: 'CPUs in which to allow execution (0-3, 0,1)' },
  { name: 'cpuset-mems', kind: 'string', help: 'MEMs in which to allow execution (0-3, 0,1)' },
  { name: 'device', kind: 'list', help: 'Add a host device to the container', validate: validateDevice },
  { name: 'device-cgroup-rule', kind: 'list', help: 'Add a rule to the cgroup allowed devices list', validate: validateDeviceCgroupRule },
  { name: 'dns', kind: 'list', help: 'Set custom DNS servers', validate: validateIPAddress },
  { name: 'dns-opt', kind: 'list', help: 'Set DNS options', hidden: true, aliasOf: 'dns-option' },
  { name: 'dns-option', kind: 'list', help: 'Set DNS options' },
  { name: 'dns-search', kind: 'list', help: 'Set custom DNS search domains', validate: validateDNSSearch },
  { name: 'domainname', kind: 'string', help: 'Container NIS domain name' },
  { name: 'entrypoint', kind: 'string', help: 'Overwrite the default ENTRYPOINT of the image' },
  { name: 'env', short: 'e', kind: 'list', help: 'Set environment variables' },
  { name: 'env-file', kind: 'list', help: 'Read in a file of environment variables' },
  { name: 'expose', kind: 'list', help: 'Expose a port or a range of ports' },
  { name: 'group-add', kind: 'list', help: 'Add additional groups to join' },
  { name: 'hostname', short: 'h', kind: 'string', help: 'Container host name' },
  { name: 'init', kind: 'bool', help: 'Run an init inside the container that forwards signals and reaps processes' },
  { name: 'interactive', short: 'i', kind: 'bool', help: 'Keep STDIN open even if not attached' },
  { name: 'ip', kind: 'string', help: 'IPv4 address (e.g., 172.30.100.104)' },
  { name: 'ip6', kind: 'string', help: 'IPv6 address (e.g., 2001:db8::33)' },
  { name: 'ipc', kind: 'string', help: 'IPC mode to use' },
  { name: 'kernel-memory', kind: 'string', valueName: 'bytes', help: 'Kernel memory limit', validate: checkBytes },
  { name: 'label', short: 'l', kind: 'list', help: 'Set meta data on a container' },
  { name: 'label-file', kind: 'list', help: 'Read in a line delimited file of labels' },
  { name: 'link', kind: 'list', help: 'Add link to another container', validate: validateLink },
  { name: 'link-local-ip', kind: 'list', help: 'Container IPv4/IPv6 link-local addresses' },
  { name: 'log-driver', kind: 'string', help: 'Logging driver for the container' },
  { name: 'log-opt', kind: 'list', help: 'Log driver options' },
  { name: 'mac-address', kind: 'string', help: 'Container MAC address (e.g., 92:d0:c6:0a:29:33)' },
  { name: 'memory', short: 'm', kind: 'string', valueName: 'bytes', help: 'Memory limit', validate: checkBytes },
  { name: 'memory-reservation', kind: 'string', valueName: 'bytes', help: 'Memory soft limit', validate: checkBytes },
  { name: 'memory-swap', kind: 'string', valueName: 'bytes', help: "Swap limit equal to memory plus swap: '-1' to enable unlimited swap", validate: checkSwap },
  { name: 'memory-swappiness', kind: 'int', help: 'Tune container memory swappiness (0 to 100)', defaultText: '-1' },
  { name: 'mount', kind: 'list', valueName: 'mount', help: 'Attach a filesystem mount to the container', validate: checkMount },
  { name: 'name', kind: 'string', help: 'Assign a name to the container' },
  { name: 'network', kind: 'list', valueName: 'network', help: 'Connect a container to a network', validate: checkNetwork },
  { name: 'net', kind: 'list', valueName: 'network', help: 'Connect a container to a network', hidden: true, aliasOf: 'network', validate: checkNetwork },
  { name: 'network-alias', kind: 'list', help: 'Add network-scoped alias for the container' },
  { name: 'net-alias', kind: 'list', help: 'Add network-scoped alias for the container', hidden: true, aliasOf: 'network-alias' },
  { name: 'oom-kill-disable', kind: 'bool', help: 'Disable OOM Killer' },
  { name: 'oom-score-adj', kind: 'int', help: "Tune host's OOM preferences (-1000 to 1000)" },
  { name: 'pid', kind: 'string', help: 'PID namespace to use' },
  { name: 'pids-limit', kind: 'int', help: 'Tune container pids limit (set -1 for unlimited)' },
  { name: 'platform', kind: 'string', help: 'Set platform if server is multi-platform capable' },
  { name: 'privileged', kind: 'bool', help: 'Give extended privileges to this container' },
  { name: 'publish', short: 'p', kind: 'list', help: "Publish a container's port(s) to the host" },
  { name: 'publish-all', short: 'P', kind: 'bool', help: 'Publish all exposed ports to random ports' },
  { name: 'pull', kind: 'string', help: 'Pull image before running ("always", "missing", "never")', defaultText: '"missing"' },
  { name: 'quiet', short: 'q', kind: 'bool', help: 'Suppress the pull output' },
  { name: 'read-only', kind: 'bool', help: "Mount the container's root filesystem as read only" },
  { name: 'health-cmd', kind: 'string', help: 'Command to run to check health' },
  { name: 'health-interval', kind: 'string', valueName: 'duration', help: 'Time between running the check (ms|s|m|h) (default 0s)' },
  { name: 'health-retries', kind: 'int', help: 'Consecutive failures needed to report unhealthy' },
  { name: 'health-start-interval', kind: 'string', valueName: 'duration', help: 'Time between running the check during the start period (ms|s|m|h) (default 0s)' },
  { name: 'health-start-period', kind: 'string', valueName: 'duration', help: 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)' },
  { name: 'health-timeout', kind: 'string', valueName: 'duration', help: 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)' },
  { name: 'no-healthcheck', kind: 'bool', help: 'Disable any container-specified HEALTHCHECK' },
  { name: 'restart', kind: 'string', help: 'Restart policy to apply when a container exits', defaultText: '"no"' },
  { name: 'rm', kind: 'bool', help: 'Automatically remove the container and its associated anonymous volumes when it exits' },
  { name: 'runtime', kind: 'string', help: 'Runtime to use for this container' },
  { name: 'security-opt', kind: 'list', help: 'Security Options' },
  { name: 'shm-size', kind: 'string', valueName: 'bytes', help: 'Size of /dev/shm', validate: checkBytes },
  { name: 'stop-signal', kind: 'string', help: 'Signal to stop the container' },
  { name: 'stop-timeout', kind: 'int', help: 'Timeout (in seconds) to stop a container' },
  { name: 'sysctl', kind: 'list', help: 'Sysctl options', validate: validateSysctl },
  { name: 'tmpfs', kind: 'list', help: 'Mount a tmpfs directory' },
  { name: 'tty', short: 't', kind: 'bool', help: 'Allocate a pseudo-TTY' },
  { name: 'ulimit', kind: 'list', valueName: 'ulimit', help: 'Ulimit options', defaultText: '[]', validate: checkUlimit },
  { name: 'user', short: 'u', kind: 'string', help: 'Username or UID (format: <name|uid>[:<group|gid>])' },
  { name: 'userns', kind: 'string', help: 'User namespace to use' },
  { name: 'uts', kind: 'string', help: 'UTS namespace to use' },
  { name: 'volume', short: 'v', kind: 'list', help: 'Bind mount a volume' },
  { name: 'volume-driver', kind: 'string', help: 'Optional volume driver for the container' },
  { name: 'volumes-from', kind: 'list', help: 'Mount volumes from the specified container(s)' },
  { name: 'workdir', short: 'w', kind: 'string', help: 'Working directory inside the container' },
  { name: 'help', kind: 'bool', help: 'Print usage', hidden: true },
];

/** Flags only `run` has. */
export const RUN_ONLY_FLAGS: FlagSpec[] = [
  { name: 'detach', short: 'd', kind: 'bool', help: 'Run container in background and print container ID' },
  { name: 'detach-keys', kind: 'string', help: 'Override the key sequence for detaching a container' },
  { name: 'sig-proxy', kind: 'bool', defaultTrue: true, help: 'Proxy received signals to the process' },
];
