import { test } from 'node:test';
import assert from 'node:assert/strict';
import { naturalCompare, naturalLess } from './natural-sort.js';
import { displayablePorts, portLines } from './ports.js';

const tcp = (PrivatePort: number, PublicPort?: number, IP?: string) => ({ PrivatePort, Type: 'tcp', ...(PublicPort === undefined ? {} : { PublicPort }), ...(IP === undefined ? {} : { IP }) });

test('PORTS: published on v4 and v6, unpublished exposed', () => {
  assert.equal(displayablePorts([tcp(80, 8080, '::'), tcp(80, 8080, '0.0.0.0')]), '0.0.0.0:8080->80/tcp, [::]:8080->80/tcp');
  assert.equal(displayablePorts([tcp(80)]), '80/tcp');
  assert.equal(displayablePorts([]), '');
  assert.equal(displayablePorts([{ PrivatePort: 53, Type: 'udp' }, tcp(53)]), '53/tcp, 53/udp');
});

test('PORTS: consecutive ports group into ranges (docker/cli formatter tests)', () => {
  assert.equal(displayablePorts([tcp(9988), tcp(9989), tcp(9990)]), '9988-9990/tcp');
  assert.equal(displayablePorts([tcp(9988), tcp(9990)]), '9988/tcp, 9990/tcp');
  assert.equal(displayablePorts([tcp(9988, 9988, '4.3.2.1'), tcp(9989, 9989, '4.3.2.1')]), '4.3.2.1:9988-9989->9988-9989/tcp');
  assert.equal(displayablePorts([tcp(9988, 8899, '4.3.2.1')]), '4.3.2.1:8899->9988/tcp');
  assert.equal(displayablePorts([tcp(6677, 6677, '1.2.3.4'), tcp(9988, 8899, '4.3.2.1')]), '1.2.3.4:6677->6677/tcp, 4.3.2.1:8899->9988/tcp');
  assert.equal(
    displayablePorts([tcp(80), tcp(81), tcp(83), tcp(1024, 1024, '0.0.0.0'), { PrivatePort: 1024, Type: 'udp' }]),
    '80-81/tcp, 83/tcp, 1024/udp, 0.0.0.0:1024->1024/tcp',
  );
  assert.equal(displayablePorts([tcp(9000, 9000, '0.0.0.0'), tcp(9001, 9001, '0.0.0.0'), tcp(9000, 9000, '::'), tcp(9001, 9001, '::')]),
    '0.0.0.0:9000-9001->9000-9001/tcp, [::]:9000-9001->9000-9001/tcp');
});

test('port: all mappings, natural-sorted', () => {
  const ports = {
    '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }, { HostIp: '::', HostPort: '8080' }],
    '9/udp': [{ HostIp: '0.0.0.0', HostPort: '9' }],
    '443/tcp': null,
  };
  assert.deepEqual(portLines(ports, 'c'), ['9/udp -> 0.0.0.0:9', '80/tcp -> 0.0.0.0:8080', '80/tcp -> [::]:8080']);
  assert.deepEqual(portLines(null, 'c'), []);
});

test('port: one private port', () => {
  const ports = { '80/tcp': [{ HostIp: '0.0.0.0', HostPort: '8080' }], '53/udp': [{ HostIp: '127.0.0.1', HostPort: '5353' }], '443/tcp': null };
  assert.deepEqual(portLines(ports, 'c', '80'), ['0.0.0.0:8080']);
  assert.deepEqual(portLines(ports, 'c', '80/tcp'), ['0.0.0.0:8080']);
  assert.deepEqual(portLines(ports, 'c', '53/udp'), ['127.0.0.1:5353']);
  assert.throws(() => portLines(ports, 'web', '53'), { message: "Error: No public port '53' published for web" });
  assert.throws(() => portLines(ports, 'web', '443'), { message: "Error: No public port '443' published for web" });
  assert.throws(() => portLines(ports, 'web', 'http'), { message: 'Error: invalid port (http): strconv.ParseUint: parsing "http": invalid syntax' });
  assert.throws(() => portLines(ports, 'web', '70000/tcp'), { message: 'Error: invalid port (70000): strconv.ParseUint: parsing "70000": value out of range' });
});

test('natural order', () => {
  assert.equal(naturalLess('abc2', 'abc12'), true);
  assert.equal(naturalLess('abc12', 'abc2'), false);
  assert.equal(naturalLess('2', '02'), true);
  assert.equal(naturalLess('1a', 'a'), true);
  assert.deepEqual(['net10', 'net2', 'bridge', 'Host', 'net1'].sort(naturalCompare), ['Host', 'bridge', 'net1', 'net2', 'net10']);
});
