import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parsePortSpec, parsePorts, toStandardNotation } from './ports.js';

const one = (spec: string) => parsePortSpec(spec).map((m) => [m.port, m.binding.HostIp, m.binding.HostPort]);

test('-p forms docker accepts', () => {
  assert.deepEqual(one('8080:80'), [['80/tcp', '', '8080']]);
  assert.deepEqual(one('127.0.0.1:8080:80'), [['80/tcp', '127.0.0.1', '8080']]);
  assert.deepEqual(one('127.0.0.1::80'), [['80/tcp', '127.0.0.1', '']]);
  assert.deepEqual(one('8080:80/udp'), [['80/udp', '', '8080']]);
  assert.deepEqual(one('8080:80/UDP'), [['80/udp', '', '8080']]);
  assert.deepEqual(one('80'), [['80/tcp', '', '']]);
  assert.deepEqual(one('80/sctp'), [['80/sctp', '', '']]);
  assert.deepEqual(one('[::1]:8080:80'), [['80/tcp', '::1', '8080']]);
  assert.deepEqual(one('::1:8080:80'), [['80/tcp', '::1', '8080']]);
  assert.deepEqual(one('[::]::80'), [['80/tcp', '::', '']]);
});

test('-p ranges: one mapping per port; a host range for one container port stays a range', () => {
  assert.deepEqual(one('8000-8002:80-82'), [['80/tcp', '', '8000'], ['81/tcp', '', '8001'], ['82/tcp', '', '8002']]);
  assert.deepEqual(one('80-81'), [['80/tcp', '', ''], ['81/tcp', '', '']]);
  assert.deepEqual(one('8000-8010:80'), [['80/tcp', '', '8000-8010']]);
  assert.deepEqual(one('0.0.0.0:7000-7001:7000-7001/udp'), [['7000/udp', '0.0.0.0', '7000'], ['7001/udp', '0.0.0.0', '7001']]);
});

test('-p errors with go-connections wording', () => {
  assert.throws(() => parsePortSpec('8080:abc'), { message: 'invalid containerPort: abc' });
  assert.throws(() => parsePortSpec('abc:80'), { message: 'invalid hostPort: abc' });
  assert.throws(() => parsePortSpec('8080:70000'), { message: 'invalid containerPort: 70000' });
  assert.throws(() => parsePortSpec('8080:80/xyz'), { message: 'invalid proto: xyz' });
  assert.throws(() => parsePortSpec('8080:'), { message: 'invalid proto: ' });
  assert.throws(() => parsePortSpec('1.2.3:8080:80'), { message: 'invalid IP address: 1.2.3' });
  assert.throws(() => parsePortSpec('localhost:8080:80'), { message: 'invalid IP address: localhost' });
  assert.throws(() => parsePortSpec('[::1:8080:80'), { message: "invalid IP address [::1: address [::1:: missing ']' in address" });
  assert.throws(() => parsePortSpec('8000-8001:80-82'), { message: 'invalid ranges specified for container and host Ports: 80-82 and 8000-8001' });
  assert.throws(() => parsePortSpec('82-80'), { message: 'invalid containerPort: 82-80' });
});

test('-p long syntax', () => {
  assert.equal(toStandardNotation('published=8080,target=80'), '8080:80/tcp');
  assert.equal(toStandardNotation('target=53,published=5353,protocol=udp'), '5353:53/udp');
  assert.equal(toStandardNotation('8080:80'), '8080:80');
  assert.throws(() => toStandardNotation('published=8080,target'), { message: "invalid publish opts format (should be name=value but got 'target')" });
});

test('ExposedPorts and PortBindings from -p and --expose', () => {
  const r = parsePorts(['8080:80', '127.0.0.1:8081:80', '53:53/udp'], ['9000-9002', '80', '7000/udp']);
  assert.deepEqual(r.bindings, {
    '80/tcp': [{ HostIp: '', HostPort: '8080' }, { HostIp: '127.0.0.1', HostPort: '8081' }],
    '53/udp': [{ HostIp: '', HostPort: '53' }],
  });
  assert.deepEqual(Object.keys(r.exposed).sort(), ['53/udp', '7000/udp', '80/tcp', '9000/tcp', '9001/tcp', '9002/tcp']);
});

test('--expose errors', () => {
  assert.throws(() => parsePorts([], ['80:80']), { message: 'invalid port format for --expose: 80:80' });
  assert.throws(() => parsePorts([], ['abc']), { message: 'invalid range format for --expose: abc, error: strconv.ParseUint: parsing "abc": invalid syntax' });
  assert.throws(() => parsePorts([], ['90-80']), { message: 'invalid range format for --expose: 90-80, error: invalid range specified for port: 90-80' });
  assert.throws(() => parsePorts([], ['99999']), { message: 'invalid range format for --expose: 99999, error: strconv.ParseUint: parsing "99999": value out of range' });
});
