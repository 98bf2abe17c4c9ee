/**
 * Resources, supervision and events (issue 8) for a docker-compatible CLI against berthd on
 * runc with cgroups (v1 hybrid here): memory (OOM), pids, CPU throttling measured in the cgroup,
 * ulimits, update, pause/unpause, restart policies (also across a killed daemon), events.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A cgroup v1 (or v2) file of a container, whichever layout the host has. */
async function cgroupFile(id: string, v1: string, file: string, v2 = file): Promise<string> {
  for (const p of [`/sys/fs/cgroup/${v1}/berth/${id}/${file}`, `/sys/fs/cgroup/berth/${id}/${v2}`]) {
    if (existsSync(p)) return readFile(p, 'utf8');
  }
  throw new Error(`no cgroup file ${file} for ${id}`);
}

export function defineResourceSuite(kind: 'docker' | 'berth'): void {
  const skip = !IS_ROOT ? 'needs root' : kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

  describe(`${kind} CLI: resources, supervision and events`, { skip }, () => {
    let d: TestDaemon;
    let cli: Cli;

    before(async () => {
      d = await startDaemon();
      cli = cliFor(kind, d.host);
      await loadBusybox(d.socket);
    });
    after(async () => {
      await d?.stop();
    });

    const inspect = async (ref: string, format: string) => ok(await cli(['inspect', '-f', format, ref])).stdout.trim();
    async function until(what: string, test: () => Promise<boolean>, ms = 15_000): Promise<void> {
      const end = Date.now() + ms;
      while (!(await test())) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await sleep(100);
      }
    }

    it('a process allocating past --memory is OOM-killed and reported as OOMKilled, exit 137', async () => {
      const name = uniqueName('oom');
      ok(await cli(['run', '-d', '--name', name, '-m', '8m', '--memory-swap', '8m', 'busybox', 'sh', '-c',
        'x=$(head -c 40000000 /dev/zero | tr "\\0" a); echo survived']));
      await until('the exit', async () => (await inspect(name, '{{.State.Status}}')) === 'exited');
      assert.equal(await inspect(name, '{{.State.OOMKilled}} {{.State.ExitCode}}'), 'true 137');
      assert.equal(await inspect(name, '{{.HostConfig.Memory}}'), String(8 * 1024 * 1024));
      ok(await cli(['rm', name]));
    });

    it('--pids-limit contains a fork bomb; --ulimit applies and never goes above the hard limit', async () => {
      const bomb = uniqueName('bomb');
      ok(await cli(['run', '-d', '--name', bomb, '--pids-limit', '8', 'busybox', 'sh', '-c', 'for i in $(seq 1 20); do sleep 5 & done; echo done']));
      await until('the exit', async () => (await inspect(bomb, '{{.State.Status}}')) === 'exited');
      const r = ok(await cli(['logs', bomb]));
      assert.match(r.stderr + r.stdout, /can't fork|Resource temporarily unavailable/);
      assert.equal((await cgroupFile(await inspect(bomb, '{{.Id}}'), 'pids', 'pids.max').catch(() => 'gone')).trim(), 'gone', 'the cgroup went with the container');
      ok(await cli(['rm', bomb]));
      assert.equal(ok(await cli(['run', '--rm', '--ulimit', 'nofile=512:1024', 'busybox', 'sh', '-c', 'ulimit -n; ulimit -Hn'])).stdout, '512\n1024\n');
      const limits = await readFile('/proc/self/limits', 'utf8');
      const hard = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(limits)?.[1]);
      if (hard > 0) {
        const too = await cli(['run', '--rm', '--ulimit', `nofile=${hard + 1}:${hard + 1}`, 'busybox', 'true']);
        assert.equal(too.code, 125);
        assert.match(too.stderr, /above the host's hard limit/);
      }
    });

    it('--cpus throttles (cgroup stats), update changes limits live, pause freezes', async () => {
      const name = uniqueName('burn');
      const id = ok(await cli(['run', '-d', '--name', name, '--cpus', '0.2', 'busybox', 'sh', '-c', 'while :; do :; done'])).stdout.trim();
      assert.match(await cgroupFile(id, 'cpu', 'cpu.cfs_quota_us', 'cpu.max'), /^20000\b/);
      await sleep(1500);
      const throttled = Number(/nr_throttled (\d+)/.exec(await cgroupFile(id, 'cpu', 'cpu.stat'))?.[1]);
      assert.ok(throttled > 0, `throttled ${throttled} periods`);
      ok(await cli(['update', '--cpus', '1', '--memory', '64m', '--memory-swap', '128m', '--pids-limit', '50', name]));
      assert.match(await cgroupFile(id, 'cpu', 'cpu.cfs_quota_us', 'cpu.max'), /^100000\b/);
      assert.equal((await cgroupFile(id, 'memory', 'memory.limit_in_bytes', 'memory.max')).trim(), String(64 * 1024 * 1024));
      assert.equal((await cgroupFile(id, 'pids', 'pids.max')).trim(), '50');
      assert.equal(await inspect(name, '{{.HostConfig.NanoCpus}} {{.HostConfig.Memory}}'), `1000000000 ${64 * 1024 * 1024}`);
      ok(await cli(['pause', name]));
      assert.match(ok(await cli(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}'])).stdout, /\(Paused\)/);
      assert.equal(await inspect(name, '{{.State.Status}} {{.State.Paused}}'), 'paused true');
      const exec = await cli(['exec', name, 'true']);
      assert.notEqual(exec.code, 0);
      assert.match(exec.stderr, /is paused, unpause the container before exec/);
      assert.match(await cgroupFile(id, 'freezer', 'freezer.state', 'cgroup.freeze'), /FROZEN|1/);
      ok(await cli(['unpause', name]));
      assert.equal(await inspect(name, '{{.State.Status}}'), 'running');
      ok(await cli(['pause', name]));
      ok(await cli(['rm', '-f', name]), 'a paused container can be removed by force');
    });

    it('cpu shares, cpuset, memory reservation, oom-kill-disable and cgroup-parent reach the cgroup; an unsupported blkio weight warns', async () => {
      const name = uniqueName('cg');
      const r = ok(await cli(['run', '-d', '--name', name, '--cpu-shares', '512', '--cpuset-cpus', '0', '--memory-reservation', '32m',
        '-m', '64m', '--oom-kill-disable', 'busybox', 'sleep', '60']));
      const id = r.stdout.trim().split('\n').pop()!;
      assert.equal((await cgroupFile(id, 'cpu', 'cpu.shares', 'cpu.weight')).trim(), '512');
      assert.equal((await cgroupFile(id, 'cpuset', 'cpuset.cpus', 'cpuset.cpus')).trim(), '0');
      assert.equal((await cgroupFile(id, 'memory', 'memory.soft_limit_in_bytes', 'memory.low')).trim(), String(32 * 1024 * 1024));
      assert.match(await cgroupFile(id, 'memory', 'memory.oom_control', 'memory.oom.group'), /oom_kill_disable 1|1/);
      ok(await cli(['rm', '-f', name]));
      const parent = `/berth-test-${process.pid}`;
      const child = ok(await cli(['run', '-d', '--cgroup-parent', parent, 'busybox', 'sleep', '60'])).stdout.trim();
      assert.ok(existsSync(`/sys/fs/cgroup/memory${parent}/${child}`) || existsSync(`/sys/fs/cgroup${parent}/${child}`), 'the cgroup is under the parent');
      ok(await cli(['rm', '-f', child]));
      await import('node:fs/promises').then((fs) => Promise.all(['memory', 'cpu', 'cpuacct', 'pids', 'cpuset', 'blkio', 'devices', 'freezer', 'net_cls', 'perf_event', 'hugetlb', 'systemd', 'unified']
        .map((c) => fs.rmdir(`/sys/fs/cgroup/${c}${parent}`).catch(() => {}))));
      const weight = await cli(['run', '--rm', '--blkio-weight', '300', 'busybox', 'true']);
      assert.equal(weight.code, 0, weight.stderr);
      if (!existsSync('/sys/fs/cgroup/blkio/blkio.weight') && !existsSync('/sys/fs/cgroup/blkio/blkio.bfq.weight')) {
        assert.match(weight.stderr, /does not support Block I\/O weight/);
      }
    });

    it('restart policies: on-failure:N gives up after N, always restarts until stopped', async () => {
      const flaky = uniqueName('flaky');
      ok(await cli(['run', '-d', '--name', flaky, '--restart', 'on-failure:2', 'busybox', 'sh', '-c', 'exit 3']));
      await until('two restarts', async () => (await inspect(flaky, '{{.State.Status}} {{.RestartCount}}')) === 'exited 2');
      await sleep(1000);
      assert.equal(await inspect(flaky, '{{.State.Status}} {{.RestartCount}} {{.State.ExitCode}}'), 'exited 2 3');
      const always = uniqueName('always');
      ok(await cli(['run', '-d', '--name', always, '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 0.3']));
      await until('a restart', async () => Number(await inspect(always, '{{.RestartCount}}')) >= 1);
      ok(await cli(['stop', '-t', '1', always]));
      await sleep(800);
      const count = await inspect(always, '{{.RestartCount}}');
      await sleep(800);
      assert.equal(await inspect(always, '{{.State.Status}} {{.RestartCount}}'), `exited ${count}`, 'stop ends the restarts');
      const conflict = await cli(['run', '--rm', '--restart', 'always', 'busybox', 'true']);
      assert.notEqual(conflict.code, 0);
      ok(await cli(['rm', '-f', flaky, always]));
    });

    it('a container with restart=always that exits while berthd is killed comes back when berthd starts', async () => {
      const name = uniqueName('boot');
      ok(await cli(['run', '-d', '--name', name, '--restart', 'always', 'busybox', 'sh', '-c', 'sleep 2']));
      process.kill(d.pid, 'SIGKILL');
      await sleep(3000);
      d = await startDaemon({ dir: d.dir });
      cli = cliFor(kind, d.host);
      await until('the restart', async () => {
        const s = await inspect(name, '{{.State.Status}} {{.RestartCount}}');
        return s.startsWith('running') && Number(s.split(' ')[1]) >= 1;
      });
      ok(await cli(['rm', '-f', name]));
    });

    it('healthchecks: starting, healthy, unhealthy after retries, in ps and inspect, with events', async () => {
      const since = ((Date.now() - 500) / 1000).toFixed(3);
      const name = uniqueName('hc');
      ok(await cli(['run', '-d', '--name', name, '--health-cmd', 'test -e /tmp/ok && echo fine', '--health-interval', '300ms',
        '--health-retries', '2', 'busybox', 'sh', '-c', 'touch /tmp/ok; sleep 60']));
      assert.match(ok(await cli(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}'])).stdout, /\(health: starting\)/);
      await until('healthy', async () => (await inspect(name, '{{.State.Health.Status}}')) === 'healthy');
      assert.match(ok(await cli(['ps', '--filter', 'health=healthy', '--format', '{{.Names}}'])).stdout, new RegExp(name));
      const log = JSON.parse(await inspect(name, '{{json .State.Health.Log}}')) as Array<{ ExitCode: number; Output: string }>;
      assert.equal(log.at(-1)!.ExitCode, 0);
      assert.equal(log.at(-1)!.Output, 'fine\n');
      ok(await cli(['exec', name, 'rm', '/tmp/ok']));
      await until('unhealthy', async () => (await inspect(name, '{{.State.Health.Status}}')) === 'unhealthy');
      assert.ok(Number(await inspect(name, '{{.State.Health.FailingStreak}}')) >= 2);
      assert.match(ok(await cli(['ps', '--filter', `name=${name}`, '--format', '{{.Status}}'])).stdout, /\(unhealthy\)/);
      await sleep(300);
      const ev = ok(await cli(['events', '--since', since, '--until', ((Date.now()) / 1000).toFixed(3), '--filter', `container=${name}`,
        '--format', '{{.Action}}'])).stdout.split('\n').filter((l) => l.startsWith('health_status'));
      assert.deepEqual(ev, ['health_status: healthy', 'health_status: unhealthy']);
      const none = uniqueName('nohc');
      ok(await cli(['run', '-d', '--name', none, '--no-healthcheck', 'busybox', 'sleep', '60']));
      assert.equal(await inspect(none, '{{json .Config.Healthcheck.Test}}'), '["NONE"]');
      assert.equal(await inspect(none, '{{if .State.Health}}has{{else}}none{{end}}'), 'none');
      ok(await cli(['rm', '-f', name, none]));
    });

    it('kill -9 of berthd with 20 containers running: none lost, their logs continuous across the gap', async () => {
      const names = Array.from({ length: 20 }, () => uniqueName('live'));
      await Promise.all(names.map(async (n) => ok(await cli(['run', '-d', '--name', n, 'busybox', 'sh', '-c',
        'i=0; while :; do echo $i; i=$((i+1)); sleep 0.1; done']))));
      await sleep(500);
      process.kill(d.pid, 'SIGKILL');
      await sleep(1500);
      d = await startDaemon({ dir: d.dir });
      cli = cliFor(kind, d.host);
      await sleep(500);
      const running = ok(await cli(['ps', '--filter', 'name=live-', '--format', '{{.Names}} {{.State}}'])).stdout.trim().split('\n');
      assert.equal(running.filter((l) => l.endsWith(' running')).length, 20, running.join('\n'));
      for (const n of names) {
        const lines = ok(await cli(['logs', n])).stdout.trim().split('\n').map(Number);
        assert.ok(lines.length >= 20, `${n} logged ${lines.length} lines`);
        lines.forEach((v, i) => assert.equal(v, i, `${n}: line ${i} is ${v}: a log line was lost`));
      }
      ok(await cli(['exec', names[0]!, 'true']), 'exec works in a re-adopted container');
      ok(await cli(['stop', '-t', '1', names[1]!]), 'stop works in a re-adopted container');
      ok(await cli(['rm', '-f', ...names]));
    });

    it('events: a container\'s life in order, with filters and time bounds', async () => {
      const since = ((Date.now() - 1000) / 1000).toFixed(3);
      const name = uniqueName('ev');
      ok(await cli(['run', '-d', '--name', name, '-l', 'suite=events', 'busybox', 'sh', '-c', 'trap "exit 143" TERM; sleep 60 & wait']));
      ok(await cli(['kill', '-s', 'TERM', name]));
      await until('the exit', async () => (await inspect(name, '{{.State.Status}}')) === 'exited');
      ok(await cli(['rm', name]));
      await sleep(1100);
      const untilTs = (Date.now() / 1000).toFixed(3);
      const r = ok(await cli(['events', '--since', since, '--until', untilTs, '--filter', `container=${name}`,
        '--format', '{{.Type}} {{.Action}} {{index .Actor.Attributes "name"}} {{index .Actor.Attributes "exitCode"}}']));
      const lines = r.stdout.trim().split('\n').map((l) => l.trim());
      assert.deepEqual(lines.filter((l) => l.startsWith('container')), [
        `container create ${name}`, `container start ${name}`, `container kill ${name}`, `container die ${name} 143`, `container destroy ${name}`,
      ]);
      const nets = ok(await cli(['events', '--since', since, '--until', untilTs, '--filter', 'type=network', '--filter', 'event=connect'])).stdout;
      assert.match(nets, /network connect [0-9a-f]{64} \(container=[0-9a-f]{64}, name=bridge, type=bridge\)/);
      const labelled = ok(await cli(['events', '--since', since, '--until', untilTs, '--filter', 'label=suite=events', '--filter', 'event=die'])).stdout;
      assert.equal(labelled.trim().split('\n').length, 1);
    });

    it('events: stop, restart and rm -f log their signals as kill events, as dockerd does', async () => {
      const since = ((Date.now() - 1000) / 1000).toFixed(3);
      const name = uniqueName('evs');
      // sleep as pid 1 ignores SIGTERM: stop and restart go on to SIGKILL
      ok(await cli(['run', '-d', '--name', name, '--network', 'none', 'busybox', 'sleep', '60']));
      ok(await cli(['stop', '-t', '1', name]));
      ok(await cli(['start', name]));
      ok(await cli(['restart', '-t', '0', name]));
      ok(await cli(['rm', '-f', name]));
      await sleep(1100);
      const untilTs = (Date.now() / 1000).toFixed(3);
      const r = ok(await cli(['events', '--since', since, '--until', untilTs, '--filter', `container=${name}`,
        '--format', '{{.Action}} {{index .Actor.Attributes "signal"}}']));
      // the sequence the reference dockerd logs for the same commands
      assert.deepEqual(r.stdout.trim().split('\n').map((l) => l.trim()), [
        'create', 'start', 'kill 15', 'kill 9', 'die', 'stop',
        'start', 'kill 15', 'kill 9', 'die', 'stop', 'start', 'restart',
        'kill 9', 'die', 'destroy',
      ]);
    });
  });
}
