/**
 * `docker stats` (issue 8) with the real docker CLI and the berth CLI against one berthd, and
 * GET /containers/{id}/stats on the wire: a container burning CPU, one holding memory (a file
 * in its /dev/shm tmpfs is charged to its cgroup), a stopped one.
 */
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { ok, cliFor, uniqueName, type CliResult } from '../helpers/docker.js';
import { api } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';
import type { StatsResponse } from '../../src/protocol/stats.js';


const UNITS: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4, kB: 1e3, MB: 1e6, GB: 1e9 };

/** "50.34MiB" → bytes. */
function bytes(s: string): number {
  const m = /^([\d.]+)([A-Za-z]+)$/.exec(s.trim());
  assert.ok(m && UNITS[m[2]!] !== undefined, `not a size: ${s}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}

/** Reads `n` JSON lines of a streaming GET, then closes the connection. */
function streamLines(socket: string, path: string, n: number): Promise<{ status: number; lines: unknown[] }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: socket, path, timeout: 20_000 }, (res) => {
      let buf = '';
      const lines: unknown[] = [];
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0 && lines.length < n) {
          lines.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
        if (lines.length >= n) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, lines });
        }
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, lines }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout: ${path}`)));
    req.on('error', (e) => (e.message === 'socket hang up' ? undefined : reject(e)));
    req.end();
  });
}

const skip = !IS_ROOT ? 'needs root' : false;

