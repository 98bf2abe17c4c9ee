// Shared by the benchmarks: a private temp dir, berthd and a reference dockerd (Debian's docker.io)
// started on their own sockets and data roots, timing helpers, and a cleanup that stops what was
// started (by PID), unmounts and removes the temp dir.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DOCKER = process.env.DOCKER_CLI ?? '/usr/local/bin/docker';
export const log = (...a) => process.stderr.write(`[bench] ${a.join(' ')}\n`);

export function ping(sock) {
  return new Promise((resolve) => {
    const r = request({ socketPath: sock, path: '/_ping', timeout: 1000 }, (res) => {
      let b = '';
      res.on('data', (c) => (b += c));
      res.on('end', () => resolve(res.statusCode === 200 && b === 'OK'));
    });
    r.on('error', () => resolve(false));
    r.on('timeout', () => r.destroy());
    r.end();
  });
}

function ensureDockerd() {
  if (existsSync('/usr/sbin/dockerd')) return;
  log('installing docker.io (reference dockerd) with apt');
  const policy = '/usr/sbin/policy-rc.d';
  const added = !existsSync(policy);
  if (added) {
    writeFileSync(policy, '#!/bin/sh\nexit 101\n');
    chmodSync(policy, 0o755);
  }
  try {
    execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'docker.io'], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } finally {
    if (added) rmSync(policy, { force: true });
  }
}

/** A benchmark session: everything it starts lives under `tmp` and is stopped by `cleanup()`. */
export function benchSession() {
  if (process.getuid?.() !== 0) throw new Error('run as root');
  if (!existsSync(join(ROOT, 'dist', 'berthd.js'))) execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  const tmp = mkdtempSync(join(tmpdir(), 'berth-bench-'));
  const started = [];
  const netnsToDelete = [];

  async function startProcess(name, cmd, args, ready, timeoutMs, env = process.env) {
    const logFile = join(tmp, `${name}.log`);
    const fd = openSync(logFile, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', fd, fd], cwd: ROOT, env });
    started.push({ name, child });
    const t0 = Date.now();
    while (!(await ready())) {
      if (child.exitCode !== null || Date.now() - t0 > timeoutMs) {
        throw new Error(`${name} did not start; log:\n${readFileSync(logFile, 'utf8').slice(-3000)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    log(`${name} ready (pid ${child.pid})`);
    return child;
  }

  return {
    tmp,
    startProcess,
    /** berthd on private paths; answers its `unix://` host. */
    async startBerthd(extra = []) {
      const sock = join(tmp, 'berth.sock');
      // bin/berthd itself, so that the Node flags on its #! line apply. BERTHD_NODE_ARGS: extra
      // Node flags for the daemon, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (via NODE_OPTIONS)
      const extraNode = process.env.BERTHD_NODE_ARGS ?? '';
      const env = extraNode ? { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} ${extraNode}`.trim() } : process.env;
      await startProcess('berthd', join(ROOT, 'bin', 'berthd'), [
        '-H', `unix://${sock}`, '--data-root', join(tmp, 'berth-data'),
        '--exec-root', join(tmp, 'berth-exec'), '--pidfile', join(tmp, 'berthd.pid'), '--log-level', 'warn', ...extra,
      ], () => ping(sock), 15_000, env);
      return `unix://${sock}`;
    },
    /** The reference dockerd (REF_DOCKER_HOST if given), without touching the firewall. */
    async startDockerd() {
      if (process.env.REF_DOCKER_HOST) return process.env.REF_DOCKER_HOST;
      ensureDockerd();
      const sock = join(tmp, 'docker.sock');
      await startProcess('dockerd', '/usr/sbin/dockerd', [
        '-H', `unix://${sock}`, '--data-root', join(tmp, 'docker-data'), '--exec-root', join(tmp, 'docker-exec'),
        '--pidfile', join(tmp, 'dockerd.pid'), '--iptables=false', '--ip6tables=false', '--bridge=none',
      ], () => ping(sock), 60_000);
      return `unix://${sock}`;
    },
    /**
     * The reference dockerd with its own default bridge, iptables and docker-proxy, confined to a
     * network namespace of its own (and a private mount namespace, where /sys is remounted with the
     * cgroup tree, which `ip netns exec` would hide), so that the host's firewall is untouched.
     * Clients of its published ports must run in that namespace: see `inDockerNetns`.
     */
    async startNetworkedDockerd(bip = '10.231.0.1/24') {
      ensureDockerd();
      const ns = `berth-bench-${process.pid}`;
      execFileSync('ip', ['netns', 'add', ns]);
      netnsToDelete.push(ns);
      execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
      const sock = join(tmp, 'docker-net.sock');
      const script = join(tmp, 'start-dockerd.sh');
      writeFileSync(script, [
        '#!/bin/sh', 'set -e', `mkdir -p ${tmp}/cg`, `mount --rbind /sys/fs/cgroup ${tmp}/cg`, 'mount -t sysfs sysfs /sys',
        `mount --move ${tmp}/cg /sys/fs/cgroup`,
        `exec /usr/sbin/dockerd -H unix://${sock} --data-root ${tmp}/docker-net-data --exec-root ${tmp}/docker-net-exec --pidfile ${tmp}/dockerd-net.pid --bip ${bip}`,
        '',
      ].join('\n'));
      chmodSync(script, 0o755);
      await startProcess('dockerd (own netns)', 'nsenter', [`--net=/run/netns/${ns}`, 'unshare', '--mount', '--propagation', 'slave', script],
        () => ping(sock), 60_000);
      this.dockerNetns = ns;
      return `unix://${sock}`;
    },
    /** argv that runs a command in the networked dockerd's namespace. */
    inDockerNetns(argv) {
      return ['ip', 'netns', 'exec', this.dockerNetns, ...argv];
    },
    dockerEnv: (host) => ({ ...process.env, DOCKER_HOST: host, DOCKER_CONFIG: join(tmp, 'docker-config'), DOCKER_CLI_HINTS: 'false' }),
    /** Loads the host's static busybox as busybox:latest into each engine. */
    loadBusybox(hosts) {
      const archive = join(tmp, 'busybox.tar');
      execFileSync(process.execPath, [join(ROOT, 'scripts', 'mkimage-busybox.mjs'), '--out', archive, '--tag', 'busybox:latest'], { stdio: 'ignore' });
      for (const host of hosts) execFileSync(DOCKER, ['load', '-i', archive], { env: this.dockerEnv(host), stdio: 'ignore' });
    },
    async cleanup() {
      for (const { name, child } of started.reverse()) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
        log(`${name} stopped`);
      }
      // processes still referring to our temp dir (a containerd-shim or conmon left behind) are ours
      for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          continue;
        }
        if (cmd.includes(tmp) && Number(pid) !== process.pid) {
          try {
            process.kill(Number(pid), 'SIGKILL');
          } catch {}
        }
      }
      const mounts = readFileSync('/proc/mounts', 'utf8')
        .split('\n')
        .map((l) => (l.split(' ')[1] ?? '').replace(/\\([0-7]{3})/g, (_, o) => String.fromCharCode(parseInt(o, 8))))
        .filter((m) => m.startsWith(`${tmp}/`))
        .sort((a, b) => b.length - a.length);
      for (const m of mounts) spawnSync('umount', ['-l', m]);
      for (const ns of netnsToDelete) spawnSync('ip', ['netns', 'delete', ns]);
      rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Runs a command to completion and answers its wall time in ms; throws when it fails. */
export function timeRun(cmd, args, env) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return ms;
}

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
export const p90 = (xs) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.9))];

