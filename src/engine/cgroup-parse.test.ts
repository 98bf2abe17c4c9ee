import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cgroupDir, parseBlkioV1, parseCgroupMounts, parseIoStatV2, parseKeyValues, parseLimit, parseNetDev, parsePercpu,
  parseProcCgroup, parseProcStat, parseUint, ticksToNs,
} from './cgroup-parse.js';
import { locateCgroup } from './cgroup-stats.js';

const ID = 'c'.repeat(64);

/** A hybrid host: v1 controllers (cpu and cpuacct mounted apart), the unified tree without controllers. */
const MOUNTINFO_HYBRID = `22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
38 31 0:35 / /sys/fs/cgroup/blkio rw,relatime - cgroup cgroup rw,blkio
39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
`;

const PROC_CGROUP_HYBRID = `12:pids:/berth/${ID}
8:blkio:/berth/${ID}
5:memory:/berth/${ID}
3:cpuacct:/berth/${ID}
2:cpu:/berth/${ID}
1:name=systemd:/user.slice
0::/user.slice
`;

test('mountinfo: v1 controllers by name, v2 mounts; combined cpu,cpuacct and escaped paths', () => {
  const m = parseCgroupMounts(MOUNTINFO_HYBRID);
  assert.deepEqual(m.v1.get('cpuacct'), { root: '/', mountpoint: '/sys/fs/cgroup/cpuacct' });
  assert.equal(m.v1.get('memory')?.mountpoint, '/sys/fs/cgroup/memory');
  assert.equal(m.v1.has('name=systemd'), false);
  assert.deepEqual(m.v2, [{ root: '/', mountpoint: '/sys/fs/cgroup/unified' }]);
  const combined = parseCgroupMounts('30 25 0:27 /docker/x /sys/fs/cgroup/cpu\\054cpuacct ro,nosuid - cgroup cgroup ro,cpu,cpuacct\n');
  assert.deepEqual(combined.v1.get('cpu'), { root: '/docker/x', mountpoint: '/sys/fs/cgroup/cpu,cpuacct' });
  assert.equal(combined.v1.get('cpuacct'), combined.v1.get('cpu'));
});

test('/proc/<pid>/cgroup: v1 paths per controller and the unified path', () => {
  const p = parseProcCgroup('4:cpu,cpuacct:/berth/x\n9:memory:/berth/x\n0::/\n');
  assert.equal(p.v1.get('cpu'), '/berth/x');
  assert.equal(p.v1.get('cpuacct'), '/berth/x');
  assert.equal(p.unified, '/');
});

test('cgroupDir: relative to the mount root; outside it is undefined', () => {
  assert.equal(cgroupDir({ root: '/', mountpoint: '/sys/fs/cgroup/memory' }, '/berth/x'), '/sys/fs/cgroup/memory/berth/x');
  assert.equal(cgroupDir({ root: '/docker/y', mountpoint: '/sys/fs/cgroup/memory' }, '/docker/y/berth/x'), '/sys/fs/cgroup/memory/berth/x');
  assert.equal(cgroupDir({ root: '/docker/y', mountpoint: '/sys/fs/cgroup/memory' }, '/other'), undefined);
});

test('locateCgroup: v1 on a hybrid host, v2 on a unified one', () => {
  const v1 = locateCgroup(PROC_CGROUP_HYBRID, parseCgroupMounts(MOUNTINFO_HYBRID));
  assert.deepEqual(v1, {
    version: 1,
    dirs: {
      cpu: `/sys/fs/cgroup/cpu/berth/${ID}`, cpuacct: `/sys/fs/cgroup/cpuacct/berth/${ID}`, memory: `/sys/fs/cgroup/memory/berth/${ID}`,
      pids: `/sys/fs/cgroup/pids/berth/${ID}`, blkio: `/sys/fs/cgroup/blkio/berth/${ID}`,
    },
  });
  const v2 = locateCgroup(`0::/berth/${ID}\n`, parseCgroupMounts('25 21 0:23 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n'));
  assert.deepEqual(v2, { version: 2, dir: `/sys/fs/cgroup/berth/${ID}` });
  assert.equal(locateCgroup('', parseCgroupMounts(MOUNTINFO_HYBRID)), undefined);
});

test('numbers, limits and key/value files', () => {
  assert.equal(parseUint(' 42\n'), 42);
  assert.equal(parseUint('max'), undefined);
  assert.equal(parseUint(undefined), undefined);
  assert.equal(parseLimit('max\n'), Infinity);
  assert.equal(parseLimit('1024\n'), 1024);
  assert.deepEqual(parseKeyValues('cache 4096\nrss 8192\ntotal_inactive_file 12\nbad line here\n\n'), { cache: 4096, rss: 8192, total_inactive_file: 12 });
  assert.deepEqual(parsePercpu('287404 2204089013 \n'), [287404, 2204089013]);
  assert.equal(ticksToNs(219), 2_190_000_000);
});

test('blkio v1: op lines, op-less lines, the Total line skipped', () => {
  const text = '8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n8:0 Total 12288\n8:16 512\nTotal 12288\n';
  assert.deepEqual(parseBlkioV1(text), [
    { major: 8, minor: 0, op: 'Read', value: 4096 },
    { major: 8, minor: 0, op: 'Write', value: 8192 },
    { major: 8, minor: 0, op: 'Sync', value: 0 },
    { major: 8, minor: 0, op: 'Async', value: 12288 },
    { major: 8, minor: 0, op: 'Discard', value: 0 },
    { major: 8, minor: 0, op: 'Total', value: 12288 },
    { major: 8, minor: 16, op: '', value: 512 },
  ]);
  assert.deepEqual(parseBlkioV1('Total 0\n'), []);
});

test('io.stat v2: a read and a write entry per device', () => {
  assert.deepEqual(parseIoStatV2('259:0 rbytes=1048576 wbytes=4096 rios=10 wios=1 dbytes=0 dios=0\n'), [
    { major: 259, minor: 0, op: 'read', value: 1048576 },
    { major: 259, minor: 0, op: 'write', value: 4096 },
  ]);
});

test('/proc/stat: the first seven cpu fields in ns, and the cpuN count', () => {
  const text = 'cpu  362577 0 102685 1722825 4111 0 1977 75 0 0\ncpu0 178100 0 50049 867239 935 0 640 33 0 0\ncpu1 184476 0 52636 855585 3176 0 1336 41 0 0\nintr 1 2 3\n';
  assert.deepEqual(parseProcStat(text), { systemUsage: (362577 + 102685 + 1722825 + 4111 + 1977) * 10_000_000, onlineCpus: 2 });
});

test('/proc/<pid>/net/dev: counters per interface, lo left out', () => {
  const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0
  eth0:    2514      29    1    2    0     0          0         0      516       6    3    4    0     0       0          0
`;
  assert.deepEqual(parseNetDev(text), {
    eth0: { rx_bytes: 2514, rx_packets: 29, rx_errors: 1, rx_dropped: 2, tx_bytes: 516, tx_packets: 6, tx_errors: 3, tx_dropped: 4 },
  });
});
