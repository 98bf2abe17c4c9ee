import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import {
  contains, DEFAULT_POOLS, formatCidr, formatIp, maskOf, overlaps, parseCidr, parseIp, pickSubnet, sizeOf, type Cidr,
} from './ip.js';

const isInvalid = (e: unknown): boolean => e instanceof EngineError && e.kind === 'invalid-argument';

/** A Cidr from text, for building expectations and `taken` lists. */
function cidr(s: string): Cidr {
  const c = parseCidr(s);
  return { base: c.base, prefix: c.prefix };
}

test('parseIp reads dotted quads as unsigned 32-bit numbers', () => {
  assert.equal(parseIp('0.0.0.0'), 0);
  assert.equal(parseIp('0.0.0.1'), 1);
  assert.equal(parseIp('1.2.3.4'), 0x01020304);
  assert.equal(parseIp('192.168.0.1'), 0xc0a80001);
  assert.equal(parseIp('255.255.255.255'), 0xffffffff);
  assert.equal(parseIp(' 10.0.0.1 '), 0x0a000001);
});

test('parseIp rejects what is not a dotted quad', () => {
  for (const bad of ['256.0.0.1', '1.2.3.256', '1.2.3', '1.2.3.4.5', 'a.b.c.d', '1.2.3.x', '', 'localhost', '1.2.3.4/24', '::1', '1..2.3', '-1.2.3.4', '1234.1.1.1']) {
    assert.equal(parseIp(bad), undefined, bad);
  }
});

test('formatIp and parseIp round-trip', () => {
  for (const s of ['0.0.0.0', '10.0.0.1', '172.17.0.2', '192.168.255.254', '255.255.255.255', '1.2.3.4']) {
    const n = parseIp(s);
    assert.notEqual(n, undefined, s);
    assert.equal(formatIp(n!), s);
  }
  assert.equal(formatIp(0xac110001), '172.17.0.1');
  assert.equal(formatIp(0xffffffff), '255.255.255.255');
});

test('maskOf and sizeOf', () => {
  assert.equal(maskOf(0), 0);
  assert.equal(maskOf(8), 0xff000000);
  assert.equal(maskOf(24), 0xffffff00);
  assert.equal(maskOf(32), 0xffffffff);
  assert.equal(sizeOf({ base: 0, prefix: 24 }), 256);
  assert.equal(sizeOf({ base: 0, prefix: 16 }), 65536);
  assert.equal(sizeOf({ base: 0, prefix: 32 }), 1);
});

test('parseCidr reads a network', () => {
  const c = parseCidr('172.18.0.0/16');
  assert.equal(c.base, parseIp('172.18.0.0'));
  assert.equal(c.prefix, 16);
  assert.equal(c.address, parseIp('172.18.0.0'));
  assert.equal(formatCidr(c), '172.18.0.0/16');
  assert.equal(formatCidr(parseCidr('0.0.0.0/0')), '0.0.0.0/0');
  assert.equal(formatCidr(parseCidr('10.1.2.3/32')), '10.1.2.3/32');
});

test('parseCidr without strict clears host bits and keeps the address (--bip)', () => {
  const c = parseCidr('172.17.0.1/16');
  assert.equal(formatCidr(c), '172.17.0.0/16');
  assert.equal(formatIp(c.address), '172.17.0.1');
  assert.equal(formatCidr(parseCidr('10.1.2.200/25')), '10.1.2.128/25');
});

test('parseCidr with strict refuses host bits (invalid subnet)', () => {
  assert.throws(() => parseCidr('172.17.0.1/16', { strict: true }), isInvalid);
  assert.throws(() => parseCidr('10.1.2.200/25', { strict: true }), isInvalid);
  const ok = parseCidr('10.1.2.128/25', { strict: true });
  assert.equal(formatCidr(ok), '10.1.2.128/25');
});

test('parseCidr refuses bad prefixes and addresses', () => {
  for (const bad of ['10.0.0.0/33', '10.0.0.0/', '10.0.0.0', '10.0.0.0/-1', '10.0.0.0/abc', '10.0.0.0/100', '10.0.0.0/8/8', '256.0.0.0/8', '10.0.0/8', 'x/8', '']) {
    assert.throws(() => parseCidr(bad), isInvalid, bad);
  }
});

test('contains tests membership by prefix', () => {
  const net = cidr('192.168.1.0/24');
  assert.equal(contains(net, parseIp('192.168.1.0')!), true);
  assert.equal(contains(net, parseIp('192.168.1.77')!), true);
  assert.equal(contains(net, parseIp('192.168.1.255')!), true);
  assert.equal(contains(net, parseIp('192.168.2.1')!), false);
  assert.equal(contains(net, parseIp('192.168.0.255')!), false);
  assert.equal(contains(cidr('0.0.0.0/0'), parseIp('8.8.8.8')!), true);
  assert.equal(contains(cidr('10.0.0.5/32'), parseIp('10.0.0.5')!), true);
  assert.equal(contains(cidr('10.0.0.5/32'), parseIp('10.0.0.6')!), false);
  // high addresses (sign bit set) stay unsigned
  assert.equal(contains(cidr('224.0.0.0/4'), parseIp('239.255.255.250')!), true);
});

