import { strict as assert } from 'node:assert';
import { appendFile, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isKind } from '../../core/index.js';
import {
  formatLogTimestamp,
  logTimeToUnix,
  parseLogLine,
  parseLogOpts,
  readLogs,
  rotateIfNeeded,
  type LogEntry,
  type ReadLogsOptions,
} from './index.js';

/** A conmon-style time for unix second `s` (+ nanoseconds), in a +02:00 zone like a local clock. */
function ts(s: number, ns = 0): string {
  const d = new Date((s + 7200) * 1000).toISOString().slice(0, 19);
  return `${d}.${String(ns).padStart(9, '0')}+02:00`;
}
const rec = (s: number, stream: 'stdout' | 'stderr', tag: 'P' | 'F', text: string): string =>
  `${ts(s)} ${stream} ${tag} ${text}\n`;

async function collect(it: AsyncIterable<LogEntry>): Promise<string[]> {
  const out: string[] = [];
  for await (const e of it) out.push(`${e.stream}:${e.data.toString()}`);
  return out;
}
const both: ReadLogsOptions = { stdout: true, stderr: true };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'berth-logs-test-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});
let n = 0;
async function newLog(content = ''): Promise<string> {
  const d = join(dir, `c${n++}`);
  await import('node:fs/promises').then((fs) => fs.mkdir(d));
  const p = join(d, 'ctr.log');
  if (content) await writeFile(p, content);
  return p;
}

describe('parseLogLine', () => {
  it('parses full and partial records', () => {
    assert.deepEqual(parseLogLine('2024-01-02T03:04:05.123456789+01:00 stdout F hello world'), {
      time: '2024-01-02T03:04:05.123456789+01:00',
      stream: 'stdout',
      partial: false,
      text: 'hello world',
    });
    assert.deepEqual(parseLogLine('2024-01-02T03:04:05.000000000Z stderr P  two  spaces \n'), {
      time: '2024-01-02T03:04:05.000000000Z',
      stream: 'stderr',
      partial: true,
      text: ' two  spaces ',
    });
    assert.equal(parseLogLine('2024-01-02T03:04:05.000000000Z stdout F ')?.text, '');
    assert.equal(parseLogLine('2024-01-02T03:04:05.000000000Z stdout F')?.text, '');
  });
  it('rejects garbage', () => {
    for (const bad of [
      '',
      'hello',
      '2024-01-02T03:04:05Z stdin F x',
      '2024-01-02T03:04:05Z stdout X x',
      'yesterday stdout F x',
      '2024-01-02T03:04:05Z stdout Fx',
    ]) {
      assert.equal(parseLogLine(bad), undefined, bad);
    }
  });
  it('converts times', () => {
    assert.equal(logTimeToUnix('1970-01-01T01:00:01.500000000+01:00'), 1.5);
    assert.equal(logTimeToUnix('1970-01-01T00:00:10Z'), 10);
    assert.ok(Number.isNaN(logTimeToUnix('nope')));
    assert.equal(formatLogTimestamp('2024-01-02T05:04:05.120000000+02:00'), '2024-01-02T03:04:05.120000000Z');
  });
});

describe('parseLogOpts', () => {
  it('parses docker syntax with defaults', () => {
    assert.deepEqual(parseLogOpts({}), { maxSize: 20_000_000, maxFile: 5 });
    assert.deepEqual(parseLogOpts({ 'max-size': '10m', 'max-file': '3' }), { maxSize: 10_000_000, maxFile: 3 });
    assert.equal(parseLogOpts({ 'max-size': '100k' }).maxSize, 100_000);
    assert.equal(parseLogOpts({ 'max-size': '1g' }).maxSize, 1_000_000_000);
    assert.equal(parseLogOpts({ 'max-size': '2048' }).maxSize, 2048);
    assert.equal(parseLogOpts({ 'max-size': '1.5MB' }).maxSize, 1_500_000);
    assert.equal(parseLogOpts({ 'max-file': '1', tag: 'x', labels: 'a' }).maxFile, 1);
  });
  it('rejects invalid values with Docker wording', () => {
    const cases: [Record<string, string>, RegExp][] = [
      [{ 'max-size': 'abc' }, /^invalid size: 'abc'$/],
      [{ 'max-size': '-1' }, /^invalid size: '-1'$/],
      [{ 'max-size': '0' }, /^max-size must be a positive number$/],
      [{ 'max-file': '0' }, /^max-file cannot be less than 1$/],
      [{ 'max-file': 'x' }, /^strconv.Atoi: parsing "x": invalid syntax$/],
      [{ 'max-bytes': '1' }, /^unknown log opt 'max-bytes' for json-file log driver$/],
    ];
    for (const [opts, re] of cases) {
      assert.throws(
        () => parseLogOpts(opts),
        (err: unknown) => isKind(err, 'invalid-argument') && re.test((err as Error).message),
        JSON.stringify(opts),
      );
    }
  });
});

