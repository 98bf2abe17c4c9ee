import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostsContent, resolvConfContent } from './etc-files.js';

const DOCKER_DEFAULT_HOSTS = [
  '127.0.0.1\tlocalhost',
  '::1\tlocalhost ip6-localhost ip6-loopback',
  'fe00::0\tip6-localnet',
  'ff00::0\tip6-mcastprefix',
  'ff02::1\tip6-allnodes',
  'ff02::2\tip6-allrouters',
];

const lines = (s: string): string[] => s.split('\n').filter((l) => l !== '');

/** The values of every `key ...` line of a resolv.conf, in order. */
function directive(text: string, key: string): string[][] {
  return lines(text).filter((l) => l.split(/\s+/)[0] === key).map((l) => l.split(/\s+/).slice(1));
}
const nameservers = (text: string): string[] => directive(text, 'nameserver').map((v) => v[0] ?? '');
const optionsOf = (text: string): string[] => directive(text, 'options').flat();

test('hosts: Docker\'s default lines, then the container\'s own', () => {
  const text = hostsContent({ hostname: 'abc123def456', ip: '172.17.0.2' });
  assert.equal(text, [...DOCKER_DEFAULT_HOSTS, '172.17.0.2\tabc123def456'].join('\n') + '\n');
});

test('hosts: without an address (no network) only the defaults', () => {
  assert.equal(hostsContent({ hostname: 'h' }), DOCKER_DEFAULT_HOSTS.join('\n') + '\n');
});

test('hosts: extra hosts (name:ip and name=ip) come as ip<TAB>name before the own line', () => {
  const text = hostsContent({
    hostname: 'web',
    ip: '172.18.0.5',
    extraHosts: ['db:10.0.0.5', 'cache=10.0.0.6', 'host.docker.internal:172.17.0.1', 'v6host:2001:db8::1'],
  });
  assert.deepEqual(lines(text), [
    ...DOCKER_DEFAULT_HOSTS,
    '10.0.0.5\tdb',
    '10.0.0.6\tcache',
    '172.17.0.1\thost.docker.internal',
    '2001:db8::1\tv6host',
    '172.18.0.5\tweb',
  ]);
  assert.ok(text.endsWith('\n'));
});

test('hosts: with a domainname the own line is "ip<TAB>host.domain host"', () => {
  const text = hostsContent({ hostname: 'web', domainname: 'example.com', ip: '172.18.0.5' });
  assert.equal(lines(text).at(-1), '172.18.0.5\tweb.example.com web');
});

test('hosts: a hostname that is itself an FQDN also gets its short name (moby etchosts)', () => {
  // moby sandbox updateHostsFile: hosts = fqdn; if it has a dot, + " " + the part before the first dot
  const text = hostsContent({ hostname: 'web.example.com', ip: '172.18.0.5' });
  assert.equal(lines(text).at(-1), '172.18.0.5\tweb.example.com web');
});

const UBUNTU_RESOLV = [
  '# This is /run/systemd/resolve/stub-resolv.conf managed by man:systemd-resolved(8).',
  '# Do not edit.',
  'nameserver 127.0.0.53',
  'options edns0 trust-ad',
  'search corp.example.com',
  '',
].join('\n');

test('resolv.conf: localhost nameservers are dropped, the host\'s others kept in order', () => {
  const host = 'nameserver 127.0.0.1\nnameserver 10.0.0.2\nnameserver ::1\nnameserver 192.168.1.1\nsearch lan\n';
  const text = resolvConfContent(host, {});
  assert.deepEqual(nameservers(text), ['10.0.0.2', '192.168.1.1']);
  assert.deepEqual(directive(text, 'search'), [['lan']]);
  assert.equal(text.includes('127.0.0.1'), false);
  assert.equal(text.includes('::1'), false);
});

test('resolv.conf: with only localhost nameservers left, 8.8.8.8 and 8.8.4.4', () => {
  const text = resolvConfContent(UBUNTU_RESOLV, {});
  assert.deepEqual(nameservers(text), ['8.8.8.8', '8.8.4.4']);
  assert.deepEqual(directive(text, 'search'), [['corp.example.com']]);
  assert.deepEqual(optionsOf(text), ['edns0', 'trust-ad']);
  // comments are not copied
  assert.equal(text.includes('#'), false);
  // no host file at all
  assert.deepEqual(nameservers(resolvConfContent('', {})), ['8.8.8.8', '8.8.4.4']);
});