test('overlaps: nested, equal and disjoint networks', () => {
  assert.equal(overlaps(cidr('10.0.0.0/8'), cidr('10.20.0.0/16')), true);
  assert.equal(overlaps(cidr('10.20.0.0/16'), cidr('10.0.0.0/8')), true);
  assert.equal(overlaps(cidr('172.17.0.0/16'), cidr('172.17.0.0/16')), true);
  assert.equal(overlaps(cidr('172.17.0.0/16'), cidr('172.18.0.0/16')), false);
  assert.equal(overlaps(cidr('192.168.0.0/24'), cidr('192.168.1.0/24')), false);
  assert.equal(overlaps(cidr('172.16.0.0/12'), cidr('172.31.255.0/24')), true);
  assert.equal(overlaps(cidr('172.16.0.0/12'), cidr('172.32.0.0/16')), false);
  assert.equal(overlaps(cidr('0.0.0.0/0'), cidr('203.0.113.0/24')), true);
});

test('pickSubnet: DEFAULT_POOLS start at 172.17.0.0/16', () => {
  const c = pickSubnet(DEFAULT_POOLS, []);
  assert.ok(c);
  assert.equal(formatCidr(c), '172.17.0.0/16');
});

test('pickSubnet: 172.18.0.0/16 when a host route holds 172.17.0.0/16', () => {
  const c = pickSubnet(DEFAULT_POOLS, [cidr('172.17.0.0/16')]);
  assert.ok(c);
  assert.equal(formatCidr(c), '172.18.0.0/16');
});

test('pickSubnet skips subnets that only partly overlap something taken', () => {
  // a /24 inside 172.17/16 and a /8 route covering nothing of the pools
  const c = pickSubnet(DEFAULT_POOLS, [cidr('172.17.5.0/24'), cidr('10.0.0.0/8')]);
  assert.equal(formatCidr(c!), '172.18.0.0/16');
  // 172.17-19 taken: the /14 pool is cut into /16s
  const d = pickSubnet(DEFAULT_POOLS, [cidr('172.17.0.0/16'), cidr('172.18.0.0/16'), cidr('172.19.0.0/16')]);
  assert.equal(formatCidr(d!), '172.20.0.0/16');
  const e = pickSubnet(DEFAULT_POOLS, [cidr('172.17.0.0/16'), cidr('172.18.0.0/16'), cidr('172.19.0.0/16'), cidr('172.20.0.0/15')]);
  assert.equal(formatCidr(e!), '172.22.0.0/16');
});

test('pickSubnet falls through to 192.168.0.0/16 in /20 pieces', () => {
  const c = pickSubnet(DEFAULT_POOLS, [cidr('172.16.0.0/12')]);
  assert.equal(formatCidr(c!), '192.168.0.0/20');
  const d = pickSubnet(DEFAULT_POOLS, [cidr('172.16.0.0/12'), cidr('192.168.1.0/24')]);
  assert.equal(formatCidr(d!), '192.168.16.0/20');
});

test('pickSubnet respects the pool size', () => {
  const pools = [{ base: '10.10.0.0/16', size: 24 }];
  assert.equal(formatCidr(pickSubnet(pools, [])!), '10.10.0.0/24');
  assert.equal(formatCidr(pickSubnet(pools, [cidr('10.10.0.0/24'), cidr('10.10.1.0/24')])!), '10.10.2.0/24');
  const p26 = [{ base: '10.0.0.0/24', size: 26 }];
  assert.equal(formatCidr(pickSubnet(p26, [cidr('10.0.0.0/26')])!), '10.0.0.64/26');
});

test('pickSubnet returns undefined when the pools are exhausted', () => {
  const pools = [{ base: '10.0.0.0/24', size: 25 }];
  assert.equal(pickSubnet(pools, [cidr('10.0.0.0/25'), cidr('10.0.0.128/25')]), undefined);
  assert.equal(pickSubnet(pools, [cidr('10.0.0.0/16')]), undefined);
  assert.equal(pickSubnet(DEFAULT_POOLS, [cidr('172.16.0.0/12'), cidr('192.168.0.0/16')]), undefined);
  assert.equal(pickSubnet([], []), undefined);
});

test('pickSubnet ignores pools whose size is larger than the pool', () => {
  const pools = [{ base: '10.0.0.0/24', size: 16 }, { base: '10.1.0.0/16', size: 16 }];
  assert.equal(formatCidr(pickSubnet(pools, [])!), '10.1.0.0/16');
});
