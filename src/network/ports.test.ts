import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineError } from '../core/index.js';
import { parsePortKey, portRequests, portsSummary, portsView } from './ports.js';
import type { PortMapping, PortRequest } from './types.js';

const isInvalid = (e: unknown): boolean => e instanceof EngineError && e.kind === 'invalid-argument';

/** Order-independent comparison of requests. */
const sorted = (rs: PortRequest[]): PortRequest[] =>
  [...rs].sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || a.hostIp.localeCompare(b.hostIp) || a.hostPort - b.hostPort);

test('parsePortKey reads port/proto, tcp by default', () => {
  assert.deepEqual(parsePortKey('80/tcp'), { port: 80, protocol: 'tcp' });
  assert.deepEqual(parsePortKey('53/udp'), { port: 53, protocol: 'udp' });
  assert.deepEqual(parsePortKey('9/sctp'), { port: 9, protocol: 'sctp' });
  assert.deepEqual(parsePortKey('8080'), { port: 8080, protocol: 'tcp' });
  assert.deepEqual(parsePortKey('65535/tcp'), { port: 65535, protocol: 'tcp' });
});

test('parsePortKey refuses bad keys', () => {
  for (const bad of ['0/tcp', '65536/tcp', 'http/tcp', '', '/tcp', '80/icmp', '80/tcp/x', '-1', '80-90/tcp', '123456']) {
    assert.throws(() => parsePortKey(bad), isInvalid, bad);
  }
});

test('PortBindings: empty and 0.0.0.0 host IPs mean every address, others are kept', () => {
  const got = portRequests({
    bindings: {
      '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }],
      '443/tcp': [{ HostIp: '0.0.0.0', HostPort: '8443' }],
      '53/udp': [{ HostPort: '5353' }],
    },
    exposed: undefined,
    publishAll: false,
  });
  assert.deepEqual(sorted(got), sorted([
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    { containerPort: 80, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: 8081 },
    { containerPort: 443, protocol: 'tcp', hostIp: '', hostPort: 8443 },
    { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 5353 },
  ]));
});

test('PortBindings: an empty host port asks for a random one, a range keeps its end', () => {
  const got = portRequests({
    bindings: {
      '80/tcp': [{ HostIp: '', HostPort: '' }],
      '81/tcp': [{}],
      '82/tcp': [{ HostPort: '8000-8010' }],
      '83/tcp': [{ HostPort: '9000-9000' }],
    },
    exposed: {},
    publishAll: false,
  });
  const by = new Map(got.map((r) => [r.containerPort, r]));
  assert.equal(got.length, 4);
  assert.deepEqual(by.get(80), { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 0 });
  assert.deepEqual(by.get(81), { containerPort: 81, protocol: 'tcp', hostIp: '', hostPort: 0 });
  assert.deepEqual(by.get(82), { containerPort: 82, protocol: 'tcp', hostIp: '', hostPort: 8000, hostPortEnd: 8010 });
  assert.deepEqual(by.get(83), { containerPort: 83, protocol: 'tcp', hostIp: '', hostPort: 9000 });
});

test('PortBindings: invalid entries are invalid-argument', () => {
  const run = (bindings: Record<string, Array<{ HostIp?: string; HostPort?: string }>>) =>
    () => portRequests({ bindings, exposed: undefined, publishAll: false });
  assert.throws(run({ '80/tcp': [{ HostPort: 'abc' }] }), isInvalid);
  assert.throws(run({ '80/tcp': [{ HostPort: '0' }] }), isInvalid);
  assert.throws(run({ '80/tcp': [{ HostPort: '65536' }] }), isInvalid);
  assert.throws(run({ '80/tcp': [{ HostPort: '9000-8000' }] }), isInvalid);
  assert.throws(run({ '80/tcp': [{ HostPort: '8000-70000' }] }), isInvalid);
  assert.throws(run({ '80/tcp': [{ HostIp: 'nope', HostPort: '80' }] }), isInvalid);
  assert.throws(run({ '80/tcp': [{ HostIp: '1.2.3.300', HostPort: '80' }] }), isInvalid);
  assert.throws(run({ 'eighty/tcp': [{ HostPort: '80' }] }), isInvalid);
  assert.throws(run({ '80/icmp': [{ HostPort: '80' }] }), isInvalid);
});