test('resolv.conf: IPv6 nameservers are dropped on an IPv4-only network (moby TransformForLegacyNw)', () => {
  // moby: `if !addr.IsLoopback() && (!addr.Is6() || ipv6)`; berth's networks have no IPv6
  const text = resolvConfContent('nameserver 2001:4860:4860::8888\nnameserver 10.0.0.2\n', {});
  assert.deepEqual(nameservers(text), ['10.0.0.2']);
  const only6 = resolvConfContent('nameserver fe80::1%eth0\nnameserver 2001:db8::53\n', {});
  assert.deepEqual(nameservers(only6), ['8.8.8.8', '8.8.4.4']);
});

test('resolv.conf: several options lines accumulate (moby processLine)', () => {
  const text = resolvConfContent('nameserver 10.0.0.2\noptions edns0\noptions timeout:2\n', {});
  assert.deepEqual(optionsOf(text).sort(), ['edns0', 'timeout:2']);
});

test('resolv.conf: --dns replaces the nameservers (a localhost one given by the user stays)', () => {
  const text = resolvConfContent('nameserver 10.0.0.2\nsearch lan\n', { dns: ['1.1.1.1', '127.0.0.1'] });
  assert.deepEqual(nameservers(text), ['1.1.1.1', '127.0.0.1']);
  assert.deepEqual(directive(text, 'search'), [['lan']]);
});

test('resolv.conf: --dns-search replaces search, "." clears it', () => {
  const host = 'nameserver 10.0.0.2\nsearch lan corp\n';
  assert.deepEqual(directive(resolvConfContent(host, { dnsSearch: ['a.example', 'b.example'] }), 'search'), [['a.example', 'b.example']]);
  const cleared = resolvConfContent(host, { dnsSearch: ['.'] });
  assert.deepEqual(directive(cleared, 'search'), []);
  assert.deepEqual(nameservers(cleared), ['10.0.0.2']);
  // the obsolete 'domain' line counts as search
  assert.deepEqual(directive(resolvConfContent('nameserver 10.0.0.2\ndomain old.example\n', {}), 'search'), [['old.example']]);
});

test('resolv.conf: --dns-option replaces the options', () => {
  const text = resolvConfContent(UBUNTU_RESOLV, { dnsOptions: ['ndots:2', 'timeout:1'] });
  assert.deepEqual(optionsOf(text), ['ndots:2', 'timeout:1']);
});

test('resolv.conf: unknown directives are kept', () => {
  const text = resolvConfContent('nameserver 10.0.0.2\nsortlist 130.155.160.0/255.255.240.0\n', {});
  assert.ok(lines(text).includes('sortlist 130.155.160.0/255.255.240.0'));
});

test('resolv.conf on a network with a DNS server: only that nameserver, ndots:0, the host\'s search', () => {
  const text = resolvConfContent('nameserver 10.0.0.2\nnameserver 10.0.0.3\nsearch corp.example.com\n', { networkNameservers: ['172.18.0.1'] });
  assert.deepEqual(nameservers(text), ['172.18.0.1']);
  assert.deepEqual(directive(text, 'search'), [['corp.example.com']]);
  assert.deepEqual(optionsOf(text), ['ndots:0']);
});

test('resolv.conf on a network with a DNS server: --dns goes upstream, not into the file', () => {
  const text = resolvConfContent(UBUNTU_RESOLV, { networkNameservers: ['172.18.0.1'], dns: ['1.1.1.1'] });
  assert.deepEqual(nameservers(text), ['172.18.0.1']);
  const opts = optionsOf(text);
  assert.ok(opts.includes('ndots:0'));
  assert.ok(opts.includes('edns0'));
  assert.ok(opts.includes('trust-ad'));
});

test('resolv.conf on a network with a DNS server: a user ndots is kept instead of ndots:0', () => {
  const text = resolvConfContent('nameserver 10.0.0.2\n', { networkNameservers: ['172.18.0.1'], dnsOptions: ['ndots:3'] });
  assert.deepEqual(optionsOf(text), ['ndots:3']);
});