describe('readLogs', () => {
  it('reads lines, joins partials, filters streams', async () => {
    const p = await newLog(
      rec(1, 'stdout', 'F', 'one') +
        rec(2, 'stdout', 'P', 'tw') +
        rec(2, 'stderr', 'F', 'err') +
        rec(2, 'stdout', 'P', 'o-') +
        rec(3, 'stdout', 'F', 'end') +
        'garbage line\n' +
        rec(4, 'stdout', 'F', '') +
        rec(5, 'stderr', 'P', 'no newline'),
    );
    const all = await collect(readLogs({ logPath: p, maxFile: 5 }, both));
    assert.deepEqual(all, ['stdout:one\n', 'stderr:err\n', 'stdout:two-end\n', 'stdout:\n', 'stderr:no newline']);
    assert.deepEqual(await collect(readLogs({ logPath: p, maxFile: 5 }, { stdout: false, stderr: true })), [
      'stderr:err\n',
      'stderr:no newline',
    ]);
    assert.deepEqual(await collect(readLogs({ logPath: p, maxFile: 5 }, { stdout: true, stderr: false })), [
      'stdout:one\n',
      'stdout:two-end\n',
      'stdout:\n',
    ]);
  });

  it('keeps raw bytes', async () => {
    const p = await newLog();
    await writeFile(p, Buffer.concat([Buffer.from(`${ts(1)} stdout F `), Buffer.from([0xff, 0x00, 0xc3]), Buffer.from('\n')]));
    const [e] = await collectEntries(readLogs({ logPath: p, maxFile: 1 }, both));
    assert.deepEqual(e?.data, Buffer.from([0xff, 0x00, 0xc3, 0x0a]));
  });

  it('returns nothing for a missing file', async () => {
    assert.deepEqual(await collect(readLogs({ logPath: join(dir, 'nope', 'ctr.log'), maxFile: 3 }, both)), []);
  });

  it('reads rotated files oldest first', async () => {
    const p = await newLog(rec(5, 'stdout', 'F', 'live'));
    await writeFile(`${p}.1`, rec(4, 'stdout', 'P', 'spl') + rec(4, 'stdout', 'F', 'it') + rec(4, 'stderr', 'P', 'a'));
    await writeFile(`${p}.2`, rec(2, 'stdout', 'F', 'two'));
    await writeFile(`${p}.3`, rec(1, 'stdout', 'F', 'three'));
    await writeFile(`${p}.4`, rec(0, 'stdout', 'F', 'beyond max-file'));
    await appendFile(p, rec(6, 'stderr', 'F', 'b'));
    assert.deepEqual(await collect(readLogs({ logPath: p, maxFile: 4 }, both)), [
      'stdout:three\n',
      'stdout:two\n',
      'stdout:split\n',
      'stdout:live\n',
      'stderr:ab\n',
    ]);
  });

  it('filters since/until', async () => {
    const p = await newLog(
      rec(100, 'stdout', 'F', 'a') + rec(101, 'stdout', 'F', 'b') + rec(102, 'stdout', 'F', 'c') + rec(103, 'stdout', 'F', 'd'),
    );
    const read = (o: Partial<ReadLogsOptions>) => collect(readLogs({ logPath: p, maxFile: 1 }, { ...both, ...o }));
    assert.deepEqual(await read({ since: 101 }), ['stdout:b\n', 'stdout:c\n', 'stdout:d\n']);
    assert.deepEqual(await read({ since: 101.5 }), ['stdout:c\n', 'stdout:d\n']);
    assert.deepEqual(await read({ until: 102 }), ['stdout:a\n', 'stdout:b\n']);
    assert.deepEqual(await read({ since: 101, until: 103 }), ['stdout:b\n', 'stdout:c\n']);
    assert.deepEqual(await read({ tail: 2, since: 103 }), ['stdout:d\n']);
  });

  it('tails the last N lines across files and partials', async () => {
    const p = await newLog();
    let live = '';
    for (let i = 0; i < 50; i++) live += rec(10 + i, i % 3 ? 'stdout' : 'stderr', 'F', `line ${i}`);
    await writeFile(`${p}.1`, rec(1, 'stdout', 'F', 'old 1') + rec(2, 'stdout', 'P', 'old ') + rec(2, 'stdout', 'P', 'split '));
    await writeFile(p, rec(3, 'stderr', 'F', 'e') + rec(3, 'stdout', 'F', 'end') + live);
    const read = (tail: number, o: Partial<ReadLogsOptions> = {}) =>
      collect(readLogs({ logPath: p, maxFile: 2 }, { ...both, tail, ...o }));
    assert.deepEqual(await read(0), []);
    assert.deepEqual(await read(2), ['stderr:line 48\n', 'stdout:line 49\n']);
    assert.deepEqual(await read(3), ['stdout:line 47\n', 'stderr:line 48\n', 'stdout:line 49\n']);
    const all = await read(1000);
    assert.equal(all.length, 53);
    assert.deepEqual(all.slice(0, 3), ['stdout:old 1\n', 'stderr:e\n', 'stdout:old split end\n']);
    assert.deepEqual(await read(51), all.slice(2));
    assert.deepEqual(await read(52), all.slice(1));
    // the stream filter applies after tail, as Docker's json-file
    assert.deepEqual(await read(3, { stderr: false }), ['stdout:line 47\n', 'stdout:line 49\n']);
  });

  it('tails a big file without losing lines at chunk boundaries', async () => {
    const p = await newLog();
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(rec(1000 + i, 'stdout', 'F', `row ${i} ${'x'.repeat(i % 97)}`));
    await writeFile(p, lines.join(''));
    const got = await collect(readLogs({ logPath: p, maxFile: 1 }, { ...both, tail: 5000 }));
    assert.equal(got.length, 5000);
    got.forEach((l, i) => assert.ok(l.startsWith(`stdout:row ${15000 + i} `), l));
  });

  it('tail keeps a long line whose partials precede other records', async () => {
    const p = await newLog(
      rec(1, 'stdout', 'F', 'before') +
        rec(2, 'stdout', 'P', 'long-') +
        rec(2, 'stderr', 'F', 'x') +
        rec(2, 'stderr', 'F', 'y') +
        rec(3, 'stdout', 'F', 'line'),
    );
    assert.deepEqual(await collect(readLogs({ logPath: p, maxFile: 1 }, { ...both, tail: 1 })), ['stdout:long-line\n']);
    assert.deepEqual(await collect(readLogs({ logPath: p, maxFile: 1 }, { ...both, tail: 2 })), [
      'stderr:y\n',
      'stdout:long-line\n',
    ]);
  });
});

