/**
 * Security settings (issue 8) for a docker-compatible CLI against berthd on runc: capabilities
 * (defaults, --cap-add/--cap-drop, ALL, unknown names), --privileged, seccomp (default profile,
 * unconfined, a profile file), no-new-privileges, --device, --group-add, --read-only, namespaces,
 * --sysctl, exec --privileged, and the API over TCP (TLS with client certificates, loopback only
 * without TLS).
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, docker, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';
import { freePort } from '../helpers/ports.js';

const run = promisify(execFile);

/** Docker's default capability set as /proc/<pid>/status shows it. */
const DEFAULT_CAPS = '00000000a80425fb';
const HOST_CAPS = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? '';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl in `dir`. */
async function makeCerts(dir: string): Promise<void> {
  const ssl = (args: string[]) => run('openssl', args, { cwd: dir });
  await ssl(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca-key.pem', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=berth test CA']);
  await writeFile(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  await writeFile(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    await ssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${who}-key.pem`, '-out', `${who}.csr`, '-subj', `/CN=${who}`]);
    await ssl(['x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca-key.pem', '-CAcreateserial', '-out', `${who}-cert.pem`, '-days', '2', '-extfile', `${who}.ext`]);
  }
}

export function defineSecuritySuite(kind: 'docker' | 'berth'): void {
  const skip = !IS_ROOT ? 'needs root' : kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

  describe(`${kind} CLI: security options`, { skip }, () => {
    let d: TestDaemon;
    let cli: Cli;
    const capEff = async (args: string[]) =>
      /CapEff:\s*([0-9a-f]+)/.exec(ok(await cli(['run', '--rm', ...args, 'busybox', 'grep', 'CapEff', '/proc/self/status'])).stdout)?.[1];

    before(async () => {
      d = await startDaemon();
      cli = cliFor(kind, d.host);
      await loadBusybox(d.socket);
    });
    after(async () => {
      await d?.stop();
    });

    it('--runtime picks runc or crun per container; the default is recorded; an unknown one is refused', async () => {
      const info = JSON.parse(ok(await cli(['info', '--format', '{{json .}}'])).stdout) as { DefaultRuntime: string; Runtimes: Record<string, unknown> };
      assert.deepEqual(Object.keys(info.Runtimes).sort(), ['crun', 'runc']);
      const ids: string[] = [];
      try {
        for (const rt of ['runc', 'crun', '']) {
          const id = ok(await cli(['run', '-d', ...(rt ? ['--runtime', rt] : []), 'busybox', 'sleep', '100'])).stdout.trim();
          ids.push(id);
          const want = rt || info.DefaultRuntime;
          assert.equal(ok(await cli(['inspect', '-f', '{{.HostConfig.Runtime}}', id])).stdout.trim(), want);
          // the runtime's state dir names who made it; exec and removal go through the same one
          assert.ok(existsSync(join(d.execRoot, want, id)), `${want} holds ${id}`);
          assert.equal(ok(await cli(['exec', id, 'echo', `on ${want}`])).stdout, `on ${want}\n`);
          ok(await cli(['rm', '-f', id]));
          assert.equal(existsSync(join(d.execRoot, want, id)), false, `${want}'s state for ${id} is deleted`);
        }
        const bad = await cli(['run', '--rm', '--runtime', 'nope', 'busybox', 'true']);
        assert.equal(bad.code, 125);
        assert.match(bad.stderr, /unknown or invalid runtime name: nope/);
      } finally {
        await cli(['rm', '-f', ...ids]);
      }
    });

    it('gives Docker\'s default capabilities; --cap-drop ALL none; --cap-add ALL and --privileged all the host has', async () => {
      assert.equal(await capEff([]), DEFAULT_CAPS);
      assert.equal(await capEff(['--cap-drop', 'ALL']), '0000000000000000');
      assert.equal(await capEff(['--cap-drop', 'all', '--cap-add', 'chown']), '0000000000000001');
      assert.equal(await capEff(['--cap-drop', 'CAP_NET_RAW']), 'a80405fb'.padStart(16, '0'));
      assert.equal(await capEff(['--cap-add', 'ALL']), HOST_CAPS);
      assert.equal(await capEff(['--privileged']), HOST_CAPS);
    });

    it('--cap-add NET_ADMIN allows changing interfaces, which the defaults refuse', async () => {
      const cmd = ['busybox', 'ip', 'addr', 'add', '10.255.255.1/32', 'dev', 'lo'];
      const denied = await cli(['run', '--rm', ...cmd]);
      assert.notEqual(denied.code, 0);
      assert.match(denied.stderr + denied.stdout, /not permitted/i);
      ok(await cli(['run', '--rm', '--cap-add', 'NET_ADMIN', ...cmd]), 'ip addr add with NET_ADMIN');
      ok(await cli(['run', '--rm', '--cap-add', 'cap_net_admin', ...cmd]), 'lower-case CAP_ name');
    });

    it('refuses unknown capabilities and those the host lacks with Docker\'s messages', async () => {
      const r = await cli(['create', '--cap-add', 'FOO', 'busybox']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /invalid CapAdd: unknown capability: "CAP_FOO"/);
      const drop = await cli(['create', '--cap-drop', 'bar', 'busybox']);
      assert.match(drop.stderr, /invalid CapDrop: unknown capability: "CAP_BAR"/);
      if (HOST_CAPS !== '' && (BigInt(`0x${HOST_CAPS}`) & (1n << 24n)) === 0n) {
        const missing = await cli(['create', '--cap-add', 'SYS_RESOURCE', 'busybox']);
        assert.match(missing.stderr, /capability not supported by your kernel or not available in the current environment: "CAP_SYS_RESOURCE"/);
      }
    });

    it('runs under the default seccomp filter, rebuilt for added capabilities; unconfined and --privileged have none', async () => {
      const mode = async (args: string[]) => /Seccomp:\s*(\d)/.exec(ok(await cli(['run', '--rm', ...args, 'busybox', 'grep', 'Seccomp:', '/proc/self/status'])).stdout)?.[1];
      assert.equal(await mode([]), '2');
      assert.equal(await mode(['--security-opt', 'seccomp=unconfined']), '0');
      assert.equal(await mode(['--privileged']), '0');
      // sethostname is allowed by the profile only with CAP_SYS_ADMIN: the filter follows the caps
      ok(await cli(['run', '--rm', '--cap-add', 'SYS_ADMIN', 'busybox', 'hostname', 'renamed']), 'sethostname with SYS_ADMIN');
      const denied = await cli(['run', '--rm', 'busybox', 'hostname', 'renamed']);
      assert.notEqual(denied.code, 0);
      const id = ok(await cli(['create', '--security-opt', 'seccomp=unconfined', 'busybox'])).stdout.trim();
      assert.equal(ok(await cli(['inspect', '-f', '{{.HostConfig.SecurityOpt}}', id])).stdout.trim(), '[seccomp=unconfined]');
    });

    it('seccomp=<file> sends the profile, which the container runs under', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'berth-seccomp-'));
      try {
        const file = join(dir, 'profile.json');
        await writeFile(file, JSON.stringify({
          defaultAction: 'SCMP_ACT_ALLOW',
          syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }],
        }, null, 2));
        const r = await cli(['run', '--rm', '--security-opt', `seccomp=${file}`, 'busybox', 'mkdir', '/tmp/x']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /not permitted/i);
        ok(await cli(['run', '--rm', '--security-opt', `seccomp=${file}`, 'busybox', 'touch', '/tmp/x']));
        const missing = await cli(['run', '--rm', '--security-opt', `seccomp=${join(dir, 'nope.json')}`, 'busybox', 'true']);
        assert.equal(missing.code, 125);
        assert.match(missing.stderr, /opening seccomp profile \(.*nope\.json\) failed/);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('no-new-privileges sets NoNewPrivs; label= and apparmor= are accepted; bad options are refused', async () => {
      const nnp = (args: string[]) => cli(['run', '--rm', ...args, 'busybox', 'grep', 'NoNewPrivs', '/proc/self/status']);
      assert.match(ok(await nnp([])).stdout, /NoNewPrivs:\s*0/);
      assert.match(ok(await nnp(['--security-opt', 'no-new-privileges'])).stdout, /NoNewPrivs:\s*1/);
      assert.match(ok(await nnp(['--security-opt', 'no-new-privileges:true'])).stdout, /NoNewPrivs:\s*1/);
      assert.match(ok(await nnp(['--security-opt', 'no-new-privileges=false'])).stdout, /NoNewPrivs:\s*0/);
      ok(await cli(['run', '--rm', '--security-opt', 'label=disable', '--security-opt', 'apparmor=unconfined', 'busybox', 'true']));
      const bad = await cli(['create', '--security-opt', 'foo=bar', 'busybox']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /invalid --security-opt 2: "foo=bar"/);
      const nnpBad = await cli(['create', '--security-opt', 'no-new-privileges=maybe', 'busybox']);
      assert.match(nnpBad.stderr, /invalid --security-opt 2: "no-new-privileges=maybe"/);
    });

    it('--privileged: host devices, /sys writable, no masked paths', async () => {
      const out = ok(await cli(['run', '--rm', '--privileged', 'busybox', 'sh', '-c',
        'ls /dev; grep " /sys " /proc/mounts; cat /proc/kcore >/dev/null 2>&1 && echo kcore-readable; ls /proc/sys >/dev/null && touch /proc/sys/kernel/hostname && echo procsys-writable'])).stdout;
      const hostDev = ['loop-control', 'kmsg', 'mem', 'fuse', 'net'].find((n) => existsSync(`/dev/${n}`));
      if (hostDev) assert.match(out, new RegExp(`^${hostDev}$`, 'm'));
      assert.match(out, /sysfs \/sys sysfs rw/);
      assert.match(out, /procsys-writable/);
      const plain = ok(await cli(['run', '--rm', 'busybox', 'sh', '-c', 'grep " /sys " /proc/mounts; ls /dev'])).stdout;
      assert.match(plain, /sysfs \/sys sysfs ro/);
      if (hostDev) assert.doesNotMatch(plain, new RegExp(`^${hostDev}$`, 'm'));
    });

    it('--device adds a node with the host\'s numbers that works; bad cgroup rules are refused', async () => {
      const out = ok(await cli(['run', '--rm', '--device', '/dev/null:/dev/mynull', 'busybox', 'sh', '-c',
        'ls -l /dev/mynull; echo hello > /dev/mynull && echo written'])).stdout;
      assert.match(out, /^c.* 1,\s+3 .*\/dev\/mynull$/m);
      assert.match(out, /written/);
      const rule = await cli(['create', '--device-cgroup-rule', 'x 1:3 rwm', 'busybox']);
      assert.notEqual(rule.code, 0);
      assert.match(rule.stderr, /invalid device cgroup format 'x 1:3 rwm'/);
      ok(await cli(['run', '--rm', '--device-cgroup-rule', 'c 1:3 rwm', 'busybox', 'true']));
      const missing = await cli(['run', '--rm', '--device', '/dev/berth-no-such-device', 'busybox', 'true']);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stderr, /error gathering device information while adding custom device "\/dev\/berth-no-such-device"/);
    });

    it('--group-add by number and by name shows in id (run and exec)', async () => {
      const out = ok(await cli(['run', '--rm', '--group-add', '1234', '--group-add', 'staff', 'busybox', 'id'])).stdout;
      assert.match(out, /groups=.*\b1234\b/);
      assert.match(out, /50\(staff\)/);
      const name = uniqueName('groups');
      ok(await cli(['run', '-d', '--name', name, '--group-add', '1234', 'busybox', 'sleep', '60']));
      assert.match(ok(await cli(['exec', name, 'id'])).stdout, /\b1234\b/);
      ok(await cli(['rm', '-f', name]));
      const unknown = await cli(['run', '--rm', '--group-add', 'nosuchgroup', 'busybox', 'true']);
      assert.notEqual(unknown.code, 0);
      assert.match(unknown.stderr, /Unable to find group nosuchgroup/);
    });

    it('--read-only refuses writes to / and /tmp; --tmpfs /tmp is writable', async () => {
      const r = await cli(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Read-only file system/);
      assert.notEqual((await cli(['run', '--rm', '--read-only', 'busybox', 'touch', '/tmp/x'])).code, 0);
      ok(await cli(['run', '--rm', '--read-only', '--tmpfs', '/tmp', 'busybox', 'sh', '-c', 'touch /tmp/x && ls /tmp/x']));
      ok(await cli(['run', '--rm', '--read-only', 'busybox', 'sh', '-c', 'echo hi > /dev/shm/x']), '/dev/shm stays writable');
    });

    it('exec --privileged gets every host capability; plain exec the container\'s', async () => {
      const name = uniqueName('execpriv');
      ok(await cli(['run', '-d', '--name', name, 'busybox', 'sleep', '60']));
      const caps = async (args: string[]) => /CapEff:\s*([0-9a-f]+)/.exec(ok(await cli(['exec', ...args, name, 'grep', 'CapEff', '/proc/self/status'])).stdout)?.[1];
      assert.equal(await caps([]), DEFAULT_CAPS);
      assert.equal(await caps(['--privileged']), HOST_CAPS);
      ok(await cli(['rm', '-f', name]));
    });

    it('--pid=host, --ipc=host, --uts=host, --cgroupns=private, --userns=host', async () => {
      const ns = (t: string) => readlinkSync(`/proc/self/ns/${t}`);
      const pid = ok(await cli(['run', '--rm', '--pid', 'host', 'busybox', 'sh', '-c', `test -d /proc/${process.pid} && echo host-pids`])).stdout;
      assert.match(pid, /host-pids/);
      assert.equal(ok(await cli(['run', '--rm', '--ipc', 'host', 'busybox', 'readlink', '/proc/self/ns/ipc'])).stdout.trim(), ns('ipc'));
      assert.notEqual(ok(await cli(['run', '--rm', 'busybox', 'readlink', '/proc/self/ns/ipc'])).stdout.trim(), ns('ipc'));
      assert.equal(ok(await cli(['run', '--rm', '--uts', 'host', 'busybox', 'hostname'])).stdout.trim(), hostname());
      assert.notEqual(ok(await cli(['run', '--rm', '--cgroupns', 'private', 'busybox', 'readlink', '/proc/self/ns/cgroup'])).stdout.trim(), ns('cgroup'));
      ok(await cli(['run', '--rm', '--userns', 'host', 'busybox', 'true']));
      const bad = await cli(['create', '--ipc', 'bogus', 'busybox']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /invalid IPC mode/);
      const shm = uniqueName('ipcsrc');
      ok(await cli(['run', '-d', '--name', shm, '--ipc', 'shareable', 'busybox', 'sleep', '60']));
      const theirs = ok(await cli(['exec', shm, 'readlink', '/proc/self/ns/ipc'])).stdout.trim();
      assert.equal(ok(await cli(['run', '--rm', '--ipc', `container:${shm}`, 'busybox', 'readlink', '/proc/self/ns/ipc'])).stdout.trim(), theirs);
      ok(await cli(['rm', '-f', shm]));
    });

    it('--ipc shareable shares /dev/shm with --ipc container:; a private donor is refused; --shm-size sizes it', async () => {
      const donor = uniqueName('shmdonor');
      const priv = uniqueName('shmpriv');
      try {
        const id = ok(await cli(['run', '-d', '--name', donor, '--ipc', 'shareable', '--shm-size', '8m', 'busybox', 'sh', '-c', 'echo from-donor > /dev/shm/note; sleep 60'])).stdout.trim();
        const shmMounted = (): boolean => readFileSync('/proc/mounts', 'utf8').split('\n').some((l) => l.includes(`${id}/shm `));
        assert.ok(shmMounted(), 'the shareable /dev/shm is a tmpfs on the host');
        // the donor's file is seen by the joiner, and the joiner's by the donor
        const seen = ok(await cli(['run', '--rm', '--ipc', `container:${donor}`, 'busybox', 'sh', '-c', 'cat /dev/shm/note; echo from-joiner > /dev/shm/back']));
        assert.equal(seen.stdout.trim(), 'from-donor');
        assert.equal(ok(await cli(['exec', donor, 'cat', '/dev/shm/back'])).stdout.trim(), 'from-joiner');
        // --shm-size: 8 MiB, as the tmpfs reports it
        assert.match(ok(await cli(['exec', donor, 'grep', ' /dev/shm ', '/proc/mounts'])).stdout, /size=8192k/);
        assert.match(ok(await cli(['run', '--rm', '--shm-size', '16m', 'busybox', 'grep', ' /dev/shm ', '/proc/mounts'])).stdout, /size=16384k/);
        // a donor with a private IPC namespace (the default) cannot be joined
        ok(await cli(['run', '-d', '--name', priv, 'busybox', 'sleep', '60']));
        const refused = await cli(['run', '--rm', '--ipc', `container:${priv}`, 'busybox', 'true']);
        assert.equal(refused.code, 125);
        assert.match(refused.stderr, new RegExp(`failed to join IPC namespace: container ${priv}: non-shareable IPC \\(hint: use IpcMode:shareable for the donor container\\)`));
        // stopping the donor unmounts its /dev/shm from the host
        ok(await cli(['stop', '-t', '0', donor]));
        for (let i = 0; i < 50 && shmMounted(); i++) await new Promise((r) => setTimeout(r, 100));
        assert.ok(!shmMounted(), 'no shm mount left after the stop');
      } finally {
        await cli(['rm', '-f', donor, priv]);
      }
    });

    it('--sysctl sets namespaced values; others are refused by the CLI', async () => {
      assert.equal(ok(await cli(['run', '--rm', '--sysctl', 'net.core.somaxconn=1234', 'busybox', 'cat', '/proc/sys/net/core/somaxconn'])).stdout.trim(), '1234');
      const bad = await cli(['run', '--rm', '--sysctl', 'kernel.panic=1', 'busybox', 'true']);
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /sysctl 'kernel.panic=1' is not allowed/);
    });

    it('inspect shows the security settings', async () => {
      const id = ok(await cli(['create', '--cap-add', 'NET_ADMIN', '--cap-drop', 'MKNOD', '--privileged', '--group-add', '1234', '--device', '/dev/null:/dev/mynull', 'busybox'])).stdout.trim();
      const out = ok(await cli(['inspect', '-f', '{{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.Privileged}} {{.HostConfig.GroupAdd}} {{range .HostConfig.Devices}}{{.PathOnHost}}:{{.PathInContainer}}:{{.CgroupPermissions}}{{end}}', id])).stdout.trim();
      assert.equal(out, '[CAP_NET_ADMIN] [CAP_MKNOD] true [1234] /dev/null:/dev/mynull:rwm');
      // dockerd's defaults are recorded at create: private IPC, a 64 MiB /dev/shm, and the host's
      // cgroup namespace on cgroup v1 hosts (a private one on v2)
      const plain = ok(await cli(['create', 'busybox'])).stdout.trim();
      const defaults = ok(await cli(['inspect', '-f', '{{.HostConfig.IpcMode}} {{.HostConfig.ShmSize}} {{.HostConfig.CgroupnsMode}}', plain])).stdout.trim();
      assert.equal(defaults, `private 67108864 ${existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'private' : 'host'}`);
      ok(await cli(['rm', plain, id]));
    });
  });

  describe(`${kind} CLI: the API over TCP`, { skip }, () => {
    if (kind === 'docker') {
      it('serves TLS with client certificates: docker --tlsverify works, a client without a certificate is refused', async () => {
        const certs = await mkdtemp(join(tmpdir(), 'berth-tls-'));
        let d: TestDaemon | undefined;
        try {
          await makeCerts(certs);
          const port = await freePort();
          const c = (f: string) => join(certs, f);
          d = await startDaemon({ args: ['-H', `tcp://127.0.0.1:${port}`, '--tlsverify', '--tlscacert', c('ca.pem'), '--tlscert', c('server-cert.pem'), '--tlskey', c('server-key.pem')] });
          await loadBusybox(d.socket);
          const tcp = `tcp://127.0.0.1:${port}`;
          const v = ok(await docker(tcp, ['--tlsverify', '--tlscacert', c('ca.pem'), '--tlscert', c('client-cert.pem'), '--tlskey', c('client-key.pem'), 'version', '--format', '{{.Server.Version}}']));
          assert.notEqual(v.stdout.trim(), '');
          const out = ok(await docker(tcp, ['--tlsverify', '--tlscacert', c('ca.pem'), '--tlscert', c('client-cert.pem'), '--tlskey', c('client-key.pem'), 'run', '--rm', 'busybox', 'echo', 'over-tls']));
          assert.equal(out.stdout.trim(), 'over-tls');
          const noCert = await docker(tcp, ['--tlsverify', '--tlscacert', c('ca.pem'), 'version']);
          assert.notEqual(noCert.code, 0);
          assert.match(noCert.stderr, /certificate|tls|handshake|EOF|reset/i);
          const plain = await docker(tcp, ['version']);
          assert.notEqual(plain.code, 0);
          assert.equal((await run('stat', ['-c', '%a', d.socket])).stdout.trim(), '660');
        } finally {
          await d?.stop();
          await rm(certs, { recursive: true, force: true });
        }
      });
    }

    it('without TLS: loopback is served with a warning, any other address is refused', async () => {
      const port = await freePort();
      const d = await startDaemon({ args: ['-H', `tcp://127.0.0.1:${port}`] });
      try {
        const cliTcp = cliFor(kind, `tcp://127.0.0.1:${port}`);
        ok(await cliTcp(['version']));
        assert.match(await d.log(), /WARNING: the API on tcp:\/\/127\.0\.0\.1:\d+ has no TLS/);
      } finally {
        await d.stop();
      }
      await assert.rejects(startDaemon({ args: ['-H', `tcp://0.0.0.0:${port}`] }), /exited with 1[\s\S]*refusing to listen on tcp:\/\/0\.0\.0\.0/);
    });
  });
}
