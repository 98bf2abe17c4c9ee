import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteTable } from './host-nets.js';
import { DEFAULT_POOLS, formatCidr, pickSubnet } from './ip.js';

/** /proc/net/route as a host with a LAN, a Docker bridge and a VPN host route prints it. */
const ROUTES = [
  'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT                                                       ',
  'eth0\t00000000\t0100A8C0\t0003\t0\t0\t100\t00000000\t0\t0\t0                                                                               ',
  'eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0                                                                               ',
  'docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0                                                                               ',
  'tun0\t0A0A0A0A\t00000000\t0005\t0\t0\t0\tFFFFFFFF\t0\t0\t0                                                                               ',
  'wg0\t0000000A\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0                                                                               ',
  '',
].join('\n');

test('parseRouteTable decodes little-endian destinations and masks, skipping the default route', () => {
  const got = parseRouteTable(ROUTES).map(formatCidr);
  assert.deepEqual(got, ['192.168.0.0/24', '172.17.0.0/16', '10.10.10.10/32', '10.0.0.0/8']);
});

test('parseRouteTable ignores the header, short lines, bad hex and non-contiguous masks', () => {
  assert.deepEqual(parseRouteTable(''), []);
  assert.deepEqual(parseRouteTable(ROUTES.split('\n')[0]!), []);
  const text = [
    'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
    'eth0\t0000A8C0\t00000000',
    'eth0\tZZZZZZZZ\t00000000\t0001\t0\t0\t100\t00FFFFFF\t0\t0\t0',
    'eth0\t0000A8C0\t00000000\t0001\t0\t0\t100\t00FF00FF\t0\t0\t0',
    'eth1\t0010A8C0\t00000000\t0001\t0\t0\t100\t00F0FFFF\t0\t0\t0',
  ].join('\n');
  assert.deepEqual(parseRouteTable(text).map(formatCidr), ['192.168.16.0/20']);
});

test('a host route on 172.17.0.0/16 moves the first pick to 172.18.0.0/16', () => {
  const pick = pickSubnet(DEFAULT_POOLS, parseRouteTable(ROUTES));
  assert.ok(pick);
  assert.equal(formatCidr(pick), '172.18.0.0/16');
});
