/**
 * Data in and out of containers (issue 6): bind mounts, named and anonymous volumes with the
 * local driver, copy-up from the image, --volumes-from, tmpfs, the volume commands and
 * `system df -v`, for a docker-compatible CLI against berthd.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { busyboxArchive, loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';


export function defineVolumeSuite(kind: 'docker' | 'berth'): void {
  const skip = !IS_ROOT ? 'needs root' : kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

  describe(`${kind} CLI: volumes, bind mounts and tmpfs`, { skip }, () => {
    let d: TestDaemon;
    let cli: Cli;
    let host: string;
    const label = `suite=${uniqueName(kind)}`;

    before(async () => {
      d = await startDaemon();
      cli = cliFor(kind, d.host);
      await loadBusybox(d.socket);
      host = await mkdtemp(join(tmpdir(), 'berth-volumes-'));
    });
    after(async () => {
      await d?.stop();
      if (host) await rm(host, { recursive: true, force: true });
    });

    const run = (args: string[]) => cli(['run', '--rm', ...args]);
    const inspect = async (ref: string, format: string) => ok(await cli(['inspect', '-f', format, ref])).stdout.trim();
    const volumeNames = async (): Promise<string[]> => ok(await cli(['volume', 'ls', '-q'])).stdout.split('\n').filter(Boolean);

    it('the tutorial flow: a bind-mounted work dir gets the results, owned as the container user', async () => {
      const data = join(host, 'data');
      await mkdir(data, { mode: 0o777 });
      await chmod(data, 0o777);
      await writeFile(join(data, 'input.txt'), '3\n1\n2\n');
      ok(await run(['-v', `${data}:/root`, 'busybox', 'sh', '-c', 'cd /root && sort input.txt > sorted.txt']));
      assert.equal(await readFile(join(data, 'sorted.txt'), 'utf8'), '1\n2\n3\n');
      assert.equal((await stat(join(data, 'sorted.txt'))).uid, 0);
      ok(await run(['-u', '1234:5678', '-v', `${data}:/work`, 'busybox', 'sh', '-c', 'touch /work/mine']));
      const mine = await stat(join(data, 'mine'));
      assert.deepEqual([mine.uid, mine.gid], [1234, 5678]);
      const name = uniqueName('bind');
      ok(await cli(['run', '-d', '--name', name, '-v', `${data}:/root`, 'busybox', 'sleep', '60']));
      const mounts = JSON.parse(await inspect(name, '{{json .Mounts}}')) as unknown[];
      assert.deepEqual(mounts, [{ Type: 'bind', Source: data, Destination: '/root', Mode: '', RW: true, Propagation: 'rprivate' }]);
      ok(await cli(['rm', '-f', name]));
    });

    it('-v creates a missing host dir, --mount refuses it; :ro refuses writes; a single file binds', async () => {
      const missing = join(host, 'created-by-v');
      ok(await run(['-v', `${missing}:/m`, 'busybox', 'true']));
      assert.ok((await stat(missing)).isDirectory());
      const refused = await run(['--mount', `type=bind,src=${join(host, 'nope')},dst=/m`, 'busybox', 'true']);
      assert.equal(refused.code, 125);
      assert.match(refused.stderr, /bind source path does not exist/);
      const ro = await run(['-v', `${missing}:/m:ro`, 'busybox', 'sh', '-c', 'echo x > /m/f']);
      assert.notEqual(ro.code, 0);
      assert.match(ro.stderr, /Read-only file system/);
      const file = join(host, 'one.conf');
      await writeFile(file, 'key=value\n');
      assert.equal(ok(await run(['-v', `${file}:/etc/one.conf:ro`, 'busybox', 'cat', '/etc/one.conf'])).stdout, 'key=value\n');
      ok(await run(['--mount', `type=bind,src=${missing},dst=/m,bind-propagation=rslave`, 'busybox', 'true']));
    });

    it('a named volume outlives its container and is seen by the next; copy-up fills a new volume from the image', async () => {
      const vol = uniqueName('vol');
      assert.equal(ok(await cli(['volume', 'create', '--label', label, vol])).stdout, `${vol}\n`);
      ok(await run(['-v', `${vol}:/data`, 'busybox', 'sh', '-c', 'echo kept > /data/f']));
      assert.equal(ok(await run(['-v', `${vol}:/data`, 'busybox', 'cat', '/data/f'])).stdout, 'kept\n');
      const info = JSON.parse(ok(await cli(['volume', 'inspect', vol])).stdout) as Array<{ Name: string; Driver: string; Mountpoint: string; Labels: Record<string, string>; Scope: string }>;
      assert.equal(info[0]!.Name, vol);
      assert.equal(info[0]!.Driver, 'local');
      assert.equal(info[0]!.Scope, 'local');
      assert.equal(await readFile(join(info[0]!.Mountpoint, 'f'), 'utf8'), 'kept\n');
      const etc = uniqueName('etc');
      ok(await run(['-v', `${etc}:/etc`, 'busybox', 'true']));
      const mp = JSON.parse(ok(await cli(['volume', 'inspect', etc])).stdout)[0].Mountpoint as string;
      assert.match(await readFile(join(mp, 'passwd'), 'utf8'), /^root:/m, 'the image /etc was copied into the new volume');
      const nocopy = uniqueName('nocopy');
      ok(await run(['--mount', `type=volume,src=${nocopy},dst=/etc,volume-nocopy`, 'busybox', 'true']));
      const mp2 = JSON.parse(ok(await cli(['volume', 'inspect', nocopy])).stdout)[0].Mountpoint as string;
      assert.equal(existsSync(join(mp2, 'passwd')), false);
      const name = uniqueName('mnt');
      ok(await cli(['run', '-d', '--name', name, '--mount', `type=volume,src=${vol},dst=/data,readonly`, 'busybox', 'sleep', '60']));
      const mounts = JSON.parse(await inspect(name, '{{json .Mounts}}')) as unknown[];
      assert.deepEqual(mounts, [{ Type: 'volume', Name: vol, Source: info[0]!.Mountpoint, Destination: '/data', Driver: 'local', Mode: '', RW: false, Propagation: '' }]);
      const inUse = await cli(['volume', 'rm', vol]);
      assert.notEqual(inUse.code, 0);
      assert.match(inUse.stderr, /volume is in use/);
      ok(await cli(['rm', '-f', name]));
      ok(await cli(['volume', 'rm', vol, etc, nocopy]));
      assert.ok(!(await volumeNames()).includes(vol));
    });

    it('anonymous volumes (-v /path, image VOLUME) go with rm -v and --rm; --volumes-from shares them', async () => {
      const rootfs = await busyboxArchive({ format: 'rootfs' });
      ok(await cli(['import', '-c', 'VOLUME ["/state"]', rootfs, 'withvol:1']));
      const owner = uniqueName('owner');
      ok(await cli(['run', '-d', '--name', owner, '-v', '/scratch', 'withvol:1', 'sh', '-c', 'echo s > /state/s; echo t > /scratch/t; sleep 60']));
      const mounts = JSON.parse(await inspect(owner, '{{json .Mounts}}')) as Array<{ Type: string; Name: string; Destination: string }>;
      assert.deepEqual(mounts.map((m) => [m.Type, m.Destination]).sort(), [['volume', '/scratch'], ['volume', '/state']]);
      const anon = mounts.map((m) => m.Name);
      assert.ok(anon.every((n) => /^[0-9a-f]{64}$/.test(n)));
      const r = ok(await run(['--volumes-from', `${owner}:ro`, 'busybox', 'sh', '-c', 'sleep 0.5; cat /state/s /scratch/t; echo x > /state/y || echo READONLY']));
      assert.match(r.stdout, /^s\nt\n/);
      assert.match(r.stdout, /READONLY/);
      ok(await cli(['rm', '-f', '-v', owner]));
      const left = await volumeNames();
      assert.ok(anon.every((n) => !left.includes(n)), 'rm -v removed the anonymous volumes');
      const before = await volumeNames();
      ok(await run(['-v', '/tmpdata', 'busybox', 'true']));
      assert.deepEqual(await volumeNames(), before, '--rm removed its anonymous volume');
      const keep = uniqueName('keep');
      ok(await cli(['create', '--name', keep, '-v', '/x', 'busybox']));
      ok(await cli(['rm', keep]));
      assert.equal((await volumeNames()).length, before.length + 1, 'without -v the anonymous volume stays');
      ok(await cli(['rmi', 'withvol:1']));
    });

    it('docker cp sees a running container\'s volumes and bind mounts', async () => {
      const vol = uniqueName('cpvol');
      const bind = join(host, 'cpbind');
      await mkdir(bind);
      await writeFile(join(bind, 'from-host.txt'), 'bound\n');
      const name = uniqueName('cpc');
      ok(await cli(['run', '-d', '--name', name, '-v', `${vol}:/data`, '-v', `${bind}:/bound`, 'busybox', 'sleep', '60']));
      const src = join(host, 'to-volume.txt');
      await writeFile(src, 'into the volume\n');
      ok(await cli(['cp', src, `${name}:/data/`]));
      const mp = JSON.parse(ok(await cli(['volume', 'inspect', vol])).stdout)[0].Mountpoint as string;
      assert.equal(await readFile(join(mp, 'to-volume.txt'), 'utf8'), 'into the volume\n');
      const out = join(host, 'copied-out.txt');
      ok(await cli(['cp', `${name}:/bound/from-host.txt`, out]));
      assert.equal(await readFile(out, 'utf8'), 'bound\n');
      ok(await cli(['rm', '-f', name]));
      ok(await cli(['volume', 'rm', vol]));
    });

    it('tmpfs mounts with size and mode; a local volume with tmpfs driver options', async () => {
      const r = ok(await run(['--tmpfs', '/run:size=64m,mode=1777', '--mount', 'type=tmpfs,dst=/cache,tmpfs-size=1048576', 'busybox', 'sh', '-c',
        'df -k /run /cache | tail -2; stat -c %a /run; grep -E " /(run|cache) " /proc/mounts']));
      assert.match(r.stdout, /^tmpfs\s+65536\s/m);
      assert.match(r.stdout, /^tmpfs\s+1024\s/m);
      assert.match(r.stdout, /^1777$/m);
      const tv = uniqueName('tv');
      ok(await cli(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=2m', tv]));
      assert.match(ok(await run(['-v', `${tv}:/t`, 'busybox', 'df', '-k', '/t'])).stdout, /^tmpfs\s+2048\s/m);
      ok(await cli(['volume', 'rm', tv]));
    });

    it('inspect finds a volume after containers, images and networks; --type volume; the errors as docker (checked against dockerd)', async () => {
      const vol = uniqueName('insp');
      ok(await cli(['volume', 'create', '--label', label, vol]));
      const [info] = JSON.parse(ok(await cli(['inspect', vol])).stdout) as Array<{ Name: string; Driver: string; Mountpoint: string; Scope: string }>;
      assert.deepEqual([info?.Name, info?.Driver, info?.Scope], [vol, 'local', 'local']);
      assert.equal(await inspect(vol, '{{.Name}} {{.Driver}}'), `${vol} local`);
      // a network of the same name comes first, unless the type is given
      ok(await cli(['network', 'create', vol]));
      try {
        assert.equal(await inspect(vol, '{{.Name}} {{.Driver}}'), `${vol} bridge`);
        const typed = ok(await cli(['inspect', '--type', 'volume', '-f', '{{.Name}} {{.Mountpoint}}', vol])).stdout.trim();
        assert.equal(typed, `${vol} ${info?.Mountpoint}`);
      } finally {
        ok(await cli(['network', 'rm', vol]));
      }
      const missing = `no-such-${uniqueName('v')}`;
      const typedMissing = await cli(['inspect', '--type', 'volume', missing]);
      assert.deepEqual([typedMissing.code, typedMissing.stdout.trim()], [1, '[]']);
      assert.equal(typedMissing.stderr.trim(), `Error response from daemon: get ${missing}: no such volume`);
      const anyMissing = await cli(['inspect', missing]);
      assert.deepEqual([anyMissing.code, anyMissing.stdout.trim(), anyMissing.stderr.trim()], [1, '[]', `Error: No such object: ${missing}`]);
      ok(await cli(['volume', 'rm', vol]));
    });

    it('volume ls filters, prune (anonymous only unless -a), system df -v with sizes', async () => {
      const a = uniqueName('la');
      const b = uniqueName('lb');
      ok(await cli(['volume', 'create', '--label', `${label}`, '--label', 'tier=db', a]));
      ok(await cli(['volume', 'create', '--label', `${label}`, b]));
      ok(await run(['-v', `${a}:/d`, 'busybox', 'sh', '-c', 'head -c 100000 /dev/zero > /d/blob']));
      const holder = uniqueName('holder');
      ok(await cli(['run', '-d', '--name', holder, '-v', `${b}:/d`, 'busybox', 'sleep', '60']));
      const ls = (f: string[]) => cli(['volume', 'ls', '-q', ...f.flatMap((x) => ['-f', x])]).then((r) => ok(r).stdout.split('\n').filter(Boolean));
      assert.deepEqual((await ls([`label=${label}`])).sort(), [a, b].sort());
      assert.deepEqual(await ls([`label=${label}`, 'label=tier=db']), [a]);
      assert.deepEqual(await ls([`name=${a}`]), [a]);
      assert.deepEqual(await ls([`label=${label}`, 'dangling=true']), [a]);
      const df = ok(await cli(['system', 'df', '-v'])).stdout;
      assert.match(df, new RegExp(`^${a}\\s+0\\s+10\\d(\\.\\d+)?kB`, 'm'), df);
      assert.match(df, new RegExp(`^${b}\\s+1\\s`, 'm'), df);
      ok(await cli(['volume', 'prune', '-f', '--filter', `label=${label}`]));
      assert.deepEqual((await ls([`label=${label}`])).sort(), [a, b].sort(), 'named volumes survive a plain prune');
      const pruned = ok(await cli(['volume', 'prune', '-a', '-f', '--filter', `label=${label}`])).stdout;
      assert.match(pruned, new RegExp(`Deleted Volumes:\\n${a}\\n`));
      assert.deepEqual(await ls([`label=${label}`]), [b], 'the one in use stays');
      ok(await cli(['rm', '-f', holder]));
      ok(await cli(['volume', 'rm', b]));
      const missing = await cli(['volume', 'inspect', 'no-such-volume-x']);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /no such volume/);
    });
  });
}
