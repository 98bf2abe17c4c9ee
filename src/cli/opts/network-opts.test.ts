import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseFlags } from '../flags.js';
import { buildContainerRequest } from './container-config.js';
import { CONTAINER_FLAGS, RUN_ONLY_FLAGS } from './container-flags.js';
import { formatIP, parseIP, parseCIDR, cidrContains } from './ip.js';
import { isValidMac, parseNetworkOpt, validateDNSSearch, validateExtraHost, validateIPAddress } from './network-opts.js';

const build = (args: string[]) => {
  const p = parseFlags(args, [...RUN_ONLY_FLAGS, ...CONTAINER_FLAGS], { interspersed: false });
  return buildContainerRequest(p, p.positionals[0]!, p.positionals.slice(1), {}, '/cwd', p.bool('detach')).body;
};

const EMPTY_EP = { IPAMConfig: null, Links: null, Aliases: null, MacAddress: '', DriverOpts: null, GwPriority: 0 };

test('no --network: NetworkMode "default" and an empty "default" endpoint, as docker CLI 28 sends', () => {
  const b = build(['img']);
  assert.equal(b.HostConfig?.NetworkMode, 'default');
  assert.deepEqual(b.NetworkingConfig, { EndpointsConfig: { default: EMPTY_EP } });
  assert.equal(b.MacAddress, undefined);
});

test('one --network without endpoint options: no EndpointsConfig entry', () => {
  const b = build(['--network', 'mynet', 'img']);
  assert.equal(b.HostConfig?.NetworkMode, 'mynet');
  assert.deepEqual(b.NetworkingConfig, { EndpointsConfig: {} });
  assert.equal(build(['--net=host', 'img']).HostConfig?.NetworkMode, 'host');
});

test('--network-alias, --ip, --ip6, --mac-address go to the first network', () => {
  const b = build(['--network', 'mynet', '--network-alias', 'web', '--net-alias', 'www', '--ip', '10.1.0.5', '--ip6', 'fd00::5', '--mac-address', '02:42:ac:11:00:02', 'img']);
  assert.deepEqual(b.NetworkingConfig?.EndpointsConfig, {
    mynet: { ...EMPTY_EP, Aliases: ['web', 'www'], IPAMConfig: { IPv4Address: '10.1.0.5', IPv6Address: 'fd00::5' }, MacAddress: '02:42:ac:11:00:02' },
  });
  assert.equal(b.MacAddress, '02:42:ac:11:00:02');
});

test('--network long syntax and several networks', () => {
  const b = build(['--network', 'name=a,alias=X1,ip=10.0.0.9', '--network', 'b', 'img']);
  assert.equal(b.HostConfig?.NetworkMode, 'a');
  assert.deepEqual(b.NetworkingConfig?.EndpointsConfig, {
    a: { ...EMPTY_EP, Aliases: ['x1'], IPAMConfig: { IPv4Address: '10.0.0.9' } },
    b: EMPTY_EP,
  });
  assert.deepEqual(parseNetworkOpt('plain'), { ...parseNetworkOpt('name=plain'), target: 'plain' });
  assert.throws(() => parseNetworkOpt('alias=x'), { message: 'network name/id is not specified' });
  assert.throws(() => parseNetworkOpt('name=a,foo=b'), { message: 'invalid field key foo' });
  assert.throws(() => build(['--network', 'name=a,foo=b', 'img']), (e: unknown) => e instanceof FlagError && e.message === 'invalid argument "name=a,foo=b" for "--network" flag: invalid field key foo');
});

test('networking errors with docker wording', () => {
  assert.throws(() => build(['--network-alias', 'x', 'img']), { message: 'network-scoped aliases are only supported for user-defined networks' });
  assert.throws(() => build(['--network', 'bridge', '--network-alias', 'x', 'img']), { message: 'network-scoped aliases are only supported for user-defined networks' });
  assert.throws(() => build(['--network', 'a', '--network', 'a', 'img']), { message: 'network "a" is specified multiple times' });
  assert.throws(() => build(['--network', 'a', '--network', 'host', 'img']), { message: 'conflicting options: cannot attach both user-defined and non-user-defined network-modes' });
  assert.throws(() => build(['--network', 'name=a,alias=x', '--network-alias', 'y', 'img']), { message: 'conflicting options: cannot specify both --network-alias and per-network alias' });
  assert.throws(() => build(['--mac-address', 'zz', 'img']), { message: 'zz is not a valid mac address' });
});