/**
 * The latency comparison of run-latency and exec-latency: the same command line timed, after a
 * warm-up and alternating, (a) with the docker CLI against berthd vs against dockerd, and (b) with
 * the berth CLI (through its launcher) against berthd vs the docker CLI against dockerd.
 */
export function compareLatency(s, { title, berthHost, refHost, args, targets, runs = Number(process.env.RUNS ?? 20), warmup = 3 }) {
  const cases = {
    a: () => timeRun(DOCKER, args, s.dockerEnv(berthHost)),
    b: () => timeRun(join(ROOT, 'bin', 'berth'), ['-H', berthHost, ...args], process.env),
    ref: () => timeRun(DOCKER, args, s.dockerEnv(refHost)),
  };
  for (let i = 0; i < warmup; i++) for (const f of Object.values(cases)) f();
  const t = { a: [], b: [], refA: [], refB: [], node: [], nodeBare: [] };
  for (let i = 0; i < runs; i++) {
    t.a.push(cases.a());
    t.refA.push(cases.ref());
  }
  for (let i = 0; i < runs; i++) {
    t.b.push(cases.b());
    t.refB.push(cases.ref());
  }
  const bareEnv = { ...process.env };
  delete bareEnv.NODE_EXTRA_CA_CERTS;
  for (let i = 0; i < runs; i++) t.node.push(timeRun(process.execPath, ['-e', '0'], process.env));
  for (let i = 0; i < runs; i++) t.nodeBare.push(timeRun(process.execPath, ['-e', '0'], bareEnv));
  const f = (x) => `${x.toFixed(1)} ms`;
  const ra = median(t.a) / median(t.refA);
  const rb = median(t.b) / median(t.refB);
  console.log(`${title}; runs: ${runs} each (after ${warmup} warm-up), alternating; medians (p90)`);
  console.log(`(a) docker CLI → berthd  ${f(median(t.a))} (${f(p90(t.a))})  vs dockerd ${f(median(t.refA))} (${f(p90(t.refA))})  ratio ${ra.toFixed(3)}  target ≤ ${targets.a} ${ra <= targets.a ? 'OK' : 'MISSED'}`);
  console.log(`(b) berth CLI  → berthd  ${f(median(t.b))} (${f(p90(t.b))})  vs docker → dockerd ${f(median(t.refB))} (${f(p90(t.refB))})  ratio ${rb.toFixed(3)}  target ≤ ${targets.b} ${rb <= targets.b ? 'OK' : 'MISSED'}`);
  console.log(`node -e 0 floor: ${f(median(t.nodeBare))} (${f(median(t.node))} with this environment's NODE_EXTRA_CA_CERTS, which bin/berth drops)`);
}
