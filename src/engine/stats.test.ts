import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError, notFound } from '../core/index.js';
import type { StatsResponse } from '../protocol/stats.js';
import { initialState, type ContainerRecord } from './record.js';
import { ContainerStats, goTime, type StatsOptions } from './stats.js';

const ID = 'a'.repeat(64);
const PID = 4242;
const V1 = (c: string): string => `/sys/fs/cgroup/${c}/berth/${ID}`;
const V2 = `/sys/fs/cgroup/berth/${ID}`;

function rec(status: 'running' | 'exited', hostConfig: ContainerRecord['hostConfig'] = {}): ContainerRecord {
  return {
    id: ID, name: 'web', created: '2024-01-01T00:00:00Z', path: 'sh', args: [], config: {}, hostConfig, image: 'sha256:x',
    state: { ...initialState(), status, pid: status === 'running' ? PID : 0 }, restartCount: 0, mounts: [], hasBeenStarted: true,
  };
}

const NET_DEV = `Inter-|   Receive |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
  eth0:    2000      20    0    0    0     0          0         0     1000      10    0    0    0     0       0          0
`;

/** Host files of a hybrid (v1) host; cpu usage and /proc/stat advance on every read of cpuacct.usage. */
function v1Host(): Map<string, string | (() => string)> {
  let n = 0;
  return new Map<string, string | (() => string)>([
    ['/proc/self/mountinfo', ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'].map((c, i) => `${30 + i} 1 0:${30 + i} / /sys/fs/cgroup/${c} rw - cgroup cgroup rw,${c}`).join('\n')],
    [`/proc/${PID}/cgroup`, ['cpu', 'cpuacct', 'memory', 'pids', 'blkio'].map((c, i) => `${i + 1}:${c}:/berth/${ID}`).join('\n')],
    ['/proc/stat', () => `cpu  ${100 * n} 0 0 0 0 0 0 0 0 0\ncpu0 0\ncpu1 0\n`],
    [`/proc/${PID}/net/dev`, NET_DEV],
    [`${V1('cpuacct')}/cpuacct.usage`, () => String(++n * 500_000_000)],
    [`${V1('cpuacct')}/cpuacct.usage_percpu`, '100 200\n'],
    [`${V1('cpuacct')}/cpuacct.stat`, 'user 40\nsystem 10\n'],
    [`${V1('cpu')}/cpu.stat`, 'nr_periods 3\nnr_throttled 1\nthrottled_time 999\n'],
    [`${V1('memory')}/memory.usage_in_bytes`, '10485760\n'],
    [`${V1('memory')}/memory.max_usage_in_bytes`, '20971520\n'],
    [`${V1('memory')}/memory.limit_in_bytes`, '9223372036854771712\n'],
    [`${V1('memory')}/memory.failcnt`, '0\n'],
    [`${V1('memory')}/memory.stat`, 'cache 1048576\nrss 8388608\ntotal_inactive_file 1048576\nswap 0\n'],
    [`${V1('pids')}/pids.current`, '3\n'],
    [`${V1('pids')}/pids.max`, 'max\n'],
    [`${V1('blkio')}/blkio.throttle.io_service_bytes`, '8:0 Read 4096\n8:0 Write 8192\n8:0 Total 12288\nTotal 12288\n'],
    [`${V1('blkio')}/blkio.throttle.io_serviced`, '8:0 Read 1\n8:0 Write 2\nTotal 3\n'],
  ]);
}

function v2Host(): Map<string, string | (() => string)> {
  return new Map<string, string | (() => string)>([
    ['/proc/self/mountinfo', '25 21 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate'],
    [`/proc/${PID}/cgroup`, `0::/berth/${ID}\n`],
    ['/proc/stat', 'cpu  1 1 1 1 1 1 1 0 0 0\ncpu0 0\n'],
    [`${V2}/cpu.stat`, 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n'],
    [`${V2}/memory.current`, '4096\n'],
    [`${V2}/memory.max`, '65536\n'],
    [`${V2}/memory.stat`, 'anon 2048\ninactive_file 1024\n'],
    [`${V2}/memory.events`, 'low 0\nhigh 0\nmax 0\noom 2\noom_kill 0\n'],
    [`${V2}/pids.current`, '1\n'],
    [`${V2}/pids.max`, '100\n'],
    [`${V2}/io.stat`, '8:0 rbytes=10 wbytes=20 rios=1 wios=2 dbytes=0 dios=0\n'],
  ]);
}

function service(r: ContainerRecord, files: Map<string, string | (() => string)>, removed = () => false): ContainerStats {
  return new ContainerStats({
    store: {
      get: (ref) => {
        if (ref !== 'web' && ref !== ID) throw notFound(`No such container: ${ref}`);
        return r;
      },
      find: (ref) => (removed() || (ref !== 'web' && ref !== ID) ? undefined : r),
    },
    isRunning: (x) => x.state.status === 'running',
    read: async (p) => {
      const f = files.get(p);
      return typeof f === 'function' ? f() : f;
    },
    machineMemory: 1 << 30,
    intervalMs: 5,
  });
}

async function collect(s: ContainerStats, opts: StatsOptions, max = 10): Promise<StatsResponse[]> {
  const out: StatsResponse[] = [];
  for await (const r of s.open('web', opts)) {
    out.push(r);
    if (out.length >= max) break;
  }
  return out;
}

test('goTime trims fractional zeros as Go RFC3339Nano does', () => {
  assert.equal(goTime(new Date('2024-05-01T10:20:30.120Z')), '2024-05-01T10:20:30.12Z');
  assert.equal(goTime(new Date('2024-05-01T10:20:30.000Z')), '2024-05-01T10:20:30Z');
});

test('cgroup v1: stream=false primes precpu with a first sample and answers the second', async () => {
  const [s, ...rest] = await collect(service(rec('running'), v1Host()), { stream: false, oneShot: false });
  assert.equal(rest.length, 0);
  assert.equal(s!.name, '/web');
  assert.equal(s!.id, ID);
  assert.notEqual(s!.preread, '0001-01-01T00:00:00Z');
  assert.equal(s!.cpu_stats.cpu_usage.total_usage, 1_000_000_000);
  assert.equal(s!.precpu_stats.cpu_usage.total_usage, 500_000_000);
  assert.deepEqual(s!.cpu_stats.cpu_usage.percpu_usage, [100, 200]);
  assert.equal(s!.cpu_stats.cpu_usage.usage_in_usermode, 400_000_000);
  assert.equal(s!.cpu_stats.cpu_usage.usage_in_kernelmode, 100_000_000);
  assert.equal(s!.cpu_stats.online_cpus, 2);
  assert.equal(s!.cpu_stats.system_cpu_usage! - s!.precpu_stats.system_cpu_usage!, 1_000_000_000);
  assert.deepEqual(s!.cpu_stats.throttling_data, { periods: 3, throttled_periods: 1, throttled_time: 999 });
  // unlimited memory reports the host's; zero failcnt is left out
  assert.equal(s!.memory_stats.limit, 1 << 30);
  assert.equal(s!.memory_stats.usage, 10485760);
  assert.equal(s!.memory_stats.max_usage, 20971520);
  assert.equal('failcnt' in s!.memory_stats, false);
  assert.equal(s!.memory_stats.stats?.['total_inactive_file'], 1048576);
  assert.equal(s!.memory_stats.stats?.['total_rss'], 0);
  assert.equal('swap' in (s!.memory_stats.stats ?? {}), false);
  assert.deepEqual(s!.pids_stats, { current: 3 });
  assert.deepEqual(s!.blkio_stats.io_service_bytes_recursive?.map((e) => [e.op, e.value]), [['Read', 4096], ['Write', 8192], ['Total', 12288]]);
  assert.equal(s!.blkio_stats.io_serviced_recursive?.length, 2);
  assert.equal(s!.blkio_stats.sectors_recursive, null);
  assert.deepEqual(Object.keys(s!.networks ?? {}), ['eth0']);
});

test('cgroup v2: usec to ns, memory.events oom as failcnt, io.stat read/write', async () => {
  const [s] = await collect(service(rec('running'), v2Host()), { stream: false, oneShot: true });
  assert.equal(s!.preread, '0001-01-01T00:00:00Z');
  assert.deepEqual(s!.cpu_stats.cpu_usage, { total_usage: 1_500_000, usage_in_kernelmode: 500_000, usage_in_usermode: 1_000_000 });
  assert.equal(s!.cpu_stats.online_cpus, 1);
  assert.deepEqual({ ...s!.memory_stats, stats: undefined }, { usage: 4096, stats: undefined, limit: 65536, failcnt: 2 });
  assert.equal(s!.memory_stats.stats?.['inactive_file'], 1024);
  assert.deepEqual(s!.pids_stats, { current: 1, limit: 100 });
  assert.deepEqual(s!.blkio_stats.io_service_bytes_recursive, [
    { major: 8, minor: 0, op: 'read', value: 10 }, { major: 8, minor: 0, op: 'write', value: 20 },
  ]);
  assert.equal(s!.networks, undefined);
});

test('host networking reports no networks', async () => {
  const [s] = await collect(service(rec('running', { NetworkMode: 'host' }), v1Host()), { stream: false, oneShot: true });
  assert.equal(s!.networks, undefined);
});

test('a stopped container: one empty sample without streaming', async () => {
  const all = await collect(service(rec('exited'), v1Host()), { stream: false, oneShot: false });
  assert.equal(all.length, 1);
  assert.deepEqual(JSON.parse(JSON.stringify(all[0])), {
    name: '/web', id: ID, read: '0001-01-01T00:00:00Z', preread: '0001-01-01T00:00:00Z', pids_stats: {},
    blkio_stats: {
      io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
      io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
    },
    num_procs: 0, storage_stats: {},
    cpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    precpu_stats: { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } },
    memory_stats: {},
  });
});

test('streaming: one sample per interval, each with the previous one as precpu; ends when removed', async () => {
  const all = await collect(service(rec('running'), v1Host()), { stream: true, oneShot: false }, 3);
  assert.equal(all.length, 3);
  assert.equal(all[0]!.preread, '0001-01-01T00:00:00Z');
  assert.equal(all[1]!.precpu_stats.cpu_usage.total_usage, all[0]!.cpu_stats.cpu_usage.total_usage);
  assert.equal(all[2]!.preread, all[1]!.read);
  let gone = false;
  const s = service(rec('exited'), v1Host(), () => gone);
  setTimeout(() => (gone = true), 30);
  const empties = await collect(s, { stream: true, oneShot: false }, 1000);
  assert.ok(empties.length >= 1 && empties.length < 1000);
  assert.ok(empties.every((e) => e.read === '0001-01-01T00:00:00Z'));
});

test('streaming stops when the client goes away', async () => {
  const ac = new AbortController();
  const s = service(rec('running'), v1Host());
  const seen: StatsResponse[] = [];
  for await (const r of s.open('web', { stream: true, oneShot: false, signal: ac.signal })) {
    seen.push(r);
    if (seen.length === 2) ac.abort();
  }
  assert.equal(seen.length, 2);
});

test('unknown container: not-found; stream with one-shot: invalid-argument', () => {
  const s = service(rec('running'), v1Host());
  assert.throws(() => s.open('nope', { stream: false, oneShot: false }), (e: unknown) => e instanceof EngineError && e.kind === 'not-found');
  assert.throws(() => s.open('web', { stream: true, oneShot: true }), (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument');
});
