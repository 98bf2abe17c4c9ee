import { test } from 'node:test';
import assert from 'node:assert/strict';
import { macFor } from './attachments.js';

test('macFor is 02:42 followed by the IPv4 bytes, as Docker derives it', () => {
  assert.equal(macFor('10.199.7.3'), '02:42:0a:c7:07:03');
  assert.equal(macFor('172.17.0.2'), '02:42:ac:11:00:02');
  assert.equal(macFor('192.168.255.254'), '02:42:c0:a8:ff:fe');
  assert.equal(macFor('1.2.3.4'), '02:42:01:02:03:04');
});
