import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EMPTY_EVENT, eventJson, eventView, formatEventLine, parseEvent, restoreTimeNano, rfc3339NanoFixed } from './events.js';
import { Template } from './template.js';

const utc = (): number => 0;
const NET_ID = '5fc2a1b7d3e9f0c4a6b8d2e1f3a5c7b9d1e3f5a7c9b1d3e5f7a9c1b3d5e7f790';
const line = `{"Type":"network","Action":"create","Actor":{"ID":"${NET_ID}","Attributes":{"type":"bridge","name":"evnet"}},`
  + '"scope":"local","time":1795474959,"timeNano":1795474959633995121}';

test('timeNano is read exactly (beyond 2^53)', () => {
  const e = parseEvent(line);
  assert.equal(e.timeNano, 1795474959633995121n);
  assert.equal(e.time, 1795474959);
  assert.equal(e.Actor.ID, NET_ID);
});

test('default line: time from timeNano, Type Action ID, attributes sorted by key', () => {
  assert.equal(
    formatEventLine(parseEvent(line), utc),
    `2026-11-23T23:02:39.633995121Z network create ${NET_ID} (name=evnet, type=bridge)\n`,
  );
});

test('default line: no attributes, time fallback, zone offsets as Go prints them', () => {
  const e = parseEvent('{"Type":"container","Action":"die","Actor":{"ID":"abc","Attributes":{}},"time":1795474959}');
  assert.equal(formatEventLine(e, utc), '2026-11-23T23:02:39.000000000Z container die abc\n');
  assert.equal(formatEventLine(e, () => 120), '2026-11-24T01:02:39.000000000+02:00 container die abc\n');
  assert.equal(formatEventLine(e, () => -330), '2026-11-23T17:32:39.000000000-05:30 container die abc\n');
  assert.equal(formatEventLine(parseEvent('{"Type":"image","Action":"pull","Actor":{"ID":"x"}}')), 'image pull x\n');
  assert.equal(rfc3339NanoFixed(5n, utc), '1970-01-01T00:00:00.000000005Z');
});

test('legacy container fields are kept; json is Go\'s marshalling with an exact timeNano', () => {
  const raw = '{"status":"start","id":"c1","from":"busybox","Type":"container","Action":"start",'
    + '"Actor":{"ID":"c1","Attributes":{"name":"web","image":"busybox"}},"scope":"local","time":1795474959,"timeNano":1795474959633995121}';
  const e = parseEvent(raw);
  assert.equal(e.status, 'start');
  assert.equal(e.from, 'busybox');
  assert.equal(eventJson(e), raw.replace('{"name":"web","image":"busybox"}', '{"image":"busybox","name":"web"}'));
  const min = parseEvent('{"Type":"volume","Action":"create","Actor":{"ID":"v"}}');
  assert.equal(eventJson(min), '{"Type":"volume","Action":"create","Actor":{"ID":"v","Attributes":null}}');
});

test('--format templates see Go field names; {{json .}} is exact', () => {
  const e = parseEvent(line);
  const render = (src: string): string => restoreTimeNano(new Template(src).execute(eventView(e, src)));
  assert.equal(render('{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{.Scope}}'), 'network create evnet local');
  assert.equal(render('{{.TimeNano}} {{.Time}}'), '1795474959633995121 1795474959');
  assert.equal(render('{{json .}}'), eventJson(e));
  assert.equal(render('{{.Actor.Attributes.nope}}'), '<no value>');
});

test('an unknown field is an execution error, as Go\'s on *events.Message', () => {
  const src = '{{.Bogus}}';
  assert.throws(() => new Template(src).execute(eventView(EMPTY_EVENT, src)), {
    message: 'template: :1:2: executing "" at <.Bogus>: can\'t evaluate field Bogus in type *events.Message',
  });
  const nested = 'x {{.Actor.Name}}';
  assert.throws(() => new Template(nested).execute(eventView(EMPTY_EVENT, nested)), {
    message: 'template: :1:4: executing "" at <.Actor.Name>: can\'t evaluate field Name in type events.Actor',
  });
});
