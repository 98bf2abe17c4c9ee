/**
 * A berthd per test suite, on its own socket, data root and exec root under a fresh temp dir,
 * stopped and cleaned up completely afterwards (containers, mounts, conmon processes, files).
 */
import { spawn, execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, openSync, closeSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { poolPrefix } from '../../src/network/netns.js';
import { api } from './http.js';
import { BERTHD_BIN, REPO_ROOT } from './paths.js';

const run = promisify(execFile);

export interface TestDaemon {
  /** The temp dir holding everything of this daemon. */
  dir: string;
  socket: string;
  /** `unix://<socket>`, for -H / DOCKER_HOST. */
  host: string;
  dataRoot: string;
  execRoot: string;
  pidfile: string;
  /** The daemon's stdout+stderr. */
  logFile: string;
  pid: number;
  /** The daemon's log so far. */
  log(): Promise<string>;
  /** SIGTERM and wait for the exit, leaving containers and files alone (restart tests). */
  terminate(): Promise<number | null>;
  /** Removes all containers (force), terminates, kills leftovers, unmounts, deletes the dir. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Reuse the dirs of an earlier daemon (restart tests); default: a new temp dir. */
  dir?: string;
  /** More berthd flags. */
  args?: string[];
  /** How long to wait for /_ping (ms). */
  timeoutMs?: number;
}

/**
 * The network settings of a test daemon, derived from its dir (a restarted daemon gets the same):
 * its own default bridge and /25, and a /25 for the networks it creates without --subnet.
 */
export function testNetwork(dir: string): { bridge: string; bip: string; subnet: string; pool: string } {
  const h = createHash('sha256').update(dir).digest();
  const a = 100 + (h[0]! % 150);
  const b = h[1]!;
  return {
    bridge: `bt${h.subarray(2, 7).toString('hex')}`,
    bip: `10.${a}.${b}.1/25`,
    subnet: `10.${a}.${b}.0/25`,
    pool: `10.${a}.${b}.128/25`,
  };
}

/** berthd's arguments for a temp dir; run them with BERTHD_BIN itself, whose `#!` line carries Node's flags. */
export function daemonArgs(dir: string, extra: string[] = []): string[] {
  const net = testNetwork(dir);
  return [
    '-H', `unix://${join(dir, 'berth.sock')}`,
    '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'),
    '--pidfile', join(dir, 'berthd.pid'),
    '--log-level', 'debug',
    '--bridge', net.bridge, '--bip', net.bip, '--default-address-pool', `base=${net.pool},size=28`,
    ...extra,
  ];
}