async function collectEntries(it: AsyncIterable<LogEntry>): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
}

/** Collects from a follow stream in the background, with a way to wait for a count. */
function background(it: AsyncIterable<LogEntry>) {
  const got: string[] = [];
  let waiters: (() => void)[] = [];
  const done = (async () => {
    for await (const e of it) {
      got.push(`${e.stream}:${e.data.toString()}`);
      waiters.forEach((w) => w());
      waiters = [];
    }
  })();
  const waitFor = async (count: number, ms = 5000): Promise<void> => {
    const t0 = Date.now();
    while (got.length < count) {
      if (Date.now() - t0 > ms) throw new Error(`timeout waiting for ${count} entries, got ${JSON.stringify(got)}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 100);
      });
    }
  };
  return { got, done, waitFor };
}

describe('readLogs follow', () => {
  it('receives lines appended later and ends when stopped resolves', async () => {
    const p = await newLog(rec(1, 'stdout', 'F', 'first'));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const bg = background(readLogs({ logPath: p, maxFile: 3 }, { ...both, follow: true, stopped }));
    await bg.waitFor(1);
    await appendFile(p, rec(2, 'stdout', 'P', 'sec'));
    await appendFile(p, rec(2, 'stdout', 'F', 'ond'));
    await bg.waitFor(2);
    await appendFile(p, rec(3, 'stderr', 'F', 'third') + rec(4, 'stdout', 'P', 'tail without newline'));
    await bg.waitFor(3);
    stop();
    await bg.done;
    assert.deepEqual(bg.got, ['stdout:first\n', 'stdout:second\n', 'stderr:third\n', 'stdout:tail without newline']);
  });

  it('waits for a live file that does not exist yet, with tail 0', async () => {
    const p = await newLog();
    const ac = new AbortController();
    const bg = background(readLogs({ logPath: p, maxFile: 3 }, { ...both, follow: true, tail: 0, signal: ac.signal }));
    await new Promise((r) => setTimeout(r, 50));
    await writeFile(p, rec(1, 'stdout', 'F', 'hello'));
    await bg.waitFor(1);
    ac.abort();
    await bg.done;
    assert.deepEqual(bg.got, ['stdout:hello\n']);
  });

  it('follows across a rotation without losing records', async () => {
    const p = await newLog(rec(1, 'stdout', 'F', 'a'));
    let stop!: () => void;
    const stopped = new Promise<void>((r) => (stop = r));
    const bg = background(readLogs({ logPath: p, maxFile: 3 }, { ...both, follow: true, stopped }));
    await bg.waitFor(1);
    await appendFile(p, rec(2, 'stdout', 'F', 'b'));
    // rotation by rotateIfNeeded; conmon writes to the old file until it reopens
    const rotated = await rotateIfNeeded(p, { maxSize: 1, maxFile: 3 }, async () => {
      await appendFile(`${p}.1`, rec(3, 'stdout', 'P', 'c-in-') + rec(3, 'stdout', 'F', 'old'));
      await writeFile(`${p}.tmp`, '');
      await rename(`${p}.tmp`, p);
    });
    assert.equal(rotated, true);
    await appendFile(p, rec(4, 'stdout', 'F', 'd'));
    await bg.waitFor(4);
    stop();
    await bg.done;
    assert.deepEqual(bg.got, ['stdout:a\n', 'stdout:b\n', 'stdout:c-in-old\n', 'stdout:d\n']);
    // and a plain read sees the same, across both files
    assert.deepEqual(await collect(readLogs({ logPath: p, maxFile: 3 }, both)), bg.got);
  });

  it('ends at until and on abort', async () => {
    const p = await newLog(rec(1, 'stdout', 'F', 'a'));
    const bg = background(readLogs({ logPath: p, maxFile: 1 }, { ...both, follow: true, until: 3 }));
    await bg.waitFor(1);
    await appendFile(p, rec(2, 'stdout', 'F', 'b') + rec(3, 'stdout', 'F', 'c') + rec(4, 'stdout', 'F', 'd'));
    await bg.done;
    assert.deepEqual(bg.got, ['stdout:a\n', 'stdout:b\n']);

    const ac = new AbortController();
    const bg2 = background(readLogs({ logPath: p, maxFile: 1 }, { ...both, follow: true, tail: 1, signal: ac.signal }));
    await bg2.waitFor(1);
    ac.abort();
    await bg2.done;
    assert.deepEqual(bg2.got, ['stdout:d\n']);
  });

  it('ends at until in wall-clock time when nothing is written', async () => {
    const p = await newLog(rec(1, 'stdout', 'F', 'a'));
    const t0 = Date.now();
    const got = await collect(readLogs({ logPath: p, maxFile: 1 }, { ...both, follow: true, until: Date.now() / 1000 + 0.3 }));
    assert.deepEqual(got, ['stdout:a\n']);
    assert.ok(Date.now() - t0 < 2000);
  });
});

describe('rotateIfNeeded', () => {
  it('does nothing below max-size or without a file', async () => {
    const p = await newLog(rec(1, 'stdout', 'F', 'a'));
    assert.equal(await rotateIfNeeded(p, { maxSize: 1000, maxFile: 3 }, async () => assert.fail('no reopen')), false);
    assert.equal(await rotateIfNeeded(`${p}.missing`, { maxSize: 1, maxFile: 3 }, async () => assert.fail('no reopen')), false);
  });

  it('shifts files and drops beyond max-file', async () => {
    const p = await newLog();
    const reopen = async () => writeFile(p, '');
    for (let i = 1; i <= 5; i++) {
      await writeFile(p, rec(i, 'stdout', 'F', `gen ${i}`));
      assert.equal(await rotateIfNeeded(p, { maxSize: 10, maxFile: 3 }, reopen), true);
    }
    const names = (await readdir(join(p, '..'))).sort();
    assert.deepEqual(names, ['ctr.log', 'ctr.log.1', 'ctr.log.2']);
    assert.match(await readFile(`${p}.1`, 'utf8'), /gen 5/);
    assert.match(await readFile(`${p}.2`, 'utf8'), /gen 4/);
    assert.equal((await stat(p)).size, 0);
    // max-file lowered: leftovers beyond are removed
    await writeFile(p, rec(6, 'stdout', 'F', 'gen 6'));
    await rotateIfNeeded(p, { maxSize: 10, maxFile: 2 }, reopen);
    assert.deepEqual((await readdir(join(p, '..'))).sort(), ['ctr.log', 'ctr.log.1']);
    assert.deepEqual(await collect(readLogs({ logPath: p, maxFile: 2 }, both)), ['stdout:gen 6\n']);
  });

  it('max-file 1 truncates', async () => {
    const p = await newLog(rec(1, 'stdout', 'F', 'old'));
    let reopened = 0;
    assert.equal(
      await rotateIfNeeded(p, { maxSize: 5, maxFile: 1 }, async () => {
        reopened++;
        await writeFile(p, '');
      }),
      true,
    );
    assert.equal(reopened, 1);
    assert.deepEqual(await readdir(join(p, '..')), ['ctr.log']);
  });
});
