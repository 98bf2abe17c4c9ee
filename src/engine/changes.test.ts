import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import tar from 'tar-stream';
import { realUnpackHost } from '../image/index.js';
import { upperChanges, type Change } from './changes.js';
import { upperLayer } from './commit.js';
import { runtimeEntries } from './runtime-entries.js';

const IS_ROOT = process.getuid?.() === 0;
const OLD = new Date('2024-01-01T00:00:00Z');

/** Creates files ('x', holding their own path) and dirs ('x/') under root. */
async function tree(root: string, paths: string[]): Promise<void> {
  for (const p of paths) {
    if (p.endsWith('/')) await mkdir(join(root, p), { recursive: true });
    else {
      await mkdir(join(root, p, '..'), { recursive: true });
      await writeFile(join(root, p), p);
    }
  }
}

/** Gives `dirs` (relative to root) the mtime they have in `lower`, as an untouched copy-up would. */
async function sameTimes(root: string, lower: string, dirs: string[]): Promise<void> {
  for (const d of dirs) {
    const st = await stat(join(lower, d));
    await utimes(join(root, d), st.atime, st.mtime);
  }
}

async function oldTimes(root: string, paths: string[]): Promise<void> {
  for (const p of [...paths].reverse()) await utimes(join(root, p), OLD, OLD);
}

const show = (changes: Change[]): string[] => changes.map((c) => `${'CAD'[c.Kind]} ${c.Path}`);

describe('container changes (overlay upper over lower layers)', () => {
  let work: string;
  let lower: string;
  let top: string;
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'berth-changes-'));
    lower = join(work, 'l1');
    top = join(work, 'l2');
    const base = ['bin/', 'bin/ls', 'bin/cat', 'etc/', 'etc/passwd', 'tmp/', 'usr/', 'usr/share/', 'usr/share/doc', 'proc/'];
    await tree(lower, base);
    await oldTimes(lower, ['', ...base]);
    await tree(top, ['etc/', 'etc/group']);
    await oldTimes(top, ['', 'etc/', 'etc/group']);
  });
  after(async () => rm(work, { recursive: true, force: true }));

  it('reports adds and modifies, parents of adds as modified, and hides the runtime\'s mount points', async () => {
    const upper = join(work, 'u1');
    await tree(upper, ['etc/passwd', 'etc/hostname', 'etc/hosts', 'etc/resolv.conf', 'hello', 'tmp/a/b/', 'sys/', 'opt/x']);
    await sameTimes(upper, lower, ['tmp']);
    assert.deepEqual(show(await upperChanges(upper, [top, lower])), [
      'C /etc/passwd', 'A /hello', 'A /opt', 'A /opt/x', 'C /tmp', 'A /tmp/a', 'A /tmp/a/b',
    ]);
  });

  it('counts a path in any lower layer as modified and a changed directory as modified', async () => {
    const upper = join(work, 'u2');
    await tree(upper, ['etc/group', 'tmp/']);
    await utimes(join(upper, 'tmp'), new Date(), new Date());
    await sameTimes(upper, lower, ['etc']);
    assert.deepEqual(show(await upperChanges(upper, [top, lower])), ['C /etc/group', 'C /tmp']);
  });

  it('has no changes for a missing or empty upper dir', async () => {
    assert.deepEqual(await upperChanges(join(work, 'nope'), [lower]), []);
    await mkdir(join(work, 'u3'));
    assert.deepEqual(await upperChanges(join(work, 'u3'), [lower]), []);
  });

  it('finds the runtime\'s entries: init files, and init dirs holding nothing else', async () => {
    const upper = join(work, 'u4');
    await tree(upper, ['etc/hostname', 'etc/hosts', 'proc/', 'dev/pts/', 'dev/shm/', 'var/x']);
    const r = await runtimeEntries(upper);
    assert.deepEqual([...r.hidden].sort(), ['dev', 'dev/pts', 'dev/shm', 'etc', 'etc/hostname', 'etc/hosts', 'proc']);
    assert.deepEqual([...r.touched], ['']);
    await writeFile(join(upper, 'etc', 'motd'), 'hi');
    const again = await runtimeEntries(upper);
    assert.ok(!again.hidden.has('etc'));
    assert.ok(again.touched.has('etc'));
  });

  describe('whiteouts and opaque directories (root)', { skip: IS_ROOT ? false : 'needs root (mknod, trusted.* xattrs)' }, () => {
    let upper: string;
    before(async () => {
      upper = join(work, 'wh');
      await tree(upper, ['bin/', 'usr/share/', 'usr/share/new', 'etc/hosts']);
      await realUnpackHost.mknod(join(upper, 'bin', 'ls'), { type: 'c', major: 0, minor: 0, mode: 0 });
      await realUnpackHost.setXattr(join(upper, 'usr', 'share'), 'trusted.overlay.opaque', Buffer.from('y'));
      await sameTimes(upper, lower, ['usr']);
    });

    it('reports a whiteout and an opaque directory as deleted, after their parent', async () => {
      assert.deepEqual(show(await upperChanges(upper, [top, lower])), [
        'C /bin', 'D /bin/ls', 'C /usr', 'D /usr/share', 'A /usr/share/new',
      ]);
    });

    it('commits them as .wh. members, without the runtime\'s entries', async () => {
      const extract = tar.extract();
      Readable.from((await upperLayer(upper)).open()).pipe(extract as unknown as NodeJS.WritableStream);
      const names: string[] = [];
      for await (const e of extract) {
        names.push(e.header.name);
        e.resume();
      }
      assert.deepEqual(names, ['bin/', 'bin/.wh.ls', 'usr/', 'usr/share/', 'usr/share/.wh..wh..opq', 'usr/share/new']);
    });
  });
});