/** Starts berthd and waits until `GET /_ping` answers OK. Throws with the daemon's log on failure. */
export async function startDaemon(opts: StartOptions = {}): Promise<TestDaemon> {
  if (!existsSync(join(REPO_ROOT, 'dist', 'berthd.js'))) throw new Error('dist/berthd.js is missing: run `npm run build` first');
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'berth-test-')));
  const socket = join(dir, 'berth.sock');
  const logFile = join(dir, 'berthd.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(BERTHD_BIN, daemonArgs(dir, opts.args), { stdio: ['ignore', fd, fd], cwd: REPO_ROOT });
  closeSync(fd);
  let exited: number | null | undefined;
  const exit = new Promise<number | null>((resolve) => {
    child.on('exit', (code, signal) => {
      exited = code ?? (signal ? 128 : null);
      resolve(exited);
    });
  });
  const pid = child.pid;
  const log = () => readFile(logFile, 'utf8').catch(() => '');
  const d: TestDaemon = {
    dir,
    socket,
    host: `unix://${socket}`,
    dataRoot: join(dir, 'data'),
    execRoot: join(dir, 'exec'),
    pidfile: join(dir, 'berthd.pid'),
    logFile,
    pid: pid ?? -1,
    log,
    async terminate() {
      if (exited !== undefined || pid === undefined) return exited ?? null;
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }, 15_000);
      const code = await exit;
      clearTimeout(timer);
      return code;
    },
    async stop() {
      if (exited === undefined) await removeAllContainers(socket).catch(() => {});
      await d.terminate();
      await cleanupDir(dir);
    },
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
  for (;;) {
    if (exited !== undefined) {
      const text = await log();
      if (!opts.dir) await cleanupDir(dir);
      throw new Error(`berthd exited with ${exited} before answering /_ping; its log:\n${text}`);
    }
    const ok = await api(socket, { path: '/_ping', timeoutMs: 1000 }).then(
      (r) => r.status === 200 && r.text === 'OK',
      () => false,
    );
    if (ok) return d;
    if (Date.now() > deadline) {
      await d.terminate();
      const text = await log();
      if (!opts.dir) await cleanupDir(dir);
      throw new Error(`berthd did not answer /_ping within ${opts.timeoutMs ?? 10_000} ms; its log:\n${text}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** DELETE every container (force, with anonymous volumes). */
export async function removeAllContainers(socket: string): Promise<void> {
  const res = await api(socket, { path: '/containers/json?all=1', timeoutMs: 10_000 });
  if (res.status !== 200) return;
  const list = res.json<{ Id: string }[]>();
  await Promise.all(
    list.map((c) => api(socket, { method: 'DELETE', path: `/containers/${c.Id}?force=1&v=1`, timeoutMs: 20_000 }).catch(() => {})),
  );
}

/**
 * Cleans up after a daemon that has exited: deletes runc containers whose state lives under
 * the dir, kills the conmon processes and container inits recorded under the exec root (only
 * those PIDs, after checking they still are what they were), lazily unmounts everything
 * mounted under the dir (deepest first) and deletes the dir.
 */
export async function cleanupDir(dir: string): Promise<void> {
  await deleteRuncContainers(dir).catch(() => {});
  await killRecordedProcesses(join(dir, 'exec', 'containers')).catch(() => {});
  await teardownNetworks(join(dir, 'exec', 'network')).catch(() => {});
  await unmountUnder(dir).catch(() => {});
  await rm(dir, { recursive: true, force: true }).catch(async () => {
    await unmountUnder(dir).catch(() => {});
    await rm(dir, { recursive: true, force: true });
  });
}

/** Finds runc state dirs (`<root>/<id>/state.json`) under `dir` and force-deletes those containers. */
async function deleteRuncContainers(dir: string): Promise<void> {
  const roots = new Set<string>();
  const walk = async (d: string, depth: number): Promise<void> => {
    if (depth > 4) return;
    const entries = await readdir(d, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (!e.isDirectory() || e.name === 'rootfs' || e.name === 'data') continue;
      const sub = join(d, e.name);
      if (existsSync(join(sub, 'state.json'))) roots.add(d);
      else await walk(sub, depth + 1);
    }
  };
  await walk(join(dir, 'exec'), 0);
  for (const root of roots) {
    for (const id of await readdir(root).catch(() => [])) {
      if (!existsSync(join(root, id, 'state.json'))) continue;
      await run('runc', ['--root', root, 'delete', '--force', id], { timeout: 10_000 }).catch(() => {});
    }
  }
}

/**
 * Tears down what a daemon that did not clean up left of its container networking: netavark
 * teardown with each attachment's options, then its namespace.
 */
async function teardownNetworks(netDir: string): Promise<void> {
  const dir = join(netDir, 'containers');
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.endsWith('.json')) continue;
    const att = JSON.parse(await readFile(join(dir, name), 'utf8')) as { containerId: string; netnsPath: string };
    const opts = join(dir, `${att.containerId}.netavark`);
    if (existsSync(opts)) {
      await run('flock', ['-o', '-w', '60', '/run/lock/berth-netavark.lock', '/usr/lib/podman/netavark', '--config', join(netDir, 'netavark'),
        '--aardvark-binary', '/usr/lib/podman/aardvark-dns', '--file', opts, 'teardown', att.netnsPath], { timeout: 60_000 }).catch(() => {});
    }
    await run('ip', ['netns', 'delete', att.netnsPath.split('/').pop()!]).catch(() => {});
  }
  // the daemon's spare namespaces (src/network/netns.ts)
  const prefix = poolPrefix(netDir);
  for (const name of await readdir('/run/netns').catch(() => [] as string[])) {
    if (name.startsWith(prefix)) await run('ip', ['netns', 'delete', name]).catch(() => {});
  }
}

async function killRecordedProcesses(containersDir: string): Promise<void> {
  const ourPidNs = await readlink('/proc/self/ns/pid').catch(() => '');
  for (const id of await readdir(containersDir).catch(() => [])) {
    const conmon = await readPid(join(containersDir, id, 'conmon.pid'));
    if (conmon && (await readFile(`/proc/${conmon}/comm`, 'utf8').catch(() => '')).trim() === 'conmon') {
      signal(conmon);
    }
    for (const f of ['pidfile', 'pid']) {
      const init = await readPid(join(containersDir, id, f));
      // a container's init lives in another pid namespace; anything else is not ours to kill
      const ns = init ? await readlink(`/proc/${init}/ns/pid`).catch(() => '') : '';
      if (init && ns && ns !== ourPidNs) signal(init);
    }
  }
}

async function readPid(path: string): Promise<number | undefined> {
  const n = Number((await readFile(path, 'utf8').catch(() => '')).trim());
  return Number.isInteger(n) && n > 1 ? n : undefined;
}

function signal(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Lazily unmounts every mount point under `dir`, deepest first (paths in /proc/mounts are octal-escaped). */
export async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const mounts = (await readFile('/proc/mounts', 'utf8'))
      .split('\n')
      .map((l) => l.split(' ')[1])
      .filter((m): m is string => m !== undefined)
      .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
      .filter((m) => m === dir || m.startsWith(`${dir}/`))
      .sort((a, b) => b.split('/').length - a.split('/').length);
    if (mounts.length === 0) return;
    for (const m of mounts) await run('umount', ['-l', m]).catch(() => {});
  }
}
