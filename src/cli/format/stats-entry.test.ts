import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatsResponse } from '../../protocol/stats.js';
import {
  DEFAULT_STATS_FORMAT, STATS_HEADERS, blockIO, bytesSize, cpuPercent, emptyEntry, entryFromStats, formatPercentage, memUsageNoCache, statsRow,
} from './stats-entry.js';
import { renderRows } from './table.js';

const ID = 'f'.repeat(64);

function sample(over: Partial<StatsResponse> = {}): StatsResponse {
  const cpu = { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    name: '/web', id: ID, read: '', preread: '', pids_stats: {}, num_procs: 0, storage_stats: {},
    blkio_stats: {
      io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null,
      io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null,
    },
    cpu_stats: cpu, precpu_stats: cpu, memory_stats: {}, ...over,
  };
}

const cpuAt = (total: number, system: number, cpus?: number, percpu?: number[]) => ({
  cpu_usage: { total_usage: total, usage_in_kernelmode: 0, usage_in_usermode: 0, ...(percpu ? { percpu_usage: percpu } : {}) },
  system_cpu_usage: system, ...(cpus !== undefined ? { online_cpus: cpus } : {}),
  throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
});

test('CPU %: container delta over host delta, times the online CPUs (percpu count as fallback)', () => {
  // one CPU busy for 1s on a 2-CPU host: the host accrued 2s
  assert.equal(cpuPercent(sample({ precpu_stats: cpuAt(1e9, 10e9, 2), cpu_stats: cpuAt(2e9, 12e9, 2) })), 100);
  assert.equal(cpuPercent(sample({ precpu_stats: cpuAt(1e9, 10e9), cpu_stats: cpuAt(1.5e9, 12e9, undefined, [1, 2, 3, 4]) })), 100);
  // no CPU progress, or no host progress: 0
  assert.equal(cpuPercent(sample({ precpu_stats: cpuAt(1e9, 12e9, 2), cpu_stats: cpuAt(2e9, 12e9, 2) })), 0);
  assert.equal(cpuPercent(sample({ precpu_stats: cpuAt(2e9, 10e9, 2), cpu_stats: cpuAt(2e9, 12e9, 2) })), 0);
});

test('memory usage leaves out inactive file pages: total_inactive_file (v1), inactive_file (v2)', () => {
  assert.equal(memUsageNoCache({ usage: 1000, stats: { total_inactive_file: 300, inactive_file: 100 } }), 700);
  assert.equal(memUsageNoCache({ usage: 1000, stats: { inactive_file: 100 } }), 900);
  assert.equal(memUsageNoCache({ usage: 1000, stats: { total_inactive_file: 2000 } }), 1000);
  assert.equal(memUsageNoCache({}), 0);
});

test('block I/O sums read and write ops of any case; other ops are ignored', () => {
  assert.deepEqual(blockIO(sample({
    blkio_stats: { ...sample().blkio_stats, io_service_bytes_recursive: [
      { major: 8, minor: 0, op: 'Read', value: 10 }, { major: 8, minor: 0, op: 'write', value: 20 },
      { major: 8, minor: 16, op: 'read', value: 5 }, { major: 8, minor: 0, op: 'Total', value: 35 },
    ] },
  }).blkio_stats), [15, 20]);
});

test('units: binary %.4g for memory, decimal %.3g for I/O, two decimals for percentages', () => {
  assert.equal(bytesSize(0), '0B');
  assert.equal(bytesSize(1023), '1023B');
  assert.equal(bytesSize(770048), '752KiB');
  assert.equal(bytesSize(52_785_152), '50.34MiB');
  assert.equal(bytesSize(25_276_502_016), '23.54GiB');
  assert.equal(bytesSize(64 * 1024 * 1024), '64MiB');
  assert.equal(formatPercentage(70.3349), '70.33%');
  assert.equal(formatPercentage(0), '0.00%');
});

test('a row as docker prints it; json keys in Go order; invalid entries show "--"', () => {
  const e = entryFromStats('web', sample({
    precpu_stats: cpuAt(1e9, 10e9, 2), cpu_stats: cpuAt(1.5e9, 12e9, 2),
    memory_stats: { usage: 52_785_152 + 4096, limit: 25_276_502_016, stats: { total_inactive_file: 4096 } },
    pids_stats: { current: 2 },
    networks: { eth0: { rx_bytes: 2514, rx_packets: 0, rx_errors: 0, rx_dropped: 0, tx_bytes: 516, tx_packets: 0, tx_errors: 0, tx_dropped: 0 } },
  }));
  const row = statsRow(e, true);
  assert.deepEqual(Object.keys(row), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
  assert.deepEqual(row, {
    BlockIO: '0B / 0B', CPUPerc: '50.00%', Container: 'web', ID: ID.slice(0, 12), MemPerc: '0.21%', MemUsage: '50.34MiB / 23.54GiB',
    Name: 'web', NetIO: '2.51kB / 516B', PIDs: '2',
  });
  assert.equal(statsRow(e, false)['ID'], ID);
  assert.deepEqual(statsRow({ ...emptyEntry('x'), isInvalid: true }, true), {
    BlockIO: '--', CPUPerc: '--', Container: 'x', ID: '', MemPerc: '--', MemUsage: '-- / --', Name: '--', NetIO: '--', PIDs: '--',
  });
  const table = renderRows([row], { format: DEFAULT_STATS_FORMAT, headers: STATS_HEADERS });
  assert.equal(table,
    'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT     MEM %     NET I/O         BLOCK I/O   PIDS\n' +
    `${ID.slice(0, 12)}   web       50.00%    50.34MiB / 23.54GiB   0.21%     2.51kB / 516B   0B / 0B     2\n`);
});
