import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Resources } from '../../client/index.js';
import { FlagError, parseFlags } from '../flags.js';
import { buildContainerRequest, OptionsError } from './container-config.js';
import { CONTAINER_FLAGS, RUN_ONLY_FLAGS } from './container-flags.js';
import { parseCpus, parseRestartPolicy, parseUint16, parseUlimit, ulimitList } from './resources.js';
import { memSwapBytes, ramInBytes } from './units.js';

const parse = (args: string[]) => parseFlags(args, [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS], { interspersed: false });
const host = (args: string[]) => {
  const p = parse([...args, 'img']);
  return buildContainerRequest(p, 'img', [], {}, '/cwd').body.HostConfig as Resources & Record<string, unknown>;
};
const flagError = (args: string[]): string => {
  try {
    parse([...args, 'img']);
  } catch (err) {
    assert.ok(err instanceof FlagError);
    return err.message;
  }
  assert.fail('no flag error');
};

test('RAMInBytes: binary suffixes, b, iB, spaces, fractions truncated', () => {
  assert.equal(ramInBytes('64m'), 64 * 1024 ** 2);
  assert.equal(ramInBytes('1g'), 1024 ** 3);
  assert.equal(ramInBytes('1G'), 1024 ** 3);
  assert.equal(ramInBytes('512k'), 512 * 1024);
  assert.equal(ramInBytes('512KB'), 512 * 1024);
  assert.equal(ramInBytes('1.5GiB'), 1.5 * 1024 ** 3);
  assert.equal(ramInBytes('100b'), 100);
  assert.equal(ramInBytes('100'), 100);
  assert.equal(ramInBytes('10 m'), 10 * 1024 ** 2);
  assert.equal(ramInBytes('1.5'), 1);
  assert.equal(ramInBytes('1e3'), 1000);
  assert.equal(ramInBytes('0.5k'), 512);
});

test('RAMInBytes: go-units errors', () => {
  assert.throws(() => ramInBytes('abc'), { message: "invalid size: 'abc'" });
  assert.throws(() => ramInBytes(''), { message: "invalid size: ''" });
  assert.throws(() => ramInBytes('-1'), { message: "invalid size: '-1'" });
  assert.throws(() => ramInBytes('1x'), { message: "invalid suffix: 'x'" });
  assert.throws(() => ramInBytes('1MX'), { message: "invalid suffix: 'mx'" });
  assert.throws(() => ramInBytes('1bb'), { message: "invalid suffix: 'bb'" });
  assert.throws(() => ramInBytes('1KiBB'), { message: "invalid suffix: 'KiBB'" });
  assert.throws(() => ramInBytes('1..5m'), { message: 'strconv.ParseFloat: parsing "1..5": invalid syntax' });
  assert.equal(memSwapBytes('-1'), -1);
  assert.throws(() => memSwapBytes('-2'), { message: "invalid size: '-2'" });
});

test('--cpus as opts.NanoCPUs (big.Rat)', () => {
  assert.equal(parseCpus('1.5'), 1_500_000_000);
  assert.equal(parseCpus('0.000000001'), 1);
  assert.equal(parseCpus('2'), 2_000_000_000);
  assert.equal(parseCpus('3/4'), 750_000_000);
  assert.equal(parseCpus('1e-3'), 1_000_000);
  assert.equal(parseCpus('.5'), 500_000_000);
  assert.throws(() => parseCpus('0.0000000001'), { message: 'value is too precise' });
  assert.throws(() => parseCpus('abc'), { message: 'failed to parse abc as a rational number' });
  assert.throws(() => parseCpus(''), { message: 'failed to parse  as a rational number' });
  assert.throws(() => parseCpus('1/0'), { message: 'failed to parse 1/0 as a rational number' });
});

test('--ulimit as go-units ParseUlimit', () => {
  assert.deepEqual(parseUlimit('nofile=1024:2048'), { Name: 'nofile', Soft: 1024, Hard: 2048 });
  assert.deepEqual(parseUlimit('nproc=512'), { Name: 'nproc', Soft: 512, Hard: 512 });
  assert.deepEqual(parseUlimit('core=-1'), { Name: 'core', Soft: -1, Hard: -1 });
  assert.deepEqual(parseUlimit('core=0:-1'), { Name: 'core', Soft: 0, Hard: -1 });
  assert.throws(() => parseUlimit('nofile'), { message: 'invalid ulimit argument: nofile' });
  assert.throws(() => parseUlimit('as=1'), { message: 'invalid ulimit type: as' });
  assert.throws(() => parseUlimit('nofile=1:2:3'), { message: 'too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`' });
  assert.throws(() => parseUlimit('nofile=x'), { message: 'strconv.ParseInt: parsing "x": invalid syntax' });
  assert.throws(() => parseUlimit('nofile=2:1'), { message: 'ulimit soft limit must be less than or equal to hard limit: 2 > 1' });
  assert.throws(() => parseUlimit('nofile=-1:10'), { message: 'ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 10' });
  assert.deepEqual(ulimitList(['nproc=1', 'nofile=5:6', 'nproc=2']).map((u) => [u.Name, u.Soft]), [['nofile', 5], ['nproc', 2]]);
});

