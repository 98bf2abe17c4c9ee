import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError, type ErrorKind } from '../core/index.js';
import { AddressPool } from './ipam.js';

const isKind = (kind: ErrorKind) => (e: unknown): boolean => e instanceof EngineError && e.kind === kind;

test('dynamic leases start at .2 when the gateway is .1, and go in order', () => {
  const pool = new AddressPool({ subnet: '172.18.0.0/16', gateway: '172.18.0.1' });
  assert.equal(pool.lease(), '172.18.0.2');
  assert.equal(pool.lease(), '172.18.0.3');
  assert.equal(pool.lease(), '172.18.0.4');
  assert.equal(pool.prefix, 16);
});

test('a gateway elsewhere in the subnet is skipped, .1 is handed out', () => {
  const pool = new AddressPool({ subnet: '10.0.0.0/29', gateway: '10.0.0.3' });
  assert.deepEqual([pool.lease(), pool.lease(), pool.lease(), pool.lease(), pool.lease()],
    ['10.0.0.1', '10.0.0.2', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
});

test('network and broadcast addresses are never leased; exhaustion is unavailable', () => {
  // /29: .0 network, .1 gateway, .2-.6 hosts, .7 broadcast
  const pool = new AddressPool({ subnet: '10.0.0.0/29', gateway: '10.0.0.1' });
  const got = [pool.lease(), pool.lease(), pool.lease(), pool.lease(), pool.lease()];
  assert.deepEqual(got, ['10.0.0.2', '10.0.0.3', '10.0.0.4', '10.0.0.5', '10.0.0.6']);
  assert.throws(() => pool.lease(), isKind('unavailable'));
  assert.throws(() => pool.lease(), isKind('unavailable'));
});

test('a /30 has a single lease besides the gateway', () => {
  const pool = new AddressPool({ subnet: '192.168.5.4/30', gateway: '192.168.5.5' });
  assert.equal(pool.lease(), '192.168.5.6');
  assert.throws(() => pool.lease(), isKind('unavailable'));
});

test('an unparsable gateway defaults to the first host', () => {
  const pool = new AddressPool({ subnet: '10.9.0.0/24', gateway: '' });
  assert.equal(pool.lease(), '10.9.0.2');
  assert.throws(() => pool.lease('10.9.0.1'), isKind('conflict'));
});

test('static leases inside the subnet are granted and then skipped by dynamic ones', () => {
  const pool = new AddressPool({ subnet: '172.20.0.0/24', gateway: '172.20.0.1' });
  assert.equal(pool.lease('172.20.0.2'), '172.20.0.2');
  assert.equal(pool.lease('172.20.0.100'), '172.20.0.100');
  assert.equal(pool.lease(), '172.20.0.3');
});

test('static leases outside the subnet are invalid-argument', () => {
  const pool = new AddressPool({ subnet: '172.20.0.0/24', gateway: '172.20.0.1' });
  assert.throws(() => pool.lease('172.21.0.5'), isKind('invalid-argument'));
  assert.throws(() => pool.lease('10.0.0.2'), isKind('invalid-argument'));
  assert.throws(() => pool.lease('not-an-ip'), isKind('invalid-argument'));
  assert.throws(() => pool.lease('172.20.0.256'), isKind('invalid-argument'));
  // nothing was leased by the failures
  assert.equal(pool.lease(), '172.20.0.2');
});

test('static leases of a taken address, the gateway, network or broadcast are conflicts', () => {
  const pool = new AddressPool({ subnet: '172.20.0.0/24', gateway: '172.20.0.1' });
  pool.lease('172.20.0.9');
  assert.throws(() => pool.lease('172.20.0.9'), isKind('conflict'));
  assert.throws(() => pool.lease('172.20.0.1'), isKind('conflict'));
  assert.throws(() => pool.lease('172.20.0.0'), isKind('conflict'));
  assert.throws(() => pool.lease('172.20.0.255'), isKind('conflict'));
  const dyn = pool.lease();
  assert.throws(() => pool.lease(dyn), isKind('conflict'));
});

test('--ip-range restricts dynamic leases but not static ones', () => {
  const pool = new AddressPool({ subnet: '10.0.0.0/24', gateway: '10.0.0.1', ipRange: '10.0.0.8/30' });
  assert.deepEqual([pool.lease(), pool.lease(), pool.lease(), pool.lease()],
    ['10.0.0.8', '10.0.0.9', '10.0.0.10', '10.0.0.11']);
  // the range is used up although the subnet is not
  assert.throws(() => pool.lease(), isKind('unavailable'));
  // a static address outside the range but inside the subnet is fine
  assert.equal(pool.lease('10.0.0.50'), '10.0.0.50');
  assert.equal(pool.lease('10.0.0.2'), '10.0.0.2');
  assert.throws(() => pool.lease('10.0.1.2'), isKind('invalid-argument'));
});

test('--ip-range at the end of the subnet skips the broadcast address', () => {
  const pool = new AddressPool({ subnet: '10.0.0.0/24', gateway: '10.0.0.1', ipRange: '10.0.0.252/30' });
  assert.deepEqual([pool.lease(), pool.lease(), pool.lease()], ['10.0.0.252', '10.0.0.253', '10.0.0.254']);
  assert.throws(() => pool.lease(), isKind('unavailable'));
});

test('a released address comes back when the pool is full', () => {
  const pool = new AddressPool({ subnet: '10.0.0.0/29', gateway: '10.0.0.1' });
  for (let i = 0; i < 5; i++) pool.lease();
  assert.throws(() => pool.lease(), isKind('unavailable'));
  pool.release('10.0.0.4');
  assert.equal(pool.lease(), '10.0.0.4');
  assert.throws(() => pool.lease(), isKind('unavailable'));
});

test('a released address is handed out again first: the lowest free one (local IPAM is not serial)', () => {
  // dockerd requests container addresses without ipamapi.AllocSerialPrefix (only swarm VIPs use it),
  // so `run a; run b; rm a; run c` gives c the address a had
  const pool = new AddressPool({ subnet: '10.0.0.0/24', gateway: '10.0.0.1' });
  assert.equal(pool.lease(), '10.0.0.2');
  assert.equal(pool.lease(), '10.0.0.3');
  assert.equal(pool.lease(), '10.0.0.4');
  pool.release('10.0.0.3');
  assert.equal(pool.lease(), '10.0.0.3');
  assert.equal(pool.lease(), '10.0.0.5');
  pool.release('10.0.0.2');
  // and a released address can be taken statically
  assert.equal(pool.lease('10.0.0.2'), '10.0.0.2');
  assert.equal(pool.lease(), '10.0.0.6');
});

test('release of an unknown or bad address is harmless', () => {
  const pool = new AddressPool({ subnet: '10.0.0.0/30', gateway: '10.0.0.1' });
  pool.release('garbage');
  pool.release('10.0.0.2');
  assert.equal(pool.lease(), '10.0.0.2');
  assert.throws(() => pool.lease(), isKind('unavailable'));
});

test('reserve marks an address leased once', () => {
  const pool = new AddressPool({ subnet: '10.0.0.0/24', gateway: '10.0.0.1' });
  assert.equal(pool.reserve('10.0.0.2'), true);
  assert.equal(pool.reserve('10.0.0.2'), false);
  assert.equal(pool.reserve('nope'), false);
  assert.equal(pool.lease(), '10.0.0.3');
  assert.throws(() => pool.lease('10.0.0.2'), isKind('conflict'));
  pool.release('10.0.0.2');
  assert.equal(pool.reserve('10.0.0.2'), true);
});

test('lastHost is the address before the broadcast, or the one before the gateway', () => {
  assert.equal(new AddressPool({ subnet: '172.18.0.0/16', gateway: '172.18.0.1' }).lastHost(), '172.18.255.254');
  assert.equal(new AddressPool({ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }).lastHost(), '10.0.0.254');
  assert.equal(new AddressPool({ subnet: '10.0.0.0/24', gateway: '10.0.0.254' }).lastHost(), '10.0.0.253');
  assert.equal(new AddressPool({ subnet: '10.0.0.0/29', gateway: '10.0.0.1' }).lastHost(), '10.0.0.6');
});
