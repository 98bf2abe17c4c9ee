import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tabwrite } from './tabwriter.js';
import { ago, ellipsis, formatG, goQuote, humanSize } from './units.js';
import { renderRows } from './table.js';

test('tabwriter: docker ps header padding (minwidth 10, padding 3)', () => {
  const out = tabwrite('CONTAINER ID\tIMAGE\tCOMMAND\tNAMES\nabc\tbusybox\t"sh"\tweb\n');
  assert.equal(out, 'CONTAINER ID   IMAGE     COMMAND   NAMES\nabc            busybox   "sh"      web\n');
});

test('tabwriter: unicode counted as one cell width', () => {
  assert.equal(tabwrite('a…\tb\nccc\td\n', { minwidth: 0, padding: 1 }), 'a…  b\nccc d\n');
});

test('humanSize: decimal units, 3 significant digits', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(999), '999B');
  assert.equal(humanSize(1000), '1kB');
  assert.equal(humanSize(4261234), '4.26MB');
  assert.equal(humanSize(1980000), '1.98MB');
  assert.equal(humanSize(123456789), '123MB');
  assert.equal(humanSize(1_500_000_000), '1.5GB');
});

test('formatG matches Go %g', () => {
  assert.equal(formatG(999.9999, 3), '1e+03');
  assert.equal(formatG(0.5, 3), '0.5');
  assert.equal(formatG(23.5432, 4), '23.54');
});

test('durations as docker prints them', () => {
  const now = 1_000_000_000_000;
  assert.equal(ago(now / 1000, now), 'Less than a second ago');
  assert.equal(ago(now / 1000 - 2, now), '2 seconds ago');
  assert.equal(ago(now / 1000 - 70, now), 'About a minute ago');
  assert.equal(ago(now / 1000 - 600, now), '10 minutes ago');
  assert.equal(ago(now / 1000 - 3600, now), 'About an hour ago');
  assert.equal(ago(now / 1000 - 3 * 86400, now), '3 days ago');
});

test('command column: ellipsis then Go quoting', () => {
  assert.equal(goQuote(ellipsis("sh -c 'echo out1; echo err1 >&2'", 20)), '"sh -c \'echo out1; e…"');
  assert.equal(goQuote('a"b\\c\n'), '"a\\"b\\\\c\\n"');
});

test('renderRows: table header mapping, \\t escapes, plain and json formats', () => {
  const rows = [{ ID: 'abc', Names: 'web', Status: 'Up' }];
  const headers = { ID: 'CONTAINER ID', Names: 'NAMES', Status: 'STATUS' };
  assert.equal(renderRows(rows, { format: 'table {{.ID}}\\t{{.Names}}', headers }), 'CONTAINER ID   NAMES\nabc            web\n');
  assert.equal(renderRows(rows, { format: '{{.Names}}\\t{{.Status}}', headers }), 'web\tUp\n');
  assert.equal(renderRows(rows, { format: 'json', headers }), '{"ID":"abc","Names":"web","Status":"Up"}\n');
});
