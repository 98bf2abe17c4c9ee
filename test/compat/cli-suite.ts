/**
 * One behaviour suite for a docker-compatible CLI, run twice: with the real docker CLI
 * (docker-cli.test.ts) and with the berth CLI (berth-cli.test.ts), each against its own berthd.
 * Assertions follow Docker's behaviour (output, exit codes), not berth's implementation.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { busyboxArchive, loadBusybox } from '../helpers/image.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function defineCliSuite(kind: 'docker' | 'berth'): void {
  const skip = !IS_ROOT ? 'needs root' : kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

  describe(`${kind} CLI against berthd`, { skip }, () => {
    let d: TestDaemon;
    let cli: Cli;
    let hostDir: string;
    const label = `berth-compat=${uniqueName(kind)}`;
    /** run/create with a label that marks this suite's containers */
    const L = ['-l', label];

    before(async () => {
      d = await startDaemon();
      cli = cliFor(kind, d.host);
      await loadBusybox(d.socket);
      hostDir = await mkdtemp(join(tmpdir(), 'berth-compat-host-'));
    });
    after(async () => {
      await d?.stop();
      if (hostDir) await rm(hostDir, { recursive: true, force: true });
    });

    async function inspect(name: string, format: string): Promise<string> {
      return ok(await cli(['inspect', '-f', format, name]), `inspect ${name}`).stdout.trim();
    }
    async function runDetached(args: string[], name = uniqueName('c')): Promise<string> {
      ok(await cli(['run', '-d', ...L, '--name', name, ...args]), `run -d ${args.join(' ')}`);
      return name;
    }

    describe('system', () => {
      it('version', async () => {
        const r = ok(await cli(['version']));
        assert.match(r.stdout, /Client:/);
        assert.match(r.stdout, /Server:/);
        assert.match(r.stdout, /API version:\s+1\.\d+/);
        const v = ok(await cli(['version', '--format', '{{.Server.APIVersion}}'])).stdout.trim();
        assert.match(v, /^1\.(4[1-9]|[5-9]\d)$/);
        assert.equal(ok(await cli(['version', '--format', '{{.Server.Os}}'])).stdout.trim(), 'linux');
      });

      it('info', async () => {
        const r = ok(await cli(['info']));
        assert.match(r.stdout, /Server:/);
        assert.match(r.stdout, /Containers: \d+/);
        assert.equal(ok(await cli(['info', '--format', '{{.OSType}}'])).stdout.trim(), 'linux');
        assert.match(ok(await cli(['info', '--format', '{{.Images}}'])).stdout.trim(), /^[1-9]\d*$/);
        assert.match(ok(await cli(['info', '--format', '{{.Containers}}'])).stdout.trim(), /^\d+$/);
      });
    });

    describe('run', () => {
      it('prints output and removes with --rm', async () => {
        const name = uniqueName('rm');
        const r = ok(await cli(['run', '--rm', ...L, '--name', name, 'busybox', 'echo', 'hello']));
        assert.equal(r.stdout, 'hello\n');
        assert.equal(ok(await cli(['ps', '-a', '-q', '--filter', `name=^${name}$`])).stdout, '');
      });

      it('propagates the exit code', async () => {
        assert.equal((await cli(['run', '--rm', 'busybox', 'sh', '-c', 'exit 3'])).code, 3);
      });

      it('separates stdout and stderr', async () => {
        const r = ok(await cli(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2']));
        assert.equal(r.stdout, 'out\n');
        assert.equal(r.stderr, 'err\n');
      });

      it('-d prints the id and leaves it running; --name names it', async () => {
        const name = uniqueName('det');
        const r = ok(await cli(['run', '-d', ...L, '--name', name, 'busybox', 'sleep', '60']));
        assert.match(r.stdout, /^[0-9a-f]{64}\n$/);
        assert.equal(await inspect(name, '{{.State.Running}}'), 'true');
        assert.equal(await inspect(name, '{{.Name}}'), `/${name}`);
        assert.equal(await inspect(name, '{{.Id}}'), r.stdout.trim());
        ok(await cli(['rm', '-f', name]));
      });

      it('-e and --env-file', async () => {
        assert.equal(ok(await cli(['run', '--rm', '-e', 'FOO=bar', 'busybox', 'sh', '-c', 'echo $FOO'])).stdout, 'bar\n');
        const envFile = join(hostDir, 'env.list');
        await writeFile(envFile, '# comment\nA=1\nB=two words\n\n');
        const r = ok(await cli(['run', '--rm', '--env-file', envFile, 'busybox', 'sh', '-c', 'echo "$A-$B"']));
        assert.equal(r.stdout, '1-two words\n');
      });

      it('-w sets (and creates) the working directory', async () => {
        assert.equal(ok(await cli(['run', '--rm', '-w', '/bin', 'busybox', 'pwd'])).stdout, '/bin\n');
        assert.equal(ok(await cli(['run', '--rm', '-w', '/new/dir', 'busybox', 'pwd'])).stdout, '/new/dir\n');
      });

      it('-u uid:gid', async () => {
        const r = ok(await cli(['run', '--rm', '-u', '1000:1000', 'busybox', 'sh', '-c', 'id -u; id -g']));
        assert.equal(r.stdout, '1000\n1000\n');
      });

      it('-v binds a host directory', async () => {
        const dir = await mkdtemp(join(hostDir, 'bind-'));
        await writeFile(join(dir, 'f'), 'from host\n');
        const r = ok(await cli(['run', '--rm', '-v', `${dir}:/data`, 'busybox', 'sh', '-c', 'cat /data/f; echo from container > /data/g']));
        assert.equal(r.stdout, 'from host\n');
        assert.equal(await readFile(join(dir, 'g'), 'utf8'), 'from container\n');
      });

      it('--mount type=tmpfs and --tmpfs', async () => {
        const a = ok(await cli(['run', '--rm', '--mount', 'type=tmpfs,target=/t', 'busybox', 'grep', ' /t ', '/proc/mounts']));
        assert.match(a.stdout, /^tmpfs \/t tmpfs /m);
        const b = ok(await cli(['run', '--rm', '--tmpfs', '/t2', 'busybox', 'grep', ' /t2 ', '/proc/mounts']));
        assert.match(b.stdout, /^tmpfs \/t2 tmpfs /m);
      });

      it('--entrypoint and --hostname', async () => {
        assert.equal(ok(await cli(['run', '--rm', '--entrypoint', 'echo', 'busybox', 'a', 'b'])).stdout, 'a b\n');
        assert.equal(ok(await cli(['run', '--rm', '--hostname', 'h1', 'busybox', 'hostname'])).stdout, 'h1\n');
      });

      it('--network none has only lo; --network host sees the host interfaces', async () => {
        const ifaces = (text: string) =>
          text
            .split('\n')
            .filter((l) => l.includes(':'))
            .map((l) => l.split(':')[0]!.trim())
            .filter((n) => !n.startsWith('Inter') && n !== 'face')
            .sort();
        const none = ok(await cli(['run', '--rm', '--network', 'none', 'busybox', 'cat', '/proc/net/dev']));
        assert.deepEqual(ifaces(none.stdout), ['lo']);
        const host = ok(await cli(['run', '--rm', '--network', 'host', 'busybox', 'cat', '/proc/net/dev']));
        // bridges and veths of other suites' containers come and go meanwhile: compare the rest
        const stable = (names: string[]) => names.filter((n) => !/^(veth|br-|bt|bo|vo|vi|bb|bp|bq|bd|docker)/.test(n));
        assert.deepEqual(stable(ifaces(host.stdout)), stable(ifaces(await readFile('/proc/net/dev', 'utf8'))));
        assert.ok(ifaces(host.stdout).includes('lo') && ifaces(host.stdout).length > 1, 'the host has more than loopback');
      });

      it('--read-only makes / read-only', async () => {
        const r = await cli(['run', '--rm', '--read-only', 'busybox', 'touch', '/x']);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /Read-only file system/);
      });

      it('--init runs an init as pid 1', async () => {
        assert.equal(ok(await cli(['run', '--rm', 'busybox', 'cat', '/proc/1/comm'])).stdout, 'cat\n');
        const r = ok(await cli(['run', '--rm', '--init', 'busybox', 'cat', '/proc/1/comm']));
        assert.match(r.stdout, /init|tini|catatonit/);
      });

      it('-l sets labels', async () => {
        const name = uniqueName('lbl');
        ok(await cli(['run', ...L, '-l', 'a=b', '--name', name, 'busybox', 'true']));
        assert.equal(await inspect(name, '{{index .Config.Labels "a"}}'), 'b');
        ok(await cli(['rm', name]));
      });

      it('exit 127 for a missing command, 126 for a non-executable', async () => {
        const r = await cli(['run', '--rm', 'busybox', 'no-such-command']);
        assert.equal(r.code, 127, r.stderr);
        const dir = await mkdtemp(join(hostDir, 'noexec-'));
        await writeFile(join(dir, 'script'), '#!/bin/sh\necho hi\n');
        await chmod(join(dir, 'script'), 0o644);
        const r2 = await cli(['run', '--rm', '-v', `${dir}:/d`, 'busybox', '/d/script']);
        assert.equal(r2.code, 126, r2.stderr);
      });

      it('exit 125 for a daemon error (unknown image, --pull=never)', async () => {
        const r = await cli(['run', '--rm', '--pull=never', 'no-such-image-berth:latest', 'true']);
        assert.equal(r.code, 125, r.stderr);
        assert.match(r.stderr, /No such image/i);
      });
    });

    describe('lifecycle', () => {
      it('create + start -a', async () => {
        const name = uniqueName('cr');
        const id = ok(await cli(['create', ...L, '--name', name, 'busybox', 'sh', '-c', 'echo created-out; exit 4'])).stdout.trim();
        assert.match(id, /^[0-9a-f]{64}$/);
        assert.equal(await inspect(name, '{{.State.Status}}'), 'created');
        const r = await cli(['start', '-a', name]);
        assert.equal(r.stdout, 'created-out\n');
        assert.equal(r.code, 4);
        assert.equal(await inspect(name, '{{.State.Status}}'), 'exited');
      });

      it('stop -t kills after the timeout', async () => {
        const name = await runDetached(['busybox', 'sleep', '300']);
        const t0 = Date.now();
        const r = ok(await cli(['stop', '-t', '1', name]));
        assert.equal(r.stdout, `${name}\n`);
        assert.ok(Date.now() - t0 < 8000, 'stop took too long');
        assert.equal(await inspect(name, '{{.State.Running}} {{.State.ExitCode}}'), 'false 137');
      });

      it('restart gives a new process', async () => {
        const name = await runDetached(['busybox', 'sleep', '300']);
        const pid1 = await inspect(name, '{{.State.Pid}}');
        assert.equal(ok(await cli(['restart', '-t', '1', name])).stdout, `${name}\n`);
        assert.equal(await inspect(name, '{{.State.Running}}'), 'true');
        assert.notEqual(await inspect(name, '{{.State.Pid}}'), pid1);
        ok(await cli(['rm', '-f', name]));
      });

      it('kill -s sends the signal; wait reports the exit code', async () => {
        const name = await runDetached(['busybox', 'sh', '-c', 'trap "exit 7" USR1; while true; do sleep 0.1; done']);
        await sleep(300);
        assert.equal(ok(await cli(['kill', '-s', 'USR1', name])).stdout, `${name}\n`);
        assert.equal(ok(await cli(['wait', name])).stdout, '7\n');
        const name2 = await runDetached(['busybox', 'sleep', '300']);
        ok(await cli(['kill', name2]));
        assert.equal(ok(await cli(['wait', name2])).stdout, '137\n');
      });

      it('rm refuses a running container; rm -f removes it', async () => {
        const name = await runDetached(['busybox', 'sleep', '300']);
        const r = await cli(['rm', name]);
        assert.notEqual(r.code, 0);
        assert.match(r.stderr, /running|stop the container/i);
        assert.equal(ok(await cli(['rm', '-f', name])).stdout, `${name}\n`);
        assert.notEqual((await cli(['inspect', name])).code, 0);
      });

      it('inspect -f .State.ExitCode; wait', async () => {
        const name = uniqueName('ec');
        assert.equal((await cli(['run', ...L, '--name', name, 'busybox', 'sh', '-c', 'exit 5'])).code, 5);
        assert.equal(await inspect(name, '{{.State.ExitCode}}'), '5');
        const name2 = await runDetached(['busybox', 'sh', '-c', 'sleep 0.5; exit 9']);
        assert.equal(ok(await cli(['wait', name2])).stdout, '9\n');
      });

      it('rename', async () => {
        const a = await runDetached(['busybox', 'sleep', '300']);
        const b = uniqueName('renamed');
        ok(await cli(['rename', a, b]));
        assert.equal(await inspect(b, '{{.Name}}'), `/${b}`);
        assert.notEqual((await cli(['inspect', a])).code, 0);
        ok(await cli(['rm', '-f', b]));
      });

      it('container prune -f', async () => {
        const pl = `prune=${uniqueName('p')}`;
        const id = ok(await cli(['create', '-l', pl, 'busybox', 'true'])).stdout.trim();
        const keep = await runDetached(['-l', pl, 'busybox', 'sleep', '300']);
        const r = ok(await cli(['container', 'prune', '-f', '--filter', `label=${pl}`]));
        assert.match(r.stdout, /Deleted Containers:/);
        assert.ok(r.stdout.includes(id), r.stdout);
        assert.match(r.stdout, /Total reclaimed space:/);
        assert.notEqual((await cli(['inspect', id])).code, 0);
        assert.equal(await inspect(keep, '{{.State.Running}}'), 'true');
        ok(await cli(['rm', '-f', keep]));
      });
    });

    describe('ps', () => {
      it('lists, filters and formats', async () => {
        const pl = `ps=${uniqueName('ps')}`;
        const running = uniqueName('psrun');
        const exited = uniqueName('psexit');
        ok(await cli(['run', '-d', '-l', pl, '--name', running, 'busybox', 'sleep', '300']));
        ok(await cli(['run', '-l', pl, '-l', 'extra=yes', '--name', exited, 'busybox', 'true']));
        const runId = await inspect(running, '{{.Id}}');
        const exitId = await inspect(exited, '{{.Id}}');
        const f = ['--filter', `label=${pl}`];

        const table = ok(await cli(['ps', '-a', ...f]));
        assert.match(table.stdout.split('\n')[0]!, /^CONTAINER ID\s+IMAGE\s+COMMAND\s+CREATED\s+STATUS\s+PORTS\s+NAMES$/);
        assert.equal(ok(await cli(['ps', '-q', ...f])).stdout, `${runId.slice(0, 12)}\n`);
        assert.deepEqual(ok(await cli(['ps', '-a', '-q', ...f])).stdout.trim().split('\n').sort(), [runId.slice(0, 12), exitId.slice(0, 12)].sort());
        assert.equal(ok(await cli(['ps', '-a', '-q', '--no-trunc', ...f, '--filter', 'status=exited'])).stdout, `${exitId}\n`);
        assert.equal(ok(await cli(['ps', '-l', '-q', ...f])).stdout, `${exitId.slice(0, 12)}\n`);
        assert.equal(ok(await cli(['ps', '-n', '1', '-q', ...f])).stdout, `${exitId.slice(0, 12)}\n`);
        assert.equal(ok(await cli(['ps', '-a', '-q', '--filter', `name=^${running}$`])).stdout, `${runId.slice(0, 12)}\n`);
        assert.equal(ok(await cli(['ps', '-a', '-q', ...f, '--filter', 'label=extra=yes'])).stdout, `${exitId.slice(0, 12)}\n`);
        assert.equal(ok(await cli(['ps', '-q', ...f, '--filter', 'status=running'])).stdout, `${runId.slice(0, 12)}\n`);
        const fmt = ok(await cli(['ps', '-a', ...f, '--format', '{{.Names}}\t{{.Status}}'])).stdout;
        assert.match(fmt, new RegExp(`^${running}\\tUp `, 'm'));
        assert.match(fmt, new RegExp(`^${exited}\\tExited \\(0\\) `, 'm'));
        ok(await cli(['rm', '-f', running, exited]));
      });
    });

    describe('logs', () => {
      it('shows both streams, --tail, -t, --since', async () => {
        const name = uniqueName('logs');
        ok(await cli(['run', ...L, '--name', name, 'busybox', 'sh', '-c', 'echo one; sleep 0.1; echo two >&2; sleep 0.1; echo three']));
        const all = ok(await cli(['logs', name]));
        assert.equal(all.stdout, 'one\nthree\n');
        assert.equal(all.stderr, 'two\n');
        const tail = ok(await cli(['logs', '--tail', '1', name]));
        assert.equal(tail.stdout, 'three\n');
        assert.equal(tail.stderr, '');
        const ts = ok(await cli(['logs', '-t', name]));
        assert.match(ts.stdout, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z one\n\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z three\n$/);
        assert.equal(ok(await cli(['logs', '--since', '2099-01-01T00:00:00Z', name])).stdout, '');
        assert.equal(ok(await cli(['logs', '--since', '10m', name])).stdout, 'one\nthree\n');
      });

      it('-f follows until the container exits', async () => {
        const name = await runDetached(['busybox', 'sh', '-c', 'for i in 1 2 3; do echo l$i; sleep 0.3; done']);
        const r = ok(await cli(['logs', '-f', name], { timeoutMs: 20_000 }));
        assert.equal(r.stdout, 'l1\nl2\nl3\n');
      });
    });

    describe('exec, attach, top', () => {
      let name: string;
      before(async () => {
        name = await runDetached(['busybox', 'sleep', '300']);
      });

      it('exec with -e, -w, -u and the exit code', async () => {
        assert.equal(ok(await cli(['exec', name, 'echo', 'hi'])).stdout, 'hi\n');
        assert.equal(ok(await cli(['exec', '-e', 'A=b', name, 'sh', '-c', 'echo $A'])).stdout, 'b\n');
        assert.equal(ok(await cli(['exec', '-w', '/bin', name, 'pwd'])).stdout, '/bin\n');
        assert.equal(ok(await cli(['exec', '-u', '1000', name, 'id', '-u'])).stdout, '1000\n');
        assert.equal((await cli(['exec', name, 'sh', '-c', 'exit 6'])).code, 6);
        assert.equal((await cli(['exec', name, 'no-such-command'])).code, 127);
      });

      it('exec -d', async () => {
        assert.equal(ok(await cli(['exec', '-d', name, 'sh', '-c', 'echo bg > /marker'])).stdout, '');
        let out = '';
        for (let i = 0; i < 50 && out !== 'bg\n'; i++) {
          out = (await cli(['exec', name, 'cat', '/marker'])).stdout;
          if (out !== 'bg\n') await sleep(100);
        }
        assert.equal(out, 'bg\n');
      });

      it('top', async () => {
        const r = ok(await cli(['top', name]));
        assert.match(r.stdout.split('\n')[0]!, /^UID\s+PID\s+PPID\s+C\s+STIME\s+TTY\s+TIME\s+CMD$/);
        assert.match(r.stdout, /sleep 300/);
      });

      it('attach to a running container', async () => {
        const c = await runDetached(['busybox', 'sh', '-c', 'sleep 1.5; echo attached-out; echo attached-err >&2; exit 2']);
        const r = await cli(['attach', c], { timeoutMs: 20_000 });
        assert.equal(r.code, 2, r.stderr);
        assert.equal(r.stdout, 'attached-out\n');
        assert.equal(r.stderr, 'attached-err\n');
      });
    });

    describe('images', () => {
      it('images, -q, --digests, --format', async () => {
        const table = ok(await cli(['images']));
        assert.match(table.stdout.split('\n')[0]!, /^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
        assert.match(table.stdout, /^busybox\s+latest\s+[0-9a-f]{12}\s/m);
        const id = ok(await cli(['images', '-q', 'busybox'])).stdout.trim();
        assert.match(id, /^[0-9a-f]{12}$/);
        assert.match(ok(await cli(['images', '--digests'])).stdout.split('\n')[0]!, /^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
        const fmt = ok(await cli(['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}}'])).stdout;
        assert.match(fmt, new RegExp(`^busybox:latest ${id}$`, 'm'));
      });

      it('tag and rmi', async () => {
        const tag = `${uniqueName('mybox')}:v1`;
        ok(await cli(['tag', 'busybox:latest', tag]));
        assert.equal(ok(await cli(['images', '-q', tag])).stdout.trim(), ok(await cli(['images', '-q', 'busybox:latest'])).stdout.trim());
        const r = ok(await cli(['rmi', tag]));
        assert.match(r.stdout, new RegExp(`^Untagged: ${tag}$`, 'm'));
        assert.equal(ok(await cli(['images', '-q', tag])).stdout, '');
        assert.match(ok(await cli(['images', '-q', 'busybox:latest'])).stdout, /^[0-9a-f]{12}\n$/);
        const missing = await cli(['rmi', 'no-such-image-berth:latest']);
        assert.notEqual(missing.code, 0);
        assert.match(missing.stderr, /No such image/i);
      });

      it('load -i', async () => {
        const tag = `${uniqueName('loaded')}:1`;
        const archive = await busyboxArchive({ tag });
        const r = ok(await cli(['load', '-i', archive]));
        assert.match(r.stdout, new RegExp(`Loaded image: ${tag}`));
        assert.equal(ok(await cli(['run', '--rm', tag, 'echo', 'loaded'])).stdout, 'loaded\n');
        ok(await cli(['rmi', tag]));
      });

      it("import -c 'CMD [\"sh\"]'", async () => {
        const tag = `${uniqueName('imported')}:1`;
        const rootfs = await busyboxArchive({ format: 'rootfs' });
        const r = ok(await cli(['import', '-c', 'CMD ["sh"]', rootfs, tag]));
        assert.match(r.stdout, /^sha256:[0-9a-f]{64}\n$/);
        assert.equal(await inspect(tag, '{{json .Config.Cmd}}'), '["sh"]');
        assert.equal(ok(await cli(['run', '--rm', tag, 'echo', 'imported'])).stdout, 'imported\n');
        // arguments replace CMD (no entrypoint): `-c` is then the command, which does not exist
        assert.equal((await cli(['run', '--rm', tag, '-c', 'echo via-sh'])).code, 127);
        ok(await cli(['rmi', tag]));
      });

      it('image prune -a with label and until filters', async () => {
        const rootfs = await busyboxArchive({ format: 'rootfs' });
        const yes = `prune-yes-${kind}:1`;
        const no = `prune-no-${kind}:1`;
        ok(await cli(['import', '-c', `LABEL prunetest=${kind}-yes`, rootfs, yes]));
        ok(await cli(['import', '-c', `LABEL prunetest=${kind}-no`, rootfs, no]));
        const r = ok(await cli(['image', 'prune', '-a', '-f', '--filter', `label=prunetest=${kind}-yes`]));
        assert.match(r.stdout, new RegExp(`untagged: ${yes}`));
        assert.notEqual((await cli(['image', 'inspect', yes])).code, 0);
        ok(await cli(['image', 'inspect', no]));
        ok(await cli(['image', 'inspect', 'busybox']), 'images without the label stay');
        ok(await cli(['image', 'prune', '-a', '-f', '--filter', 'until=1h', '--filter', `label=prunetest=${kind}-no`]));
        ok(await cli(['image', 'inspect', no]), 'an image younger than an hour stays with until=1h');
        ok(await cli(['rmi', no]));
      });

      it('history', async () => {
        const r = ok(await cli(['history', 'busybox']));
        assert.match(r.stdout.split('\n')[0]!, /^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
        assert.ok(r.stdout.trim().split('\n').length >= 2);
      });
    });
  });
}
