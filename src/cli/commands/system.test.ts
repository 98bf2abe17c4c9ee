import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DiskUsage } from '../../client/index.js';
import type { ContainerSummary, ImageSummary } from '../../protocol/types.js';
import { renderRows } from '../format/table.js';
import { summaryRows, verboseTable } from './system.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

const image = (over: Partial<ImageSummary>): ImageSummary => ({
  Id: `sha256:${'a'.repeat(64)}`, ParentId: '', RepoTags: ['busybox:latest'], RepoDigests: [], Created: NOW / 1000 - 7200, Size: 4_000_000,
  SharedSize: 0, Labels: null, Containers: 1, ...over,
});

const container = (over: Partial<ContainerSummary>): ContainerSummary => ({
  Id: 'c'.repeat(64), Names: ['/web'], Image: 'busybox', ImageID: `sha256:${'a'.repeat(64)}`, Command: 'sleep 1000', Created: NOW / 1000 - 60,
  Ports: [], Labels: {}, State: 'running', Status: 'Up 1 minute', SizeRw: 1000, Mounts: [{ Type: 'volume', Name: 'data', Driver: 'local' }],
  ...over,
} as ContainerSummary);

const df: DiskUsage = {
  LayersSize: 5_000_000,
  Images: [image({}), image({ Id: `sha256:${'b'.repeat(64)}`, RepoTags: [], Size: 1_000_000, Containers: 0 })],
  Containers: [container({}), container({ Id: 'd'.repeat(64), Names: ['/old'], State: 'exited', Status: 'Exited (0) 1 minute ago', SizeRw: 3000, Mounts: [] })],
  Volumes: [
    { Driver: 'local', Labels: null, Mountpoint: '/m/data', Name: 'data', Options: null, Scope: 'local', UsageData: { RefCount: 1, Size: 2_000_000 } },
    { Driver: 'local', Labels: null, Mountpoint: '/m/old', Name: 'old', Options: null, Scope: 'local', UsageData: { RefCount: 0, Size: 500_000 } },
    { Driver: 'local', Labels: null, Mountpoint: '/m/unk', Name: 'unk', Options: null, Scope: 'local', UsageData: { RefCount: 0, Size: -1 } },
  ],
  BuildCache: [],
};

test('system df: the summary as docker computes it', () => {
  const out = renderRows(summaryRows(df), {
    format: 'table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}',
    headers: { Type: 'TYPE', TotalCount: 'TOTAL', Active: 'ACTIVE', Size: 'SIZE', Reclaimable: 'RECLAIMABLE' },
  });
  assert.equal(out, [
    'TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE',
    'Images          2         1         5MB       1MB (20%)',
    'Containers      2         1         4kB       3kB (75%)',
    'Local Volumes   3         1         2.5MB     500kB (20%)',
    'Build Cache     0         0         0B        0B',
    '',
  ].join('\n'));
});

test('system df -v: images, containers, volumes (VOLUME NAME, LINKS, SIZE) and build cache sections', () => {
  const out = verboseTable(df, NOW);
  assert.ok(out.startsWith('Images space usage:\n\nREPOSITORY   TAG       IMAGE ID       CREATED       SIZE      SHARED SIZE   UNIQUE SIZE   CONTAINERS\n'
    + 'busybox      latest    aaaaaaaaaaaa   2 hours ago   4MB       0B            4MB           1\n'
    + '<none>       <none>    bbbbbbbbbbbb   2 hours ago   1MB       0B            1MB           0\n'), out);
  assert.match(out, /\nContainers space usage:\n\nCONTAINER ID   IMAGE     COMMAND        LOCAL VOLUMES   SIZE      CREATED              STATUS                    NAMES\ncccccccccccc   busybox   "sleep 1000"   1               1kB       About a minute ago   Up 1 minute               web\n/);
  assert.ok(out.includes('\nLocal Volumes space usage:\n\nVOLUME NAME   LINKS     SIZE\ndata          1         2MB\nold           0         500kB\nunk           0         -1B\n'), out);
  assert.ok(out.endsWith('\nBuild cache usage: 0B\n\nCACHE ID   CACHE TYPE   SIZE      CREATED   LAST USED   USAGE     SHARED\n'), out);
});
