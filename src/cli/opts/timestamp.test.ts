import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getTimestamp, parseGoDuration } from './timestamp.js';

const now = new Date(Date.UTC(2026, 10, 23, 23, 0, 0, 500));
const nowSec = Math.floor(now.getTime() / 1000);

test('Go durations', () => {
  assert.equal(parseGoDuration('10m'), 600e9);
  assert.equal(parseGoDuration('1h30m'), 5400e9);
  assert.equal(parseGoDuration('1.5s'), 1.5e9);
  assert.equal(parseGoDuration('-2s'), -2e9);
  assert.equal(parseGoDuration('0'), 0);
  assert.equal(parseGoDuration('10'), undefined);
  assert.equal(parseGoDuration('10x'), undefined);
  assert.equal(parseGoDuration(''), undefined);
});

test('durations are relative to now, in whole seconds', () => {
  assert.equal(getTimestamp('10m', now), String(nowSec - 600));
  assert.equal(getTimestamp('1h', now), String(nowSec - 3600));
  assert.equal(getTimestamp('-5s', now), String(nowSec + 5));
});

test('RFC 3339 with a zone, date-only and nanoseconds', () => {
  assert.equal(getTimestamp('2026-11-23T23:02:39Z', now), '1795474959.000000000');
  assert.equal(getTimestamp('2026-11-23T23:02:39.633995121Z', now), '1795474959.633995121');
  assert.equal(getTimestamp('2026-11-24T01:02:39+02:00', now), '1795474959.000000000');
  assert.equal(getTimestamp('2026-11-23T23:02Z', now), '1795474920.000000000');
  assert.equal(getTimestamp('2026-11-23Z', now), '1795392000.000000000');
  assert.equal(getTimestamp('1970-01-01T00:00:01.5Z', now), '1.500000000');
});

test('local times use the zone of now', () => {
  const off = -now.getTimezoneOffset() * 60;
  assert.equal(getTimestamp('2026-11-23T23:02:39', now), `${1795474959 - off}.000000000`);
  assert.equal(getTimestamp('2026-11-23', now), `${1795392000 - off}.000000000`);
});

test('unix timestamps pass through; other values fail as docker', () => {
  assert.equal(getTimestamp('1700000000', now), '1700000000');
  assert.equal(getTimestamp('1700000000.123', now), '1700000000.123');
  assert.equal(getTimestamp('0', now), '0');
  assert.throws(() => getTimestamp('abc', now), { message: 'failed to parse value as time or duration: "abc"' });
  assert.throws(() => getTimestamp('2026-13-01', now), { message: 'parsing time "2026-13-01": month out of range' });
  assert.throws(() => getTimestamp('2026-02-30', now), { message: 'parsing time "2026-02-30": day out of range' });
  assert.throws(() => getTimestamp('2026-1-02', now), { message: 'parsing time "2026-1-02" as "2006-01-02": cannot parse "1-02" as "01"' });
  assert.throws(() => getTimestamp('2026-01-02x', now), { message: 'parsing time "2026-01-02x": extra text: "x"' });
});
