import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseFlags } from '../flags.js';
import { networkCreateBody } from '../opts/network-create.js';
import { connectEndpoint, createFlags, networkConnect, networkCreate, driverOpts } from './network.js';
import { goTimeFromRfc3339, networkFormat, networkRow } from './network-ls.js';

const body = (args: string[]) => {
  const p = parseFlags(args, networkCreate.flags);
  return networkCreateBody(createFlags(p.positionals[0]!, p));
};

test('network create defaults: bridge, default IPAM, no EnableIPv4/6', () => {
  assert.deepEqual(body(['n1']), {
    Name: 'n1', Driver: 'bridge', Scope: '', IPAM: { Driver: 'default', Options: {}, Config: [] }, Internal: false, Attachable: false,
    Ingress: false, ConfigOnly: false, ConfigFrom: null, Options: {}, Labels: {},
  });
});

test('network create flags map to the request body', () => {
  const b = body(['-d', 'bridge', '--subnet', '10.5.0.0/16', '--gateway', '10.5.0.1', '--ip-range', '10.5.1.0/24', '--aux-address', 'host1=10.5.0.2',
    '--internal', '--attachable', '--ipv6', '--label', 'a=b', '--label', 'c', '-o', 'com.docker.network.bridge.name=br5', '-o', 'mtu=1400', 'n2']);
  assert.deepEqual(b.IPAM, {
    Driver: 'default', Options: {},
    Config: [{ Subnet: '10.5.0.0/16', Gateway: '10.5.0.1', IPRange: '10.5.1.0/24', AuxiliaryAddresses: { host1: '10.5.0.2' } }],
  });
  assert.equal(b.Internal, true);
  assert.equal(b.Attachable, true);
  assert.equal(b.EnableIPv6, true);
  assert.equal(b.EnableIPv4, undefined);
  assert.deepEqual(b.Labels, { a: 'b', c: '' });
  assert.deepEqual(b.Options, { 'com.docker.network.bridge.name': 'br5', mtu: '1400' });
  assert.equal(body(['--ipv4=false', 'n']).EnableIPv4, false);
});

test('network create: several subnets (comma list), gateways matched to their subnet', () => {
  const b = body(['--subnet', '10.1.0.0/24,fd00:1::/64', '--gateway', 'fd00:1::1', '--gateway', '10.1.0.254', 'n']);
  assert.deepEqual(b.IPAM.Config, [{ Subnet: '10.1.0.0/24', Gateway: '10.1.0.254' }, { Subnet: 'fd00:1::/64', Gateway: 'fd00:1::1' }]);
});

test('network create: IPAM errors with docker wording', () => {
  assert.throws(() => body(['--gateway', '10.0.0.1', 'n']), { message: 'every ip-range or gateway must have a corresponding subnet' });
  assert.throws(() => body(['--subnet', '10.0.0.0/16', '--subnet', '10.0.1.0/24', 'n']), { message: 'multiple overlapping subnet configuration is not supported' });
  assert.throws(() => body(['--subnet', '10.0.0.0/24', '--gateway', '10.9.0.1', 'n']), { message: 'no matching subnet for gateway 10.9.0.1' });
  assert.throws(() => body(['--subnet', '10.0.0.0/24', '--ip-range', '10.9.0.0/28', 'n']), { message: 'no matching subnet for range 10.9.0.0/28' });
  assert.throws(() => body(['--subnet', '10.0.0.0/24', '--ip-range', 'bad', 'n']), { message: 'invalid CIDR address: bad' });
  assert.throws(() => body(['--subnet', 'bad', '--gateway', '10.0.0.1', 'n']), { message: 'invalid subnet: invalid CIDR address: bad' });
  assert.throws(() => body(['--subnet', '10.0.0.0/24', '--aux-address', 'a=10.1.0.1', 'n']), { message: 'no matching subnet for aux-address 10.1.0.1' });
  assert.throws(
    () => body(['--subnet', '10.0.0.0/24', '--gateway', '10.0.0.1', '--gateway', '10.0.0.2', '--subnet', '10.1.0.0/24', 'n']),
    { message: 'cannot configure multiple gateways (10.0.0.2, 10.0.0.1) for the same subnet (10.0.0.0/24)' },
  );
  assert.throws(() => body(['--label', '=x', 'n']), (e: unknown) => e instanceof FlagError && e.message === `invalid argument "=x" for "--label" flag: invalid label '=x': empty name`);
});

test('network connect: the EndpointSettings docker sends', () => {
  const p = parseFlags(['--alias', 'a,b', '--ip', '10.0.0.7', '--driver-opt', 'k = v', 'net', 'ctr'], networkConnect.flags);
  assert.deepEqual(connectEndpoint(p), {
    IPAMConfig: { IPv4Address: '10.0.0.7' }, Links: null, Aliases: ['a', 'b'], MacAddress: '', DriverOpts: { k: 'v' }, GwPriority: 0,
  });
  const bare = connectEndpoint(parseFlags(['net', 'ctr'], networkConnect.flags));
  assert.deepEqual(bare, { IPAMConfig: {}, Links: null, Aliases: [], MacAddress: '', DriverOpts: {}, GwPriority: 0 });
  assert.throws(() => driverOpts(['novalue']), { message: 'invalid key/value pair format in driver options' });
});

test('network ls rows and formats', () => {
  const row = networkRow({ Name: 'n', Id: 'a'.repeat(64), Driver: 'bridge', Scope: 'local', Created: '2024-05-01T10:00:00.120000000Z', Labels: { z: '1', a: '2' } }, true);
  assert.equal(row['ID'], 'aaaaaaaaaaaa');
  assert.equal(row['Labels'], 'a=2,z=1');
  assert.equal(row['IPv6'], 'false');
  assert.equal(row['CreatedAt'], '2024-05-01 10:00:00.12 +0000 UTC');
  assert.equal(goTimeFromRfc3339('2024-05-01T12:00:00+02:00'), '2024-05-01 12:00:00 +0200 +0200');
  assert.equal(networkFormat('', false), 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}');
  assert.equal(networkFormat('', true), '{{.ID}}');
  assert.equal(networkFormat('table', true), '{{.ID}}');
  assert.equal(networkFormat('{{.Name}}', true), '{{.Name}}');
});