describe('stats', { skip }, () => {
  let d: TestDaemon;
  const burner = uniqueName('burn');
  const holder = uniqueName('mem');
  const stopped = uniqueName('stopped');
  let burnerId = '';

  before(async () => {
    d = await startDaemon();
    await loadBusybox(d.socket);
    const berth = cliFor('berth', d.host);
    burnerId = ok(await berth(['run', '-d', '--name', burner, 'busybox', 'sh', '-c', 'while :; do :; done'])).stdout.trim();
    ok(await berth(['run', '-d', '--name', holder, 'busybox', 'sh', '-c', 'head -c 50m /dev/zero > /dev/shm/fill; sleep 600']));
    ok(await berth(['create', '--name', stopped, 'busybox', 'true']));
    // the holder has written its 50 MB once its file has that size
    for (let i = 0; i < 100; i++) {
      const r = await berth(['exec', holder, 'sh', '-c', 'wc -c < /dev/shm/fill']);
      if (r.stdout.trim() === String(50 * 1024 * 1024)) break;
      await new Promise((res) => setTimeout(res, 100));
    }
  });
  after(async () => {
    await d?.stop();
  });

  for (const kind of ['docker', 'berth'] as const) {
    const skipCli = kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

    describe(`${kind} CLI`, { skip: skipCli }, () => {
      const cli = (args: string[], timeoutMs?: number) => cliFor(kind, d.host)(args, timeoutMs ? { timeoutMs } : {});

      it('--no-stream --format: CPU % of a busy container, memory held, PIDs', async () => {
        const r = ok(await cli(['stats', '--no-stream', '--format', '{{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}', burner, holder]));
        const lines = r.stdout.trimEnd().split('\n');
        assert.equal(lines.length, 2, r.stdout);
        const [bName, bCpu, bMem, , , bPids] = lines[0]!.split(' ');
        assert.equal(bName, burner);
        assert.ok(Number(bCpu!.replace('%', '')) > 10, `burner CPU: ${lines[0]}`);
        assert.ok(bytes(bMem!) > 0);
        assert.ok(Number(bPids) >= 1);
        const [hName, hCpu, hMem, slash, hLimit, hPids] = lines[1]!.split(' ');
        assert.equal(hName, holder);
        assert.match(hCpu!, /^\d+\.\d\d%$/);
        assert.equal(slash, '/');
        assert.ok(bytes(hMem!) > 1024 * 1024, `holder memory: ${lines[1]}`);
        assert.ok(bytes(hLimit!) > bytes(hMem!));
        assert.ok(Number(hPids) >= 1);
      });

      it('the default table: docker columns, short ids, units', async () => {
        const r = ok(await cli(['stats', '--no-stream', burner]));
        const [header, row, extra] = r.stdout.split('\n');
        assert.match(header!, /^CONTAINER ID\s{3}NAME\s+CPU %\s+MEM USAGE \/ LIMIT\s+MEM %\s+NET I\/O\s+BLOCK I\/O\s+PIDS$/);
        assert.match(row!, new RegExp(`^${burnerId.slice(0, 12)}   ${burner}\\s+\\d+\\.\\d\\d%\\s+[\\d.]+[KMG]?i?B / [\\d.]+[KMG]iB\\s+\\d+\\.\\d\\d%\\s+[\\d.]+[kMG]?B / [\\d.]+[kMG]?B\\s+[\\d.]+[kMG]?B / [\\d.]+[kMG]?B\\s+\\d+$`));
        assert.equal(extra, '');
        const full = ok(await cli(['stats', '--no-stream', '--no-trunc', '--format', '{{.ID}}', burner]));
        assert.equal(full.stdout, `${burnerId}\n`);
      });

      it('--format json and the container stats alias', async () => {
        const r = ok(await cli(['container', 'stats', '--no-stream', '--format', 'json', holder]));
        const j = JSON.parse(r.stdout) as Record<string, string>;
        assert.deepEqual(Object.keys(j), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
        assert.equal(j['Container'], holder);
        assert.equal(j['Name'], holder);
        assert.match(j['MemUsage']!, /^[\d.]+MiB \/ [\d.]+[MG]iB$/);
      });

      it('without names: the running containers; -a adds stopped ones with zeros', async () => {
        const running = ok(await cli(['stats', '--no-stream', '--format', '{{.Name}}'])).stdout.split('\n').filter(Boolean).sort();
        assert.deepEqual(running, [burner, holder].sort());
        const all = ok(await cli(['stats', '-a', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.NetIO}}|{{.PIDs}}'])).stdout;
        assert.ok(all.split('\n').includes(`${stopped}|0.00%|0B / 0B|0B / 0B|0`), all);
      });

      it('streaming prints successive tables until interrupted', async () => {
        const r = await cli(['stats', burner], 3500);
        const headers = r.stdout.split('\n').filter((l) => l.includes('CONTAINER ID'));
        // docker redraws with ANSI codes even without a terminal; berth prints plain tables then
        assert.ok(headers.length >= 2, JSON.stringify(r.stdout));
        assert.ok(r.stdout.includes(burner));
      });

      it('a missing container: exit 1 with docker\'s message', async () => {
        const r = await cli(['stats', '--no-stream', 'no-such-container-x']);
        assert.equal(r.code, 1);
        assert.equal(r.stdout, '');
        assert.equal(r.stderr, 'Error response from daemon: No such container: no-such-container-x\n');
      });
    });
  }

  describe('GET /containers/{id}/stats', () => {
    it('stream=false: one sample in docker\'s shape, precpu filled', async () => {
      const r = await api(d.socket, { path: `/v1.47/containers/${burner}/stats?stream=false` });
      assert.equal(r.status, 200);
      assert.match(String(r.headers['content-type']), /application\/json/);
      const s = r.json<StatsResponse>();
      assert.equal(s.name, `/${burner}`);
      assert.equal(s.id, burnerId);
      for (const k of ['read', 'preread', 'pids_stats', 'blkio_stats', 'num_procs', 'storage_stats', 'cpu_stats', 'precpu_stats', 'memory_stats', 'networks']) {
        assert.ok(k in s, `missing ${k}`);
      }
      assert.ok((s.pids_stats.current ?? 0) >= 1);
      assert.ok(s.cpu_stats.cpu_usage.total_usage > s.precpu_stats.cpu_usage.total_usage);
      assert.ok((s.cpu_stats.system_cpu_usage ?? 0) > (s.precpu_stats.system_cpu_usage ?? 0));
      assert.ok((s.cpu_stats.online_cpus ?? 0) >= 1);
      assert.ok('throttling_data' in s.cpu_stats);
      assert.ok((s.memory_stats.usage ?? 0) > 0 && (s.memory_stats.limit ?? 0) > 0);
      assert.equal(typeof s.memory_stats.stats, 'object');
      assert.ok('io_service_bytes_recursive' in s.blkio_stats);
      assert.deepEqual(Object.keys(s.networks ?? {}), ['eth0']);
      assert.equal(typeof s.networks?.['eth0']?.rx_bytes, 'number');
      assert.ok(Date.parse(s.read) > Date.parse(s.preread));
    });

    it('one-shot: at once, without precpu', async () => {
      const r = await api(d.socket, { path: `/containers/${burner}/stats?stream=false&one-shot=true` });
      const s = r.json<StatsResponse>();
      assert.equal(s.preread, '0001-01-01T00:00:00Z');
      assert.ok(s.cpu_stats.cpu_usage.total_usage > 0);
    });

    it('stream=true: a sample per second until the client closes', async () => {
      const t0 = Date.now();
      const { status, lines } = await streamLines(d.socket, `/containers/${burner}/stats?stream=true`, 2);
      assert.equal(status, 200);
      assert.equal(lines.length, 2);
      assert.ok(Date.now() - t0 >= 900);
      const [a, b] = lines as StatsResponse[];
      assert.equal(b!.preread, a!.read);
      assert.deepEqual(b!.precpu_stats, a!.cpu_stats);
      // the daemon is fine after the client went away
      assert.equal((await api(d.socket, { path: '/_ping' })).status, 200);
    });

    it('a stopped container: the empty sample', async () => {
      const s = (await api(d.socket, { path: `/containers/${stopped}/stats?stream=false` })).json<StatsResponse>();
      assert.equal(s.read, '0001-01-01T00:00:00Z');
      assert.deepEqual(s.pids_stats, {});
      assert.deepEqual(s.memory_stats, {});
      assert.equal(s.blkio_stats.io_service_bytes_recursive, null);
      assert.equal(s.cpu_stats.cpu_usage.total_usage, 0);
      assert.equal('networks' in s, false);
    });

    it('errors: 404 for an unknown container, 400 for stream with one-shot', async () => {
      const nf = await api(d.socket, { path: '/containers/nope-x/stats?stream=false' });
      assert.equal(nf.status, 404);
      assert.deepEqual(nf.json(), { message: 'No such container: nope-x' });
      const bad = await api(d.socket, { path: `/containers/${burner}/stats?stream=true&one-shot=true` });
      assert.equal(bad.status, 400);
    });
  });
});