test('--dns, --dns-search, --dns-option, --add-host, --hostname, --domainname', () => {
  const b = build(['--dns', '1.1.1.1', '--dns', '0:0::1', '--dns-search', 'example.com', '--dns-opt', 'ndots:2', '--dns-option', 'rotate',
    '--add-host', 'a:1.2.3.4', '--add-host', 'b=::1', '--add-host', 'c=[fe80::1]', '--add-host', 'gw:host-gateway', '-h', 'box', '--domainname', 'example.org', 'img']);
  assert.deepEqual(b.HostConfig?.Dns, ['1.1.1.1', '::1']);
  assert.deepEqual(b.HostConfig?.DnsSearch, ['example.com']);
  assert.deepEqual(b.HostConfig?.DnsOptions, ['ndots:2', 'rotate']);
  assert.deepEqual(b.HostConfig?.ExtraHosts, ['a:1.2.3.4', 'b:::1', 'c:fe80::1', 'gw:host-gateway']);
  assert.equal(b.Hostname, 'box');
  assert.equal(b.Domainname, 'example.org');
  const empty = build(['img']).HostConfig;
  assert.deepEqual([empty?.Dns, empty?.DnsSearch, empty?.DnsOptions, empty?.ExtraHosts], [[], [], [], null]);
});

test('validators (opts/hosts.go, opts/opts.go)', () => {
  assert.throws(() => validateExtraHost('nohost'), { message: 'bad format for add-host: "nohost"' });
  assert.throws(() => validateExtraHost(':1.2.3.4'), { message: 'bad format for add-host: ":1.2.3.4"' });
  assert.throws(() => validateExtraHost('h:notanip'), { message: 'invalid IP address in add-host: "notanip"' });
  assert.throws(() => validateIPAddress('1.2.3'), { message: 'IP address is not correctly formatted: 1.2.3' });
  assert.equal(validateDNSSearch('.'), '.');
  assert.throws(() => validateDNSSearch('-bad-'), { message: '-bad- is not a valid domain' });
  assert.throws(() => validateDNSSearch('123'), { message: '123 is not a valid domain' });
  assert.throws(() => build(['--add-host', 'x', 'img']), (e: unknown) => e instanceof FlagError && e.message === 'invalid argument "x" for "--add-host" flag: bad format for add-host: "x"');
  assert.equal(isValidMac('02:42:ac:11:00:02'), true);
  assert.equal(isValidMac('02-42-ac-11-00-02'), true);
  assert.equal(isValidMac('0242.ac11.0002'), true);
  assert.equal(isValidMac('02:42:ac:11:00'), false);
});

test('Go net.IP parsing and printing', () => {
  const s = (v: string) => { const ip = parseIP(v); return ip === undefined ? undefined : formatIP(ip); };
  assert.equal(s('::ffff:1.2.3.4'), '1.2.3.4');
  assert.equal(s('2001:0db8:0:0:0:0:0:1'), '2001:db8::1');
  assert.equal(s('2001:db8:0:1:0:0:0:1'), '2001:db8:0:1::1');
  assert.equal(s('2001:db8:0:1:1:1:1:1'), '2001:db8:0:1:1:1:1:1');
  assert.equal(s('01.2.3.4'), undefined);
  assert.equal(s('fe80::1%eth0'), undefined);
  assert.equal(s('1.2.3.4::'), undefined);
  const net = parseCIDR('10.1.0.0/16');
  assert.equal(cidrContains(net, parseIP('10.1.255.1')!), true);
  assert.equal(cidrContains(net, parseIP('10.2.0.1')!), false);
  assert.equal(cidrContains(parseCIDR('fd00::/64'), parseIP('fd00::1')!), true);
  assert.equal(cidrContains(parseCIDR('fd00::/64'), parseIP('10.1.0.1')!), false);
  assert.throws(() => parseCIDR('10.0.0.0/33'), { message: 'invalid CIDR address: 10.0.0.0/33' });
});