test('--restart as opts.ParseRestartPolicy (names are the daemon\'s to check)', () => {
  assert.deepEqual(parseRestartPolicy('always'), { Name: 'always', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('on-failure:3'), { Name: 'on-failure', MaximumRetryCount: 3 });
  assert.deepEqual(parseRestartPolicy('on-failure:'), { Name: 'on-failure', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy('bogus'), { Name: 'bogus', MaximumRetryCount: 0 });
  assert.deepEqual(parseRestartPolicy(''), { Name: '', MaximumRetryCount: 0 });
  assert.throws(() => parseRestartPolicy(':3'), { message: 'invalid restart policy format: no policy provided before colon' });
  assert.throws(() => parseRestartPolicy('on-failure:x'), { message: 'invalid restart policy format: maximum retry count must be an integer' });
});

test('uint16 flags as pflag (base prefixes, range)', () => {
  assert.equal(parseUint16('500'), 500);
  assert.equal(parseUint16('0x10'), 16);
  assert.throws(() => parseUint16('-1'), { message: 'strconv.ParseUint: parsing "-1": invalid syntax' });
  assert.throws(() => parseUint16('70000'), { message: 'strconv.ParseUint: parsing "70000": value out of range' });
});

test('flag errors are pflag\'s invalid argument messages', () => {
  assert.equal(flagError(['-m', 'abc']), 'invalid argument "abc" for "-m, --memory" flag: invalid size: \'abc\'');
  assert.equal(flagError(['--memory-swap', 'x1']), 'invalid argument "x1" for "--memory-swap" flag: strconv.ParseFloat: parsing "x1": invalid syntax');
  assert.equal(flagError(['--shm-size', '1q']), 'invalid argument "1q" for "--shm-size" flag: invalid suffix: \'q\'');
  assert.equal(flagError(['--cpus', 'two']), 'invalid argument "two" for "--cpus" flag: failed to parse two as a rational number');
  assert.equal(flagError(['--ulimit', 'nofile']), 'invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile');
  assert.equal(flagError(['--blkio-weight', 'x']), 'invalid argument "x" for "--blkio-weight" flag: strconv.ParseUint: parsing "x": invalid syntax');
});

test('resource flags land in HostConfig as docker CLI 28 sends them', () => {
  const h = host([
    '-m', '64m', '--memory-swap', '-1', '--memory-reservation', '32m', '--memory-swappiness', '10', '--kernel-memory', '8m',
    '--cpus', '1.5', '-c', '512', '--cpu-period', '100000', '--cpu-quota', '50000', '--cpuset-cpus', '0-1', '--cpuset-mems', '0',
    '--pids-limit', '100', '--blkio-weight', '300', '--oom-kill-disable', '--oom-score-adj', '-500', '--cgroup-parent', '/custom',
    '--ulimit', 'nproc=64', '--ulimit', 'nofile=1024:2048', '--restart', 'on-failure:5', '--shm-size', '128m',
  ]);
  assert.equal(h.Memory, 64 * 1024 ** 2);
  assert.equal(h.MemorySwap, -1);
  assert.equal(h.MemoryReservation, 32 * 1024 ** 2);
  assert.equal(h.MemorySwappiness, 10);
  assert.equal('KernelMemory' in h, false, 'the API client drops KernelMemory on API >= 1.42');
  assert.equal(h.NanoCpus, 1_500_000_000);
  assert.equal(h.CpuShares, 512);
  assert.equal(h.CpuPeriod, 100000);
  assert.equal(h.CpuQuota, 50000);
  assert.equal(h.CpusetCpus, '0-1');
  assert.equal(h.CpusetMems, '0');
  assert.equal(h.PidsLimit, 100);
  assert.equal(h.BlkioWeight, 300);
  assert.equal(h.OomKillDisable, true);
  assert.equal(h['OomScoreAdj'], -500);
  assert.equal(h.CgroupParent, '/custom');
  assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }, { Name: 'nproc', Soft: 64, Hard: 64 }]);
  assert.deepEqual(h['RestartPolicy'], { Name: 'on-failure', MaximumRetryCount: 5 });
  assert.equal(h['ShmSize'], 128 * 1024 ** 2);
});

test('defaults: docker\'s zero values, swappiness -1, restart "no", empty ulimits', () => {
  const h = host([]);
  assert.equal(h.Memory, 0);
  assert.equal(h.MemorySwap, 0);
  assert.equal(h.MemorySwappiness, -1);
  assert.equal(h.OomKillDisable, false);
  assert.equal(h.PidsLimit, 0);
  assert.equal(h.NanoCpus, 0);
  assert.deepEqual(h.Ulimits, []);
  assert.deepEqual(h['RestartPolicy'], { Name: 'no', MaximumRetryCount: 0 });
  assert.equal(h.BlkioWeightDevice, null);
  assert.deepEqual(h.BlkioDeviceReadBps, []);
  assert.equal(h.Devices, null);
});

test('option errors of parse(): swappiness range, --restart with --rm, restart format', () => {
  const build = (args: string[]) => buildContainerRequest(parse([...args, 'img']), 'img', [], {}, '/cwd');
  assert.throws(() => build(['--memory-swappiness', '101']), (e: unknown) => e instanceof OptionsError && e.message === 'invalid value: 101. Valid memory swappiness range is 0-100');
  assert.throws(() => build(['--rm', '--restart', 'always']), { message: 'conflicting options: cannot specify both --restart and --rm' });
  assert.doesNotThrow(() => build(['--rm', '--restart', 'no']));
  assert.throws(() => build(['--restart', 'on-failure:x']), { message: 'invalid restart policy format: maximum retry count must be an integer' });
});
