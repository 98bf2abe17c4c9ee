/** Test helper (used by *.root.test.ts only): a busybox rootfs and container plans. */
import { chmod, copyFile, mkdir, readdir, readFile, rm, rmdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { RuntimeChoice } from './detect.js';
import type { ContainerPlan, ContainerRuntime } from './types.js';

const APPLETS = ['sh', 'echo', 'cat', 'sleep', 'true', 'false', 'ls', 'id', 'ps', 'ip', 'touch', 'mount', 'hostname', 'env', 'grep', 'pwd', 'kill', 'readlink', 'wc', 'head', 'stty', 'tty'];

/** Makes <dir>/lower with busybox, applet links, /etc/passwd and /etc/group. */
export async function makeBusyboxRootfs(dir: string): Promise<string> {
  const lower = join(dir, 'lower');
  await mkdir(join(lower, 'bin'), { recursive: true });
  for (const d of ['etc', 'proc', 'sys', 'dev', 'tmp', 'root', 'home/alice', 'sbin', 'noexec']) await mkdir(join(lower, d), { recursive: true });
  await copyFile('/bin/busybox', join(lower, 'bin/busybox'));
  await chmod(join(lower, 'bin/busybox'), 0o755);
  await Promise.all(APPLETS.map((a) => symlink('busybox', join(lower, 'bin', a))));
  await writeFile(join(lower, 'noexec/script'), '#!/bin/sh\necho hi\n', { mode: 0o644 });
  await writeFile(
    join(lower, 'etc/passwd'),
    'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nbob:x:1001:1001::/home/bob:/bin/sh\n',
  );
  await writeFile(join(lower, 'etc/group'), 'root:x:0:\nalice:x:1000:\nbob:x:1001:\nwheel:x:10:alice,bob\naudio:x:29:alice\n');
  return lower;
}

/** A plan for a container in execRoot over lower (upper/work/log/etc files under dataDir). */
export async function makePlan(execRoot: string, dataDir: string, lower: string, over: Partial<ContainerPlan> & { args: string[] }): Promise<ContainerPlan> {
  const id = randomBytes(32).toString('hex');
  const data = join(dataDir, id);
  await mkdir(data, { recursive: true });
  await writeFile(join(data, 'hostname'), 'box\n');
  await writeFile(join(data, 'hosts'), '127.0.0.1 localhost\n');
  await writeFile(join(data, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  const { args, ...rest } = over;
  return {
    id,
    bundleDir: join(execRoot, 'containers', id),
    lowerDirs: [lower],
    upperDir: join(data, 'upper'),
    workDir: join(data, 'work'),
    logPath: join(data, 'ctr.log'),
    hostnamePath: join(data, 'hostname'),
    hostsPath: join(data, 'hosts'),
    resolvConfPath: join(data, 'resolv.conf'),
    process: { args, env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: '', tty: false, openStdin: false },
    hostname: 'box',
    domainname: '',
    mounts: [],
    readonlyRootfs: false,
    init: false,
    network: { mode: 'none' },
    ...rest,
  };
}

/**
 * The end of a root runtime test: cleans up every container it made, removes its cgroup parent
 * from each controller and its temp dir, and throws if anything stayed mounted under the dir.
 */
export async function cleanupRuntimeTest(rt: ContainerRuntime, ids: readonly string[], dir: string, cgroupParent: string): Promise<void> {
  for (const id of ids) await rt.cleanup(id).catch(() => undefined);
  await rt.close();
  for (const ctrl of await readdir('/sys/fs/cgroup').catch(() => [] as string[])) {
    await rmdir(join('/sys/fs/cgroup', ctrl, cgroupParent.replace(/^\//, ''))).catch(() => undefined);
  }
  const mounts = await readFile('/proc/mounts', 'utf8');
  await rm(dir, { recursive: true, force: true });
  if (mounts.includes(dir)) throw new Error(`mounts left under ${dir}`);
}

/**
 * The runtime a root runtime test asks for: BERTH_TEST_RUNTIME (runc or crun), else auto. The
 * *-runc.root.test.ts files run the same suites again on runc, the fallback where crun cannot run.
 */
export function testRuntime(): RuntimeChoice {
  const v = process.env['BERTH_TEST_RUNTIME'];
  return v === 'runc' || v === 'crun' ? v : 'auto';
}