test('PortBindings: IPv6 host addresses are kept (berthd serves them), bad ones refused', () => {
  const got = portRequests({
    bindings: { '80/tcp': [{ HostIp: '::', HostPort: '8080' }, { HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::1', HostPort: '8081' }] },
    exposed: undefined,
    publishAll: false,
  });
  assert.deepEqual(got, [
    { containerPort: 80, protocol: 'tcp', hostIp: '::', hostPort: 8080 },
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    { containerPort: 80, protocol: 'tcp', hostIp: '::1', hostPort: 8081 },
  ]);
  assert.throws(() => portRequests({ bindings: { '80/tcp': [{ HostIp: '::zz', HostPort: '1' }] }, exposed: undefined, publishAll: false }),
    (e: unknown) => e instanceof EngineError && e.kind === 'invalid-argument');
});

test('PublishAllPorts publishes every exposed port not already bound, on a random port', () => {
  const got = portRequests({
    bindings: { '80/tcp': [{ HostPort: '8080' }] },
    exposed: { '80/tcp': {}, '443/tcp': {}, '53/udp': {} },
    publishAll: true,
  });
  assert.deepEqual(sorted(got), sorted([
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    { containerPort: 443, protocol: 'tcp', hostIp: '', hostPort: 0 },
    { containerPort: 53, protocol: 'udp', hostIp: '', hostPort: 0 },
  ]));
});

test('without PublishAllPorts, exposed ports are not published', () => {
  assert.deepEqual(portRequests({ bindings: null, exposed: { '80/tcp': {}, '443/tcp': {} }, publishAll: false }), []);
  assert.deepEqual(portRequests({ bindings: undefined, exposed: undefined, publishAll: true }), []);
});

test('PublishAllPorts: a 80/tcp binding does not cover 80/udp', () => {
  const got = portRequests({
    bindings: { '80/tcp': [{ HostPort: '8080' }] },
    exposed: { '80/udp': {} },
    publishAll: true,
  });
  assert.deepEqual(sorted(got), sorted([
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    { containerPort: 80, protocol: 'udp', hostIp: '', hostPort: 0 },
  ]));
});

test('PublishAllPorts publishes an exposed port whose PortBindings entry is empty (as dockerd does)', () => {
  // moby daemon: `if PublishAllPorts && len(bindings[port]) == 0` -> a binding on a random port
  for (const empty of [[], null] as const) {
    const got = portRequests({ bindings: { '80/tcp': empty }, exposed: { '80/tcp': {} }, publishAll: true });
    assert.deepEqual(got, [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 0 }], JSON.stringify(empty));
  }
  // and without PublishAllPorts, an empty entry publishes nothing
  assert.deepEqual(portRequests({ bindings: { '80/tcp': [] }, exposed: { '80/tcp': {} }, publishAll: false }), []);
});

const m = (containerPort: number, hostPort: number, hostIp = '', protocol: PortMapping['protocol'] = 'tcp'): PortMapping =>
  ({ containerPort, protocol, hostIp, hostPort });

test('portsView: exposed but unpublished ports are null', () => {
  assert.deepEqual(portsView({ '80/tcp': {}, '53/udp': {} }, []), { '80/tcp': null, '53/udp': null });
  assert.deepEqual(portsView({ '8080': {} }, []), { '8080/tcp': null });
  assert.deepEqual(portsView(null, []), {});
});

test('portsView: published ports list their bindings, every address as 0.0.0.0', () => {
  assert.deepEqual(portsView({ '80/tcp': {} }, [m(80, 8080)]), { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }] });
  assert.deepEqual(
    portsView({ '80/tcp': {}, '443/tcp': {} }, [m(80, 8080), m(80, 9090, '127.0.0.1'), m(53, 5353, '', 'udp')]),
    {
      '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '9090' }],
      '443/tcp': null,
      '53/udp': [{ HostIp: '0.0.0.0', HostPort: '5353' }],
    },
  );
});

test('portsSummary: published ports with IP and PublicPort, exposed ones without', () => {
  const got = portsSummary({ '80/tcp': {}, '443/tcp': {}, 'junk/tcp': {} }, [m(80, 8080), m(53, 5353, '127.0.0.1', 'udp')]);
  const key = (p: { PrivatePort: number; Type: string; IP?: string }) => `${p.PrivatePort}/${p.Type}/${p.IP ?? ''}`;
  assert.deepEqual([...got].sort((a, b) => key(a).localeCompare(key(b))), [
    { PrivatePort: 443, Type: 'tcp' },
    { IP: '127.0.0.1', PrivatePort: 53, PublicPort: 5353, Type: 'udp' },
    { IP: '0.0.0.0', PrivatePort: 80, PublicPort: 8080, Type: 'tcp' },
  ].sort((a, b) => key(a).localeCompare(key(b))));
  // an unpublished exposed port carries no IP key at all
  const exposedOnly = got.find((p) => p.PrivatePort === 443);
  assert.ok(exposedOnly);
  assert.equal('IP' in exposedOnly, false);
  assert.equal('PublicPort' in exposedOnly, false);
});

test('portsSummary: nothing exposed, nothing published', () => {
  assert.deepEqual(portsSummary(undefined, []), []);
  assert.deepEqual(portsSummary({ '8080': {} }, []), [{ PrivatePort: 8080, Type: 'tcp' }]);
});
