import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineError, nullLogger } from '../core/index.js';
import {
  Netavark, netavarkError, netavarkNetwork, netavarkOptions, portChainName, type CommandRunner, type NetavarkOptions, type NetavarkPaths,
} from './netavark.js';
import type { Endpoint, NetworkRecord, PortMapping } from './types.js';

function network(over: Partial<NetworkRecord> = {}): NetworkRecord {
  return {
    id: 'a1'.repeat(32),
    name: 'appnet',
    created: '2024-01-01T00:00:00.000000000Z',
    driver: 'bridge',
    internal: false,
    attachable: false,
    labels: {},
    options: {},
    ipam: { driver: 'default', options: null, config: [{ Subnet: '172.18.0.0/16', Gateway: '172.18.0.1' }] },
    bridge: 'br-a1a1a1a1a1a1',
    dns: true,
    ...over,
  };
}

function endpoint(net: NetworkRecord, over: Partial<Endpoint> = {}): Endpoint {
  return {
    networkId: net.id,
    networkName: net.name,
    endpointId: 'e'.repeat(64),
    interfaceName: 'eth0',
    ip: '172.18.0.2',
    prefixLen: 16,
    gateway: '172.18.0.1',
    mac: '02:42:ac:12:00:02',
    aliases: [],
    dnsNames: [],
    ...over,
  };
}

const CID = 'c0ffee'.repeat(10) + 'abcd';

test('netavarkNetwork describes a bridge network in netavark terms', () => {
  const net = network();
  assert.deepEqual(netavarkNetwork(net), {
    name: net.id, // netavark hashes the name into chain names: the id keeps daemons apart
    id: net.id,
    driver: 'bridge',
    network_interface: 'br-a1a1a1a1a1a1',
    subnets: [{ subnet: '172.18.0.0/16', gateway: '172.18.0.1' }],
    ipv6_enabled: false,
    internal: false,
    dns_enabled: true,
  });
});

test('netavarkNetwork: internal, no DNS, mtu as a string option', () => {
  const net = network({ name: 'bridge', internal: true, dns: false, mtu: 1400, bridge: 'docker0' });
  const n = netavarkNetwork(net);
  assert.equal(n.internal, true);
  assert.equal(n.dns_enabled, false);
  assert.equal(n.network_interface, 'docker0');
  assert.deepEqual(n.options, { mtu: '1400' });
  assert.equal('options' in netavarkNetwork(network()), false);
});

test('netavarkOptions keys networks and network_info by network id', () => {
  const a = network();
  const b = network({ id: 'b2'.repeat(32), name: 'backend', bridge: 'br-b2b2b2b2b2b2',
    ipam: { driver: 'default', options: null, config: [{ Subnet: '10.5.0.0/24', Gateway: '10.5.0.1' }] } });
  const opts = netavarkOptions({
    containerId: CID,
    containerName: 'web',
    endpoints: [
      endpoint(a, { dnsNames: ['web', CID.slice(0, 12), 'www'] }),
      endpoint(b, { interfaceName: 'eth1', ip: '10.5.0.7', mac: '02:42:0a:05:00:07', dnsNames: ['web', CID.slice(0, 12)] }),
    ],
    networks: new Map([[a.id, a], [b.id, b]]),
    ports: [],
    dnsServers: [],
  });
  assert.equal(opts.container_id, CID);
  assert.equal(opts.container_name, 'web');
  assert.deepEqual(Object.keys(opts.networks).sort(), [a.id, b.id].sort());
  assert.deepEqual(Object.keys(opts.network_info).sort(), [a.id, b.id].sort());
  assert.deepEqual(opts.networks[a.id], {
    interface_name: 'eth0', static_ips: ['172.18.0.2'], aliases: [CID.slice(0, 12), 'www'], static_mac: '02:42:ac:12:00:02',
  });
  assert.deepEqual(opts.networks[b.id], {
    interface_name: 'eth1', static_ips: ['10.5.0.7'], aliases: [CID.slice(0, 12)], static_mac: '02:42:0a:05:00:07',
  });
  assert.deepEqual(opts.network_info[b.id], netavarkNetwork(b));
  assert.equal(opts.network_info[a.id]?.id, a.id);
  // neither ports nor DNS servers given: the keys are absent
  assert.equal('port_mappings' in opts, false);
  assert.equal('dns_servers' in opts, false);
});

test('netavarkOptions: no aliases key on networks without DNS, no static_mac without a MAC', () => {
  const net = network({ name: 'bridge', dns: false, bridge: 'docker0' });
  const opts = netavarkOptions({
    containerId: CID,
    containerName: 'web',
    endpoints: [endpoint(net, { mac: '', dnsNames: [] })],
    networks: new Map([[net.id, net]]),
    ports: [],
    dnsServers: [],
  });
  assert.deepEqual(opts.networks[net.id], { interface_name: 'eth0', static_ips: ['172.18.0.2'] });
});

test('netavarkOptions skips endpoints whose network is unknown', () => {
  const a = network();
  const ghost = network({ id: 'dead'.repeat(16), name: 'ghost' });
  const opts = netavarkOptions({
    containerId: CID, containerName: 'web',
    endpoints: [endpoint(a), endpoint(ghost)],
    networks: new Map([[a.id, a]]),
    ports: [], dnsServers: [],
  });
  assert.deepEqual(Object.keys(opts.networks), [a.id]);
  assert.deepEqual(Object.keys(opts.network_info), [a.id]);
});

test('netavarkOptions: port mappings with range 1 and empty host_ip for every address; dns_servers when given', () => {
  const a = network();
  const ports: PortMapping[] = [
    { containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 },
    { containerPort: 53, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 5353 },
  ];
  const opts = netavarkOptions({
    containerId: CID, containerName: 'web',
    endpoints: [endpoint(a)],
    networks: new Map([[a.id, a]]),
    ports,
    dnsServers: ['1.1.1.1', '9.9.9.9'],
  });
  assert.deepEqual(opts.port_mappings, [
    { host_ip: '', container_port: 80, host_port: 8080, range: 1, protocol: 'tcp' },
    { host_ip: '127.0.0.1', container_port: 53, host_port: 5353, range: 1, protocol: 'udp' },
  ]);
  assert.deepEqual(opts.dns_servers, ['1.1.1.1', '9.9.9.9']);
  // the result is plain JSON (what netavark reads)
  assert.deepEqual(JSON.parse(JSON.stringify(opts)), opts);
});

test('netavarkError takes the error of a {"error": ...} line on stdout', () => {
  assert.equal(netavarkError('{"error":"IO error: Address already in use (os error 98)"}\n', ''), 'IO error: Address already in use (os error 98)');
  assert.equal(netavarkError('some log\n{"error": "netns: No such file"}\n', 'warning text'), 'netns: No such file');
});

test('netavarkError also reads a JSON error on stderr', () => {
  assert.equal(netavarkError('', '[INFO] starting\n{"error":"bridge failed"}'), 'bridge failed');
});

test('netavarkError falls back to the stderr text, then stdout, then "no output"', () => {
  assert.equal(netavarkError('', 'flock: failed to get lock\n'), 'flock: failed to get lock');
  assert.equal(netavarkError('{not json', 'Error: boom'), 'Error: boom');
  assert.equal(netavarkError('{"error": 42}', 'plain'), 'plain');
  assert.equal(netavarkError('stdout only\n', '  '), 'stdout only');
  assert.equal(netavarkError('', ''), 'no output');
  // long stderr: the last three lines
  assert.equal(netavarkError('', 'l1\nl2\nl3\nl4\n'), 'l2; l3; l4');
});

/** A CommandRunner that records calls and answers from a queue. */
class FakeRunner implements CommandRunner {
  readonly calls: Array<{ file: string; args: string[] }> = [];
  constructor(private readonly answers: Array<{ code: number | null; stdout: string; stderr: string }>) {}
  async run(file: string, args: string[]) {
    this.calls.push({ file, args: [...args] });
    const a = this.answers.shift();
    if (!a) throw new Error('unexpected call');
    return a;
  }
}

const PATHS: NetavarkPaths = {
  netavark: '/usr/libexec/podman/netavark',
  aardvark: '/usr/libexec/podman/aardvark-dns',
  configDir: '/run/berth/netavark',
  lockFile: '/run/berth/netavark.lock',
};

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-netavark-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function sampleOptions(): NetavarkOptions {
  const a = network();
  return netavarkOptions({
    containerId: CID, containerName: 'web', endpoints: [endpoint(a, { dnsNames: ['web'] })],
    networks: new Map([[a.id, a]]), ports: [{ containerPort: 80, protocol: 'tcp', hostIp: '', hostPort: 8080 }], dnsServers: [],
  });
}

test('Netavark.setup writes the options file and runs netavark under flock', async () => {
  await withTmp(async (dir) => {
    const result = { appnet: { interfaces: { eth0: { mac_address: '02:42:ac:12:00:02', subnets: [{ ipnet: '172.18.0.2/16', gateway: '172.18.0.1' }] } } } };
    const runner = new FakeRunner([{ code: 0, stdout: JSON.stringify(result), stderr: '' }]);
    const nv = new Netavark(PATHS, runner, nullLogger);
    const file = join(dir, 'opts.json');
    const options = sampleOptions();
    const got = await nv.setup('/run/netns/berth-c0ffee', options, file);
    assert.deepEqual(got, result);
    assert.deepEqual(JSON.parse(await readFile(file, 'utf8')), options);
    assert.deepEqual(runner.calls, [{
      file: 'flock',
      args: ['-o', '-w', '60', PATHS.lockFile, PATHS.netavark, '--config', PATHS.configDir,
        '--aardvark-binary', PATHS.aardvark, '--file', file, 'setup', '/run/netns/berth-c0ffee'],
    }]);
  });
});

test('Netavark.teardown runs the teardown subcommand on the same options file', async () => {
  const runner = new FakeRunner([{ code: 0, stdout: '', stderr: '' }]);
  const nv = new Netavark(PATHS, runner, nullLogger);
  await nv.teardown('/run/netns/x', '/some/opts.json');
  assert.deepEqual(runner.calls, [{
    file: 'flock',
    args: ['-o', '-w', '60', PATHS.lockFile, PATHS.netavark, '--config', PATHS.configDir,
      '--aardvark-binary', PATHS.aardvark, '--file', '/some/opts.json', 'teardown', '/run/netns/x'],
  }]);
});

test('Netavark: a non-zero exit is an internal error carrying netavark\'s message', async () => {
  await withTmp(async (dir) => {
    const runner = new FakeRunner([{ code: 1, stdout: '{"error":"create bridge: Operation not permitted (os error 1)"}\n', stderr: '' }]);
    const nv = new Netavark(PATHS, runner, nullLogger);
    await assert.rejects(nv.setup('/run/netns/x', sampleOptions(), join(dir, 'o.json')), (e: unknown) => {
      assert.ok(e instanceof EngineError);
      assert.equal(e.kind, 'internal');
      assert.match(e.message, /create bridge: Operation not permitted \(os error 1\)/);
      assert.doesNotMatch(e.message, /\{"error"/);
      return true;
    });
  });
});

test('Netavark: killed by a signal (code null) and teardown failures are internal errors too', async () => {
  const nv = new Netavark(PATHS, new FakeRunner([
    { code: null, stdout: '', stderr: 'Killed' },
    { code: 2, stdout: '', stderr: 'flock: timeout while waiting to get lock' },
  ]), nullLogger);
  await withTmp(async (dir) => {
    await assert.rejects(nv.setup('/run/netns/x', sampleOptions(), join(dir, 'o.json')),
      (e: unknown) => e instanceof EngineError && e.kind === 'internal' && /Killed/.test(e.message));
  });
  await assert.rejects(nv.teardown('/run/netns/x', '/o.json'),
    (e: unknown) => e instanceof EngineError && e.kind === 'internal' && /timeout while waiting to get lock/.test(e.message));
});

test('Netavark.setup: output that is not JSON is an internal error', async () => {
  await withTmp(async (dir) => {
    const nv = new Netavark(PATHS, new FakeRunner([{ code: 0, stdout: 'garbage', stderr: '' }]), nullLogger);
    await assert.rejects(nv.setup('/run/netns/x', sampleOptions(), join(dir, 'o.json')),
      (e: unknown) => e instanceof EngineError && e.kind === 'internal');
  });
});

test('portChainName is netavark 1.x: NETAVARK-DN- and the first 13 hex digits of sha512(name), upper case', () => {
  // netavark names the chain of a network called "bridge" NETAVARK-DN-7D24D33E39064 (seen with iptables -S)
  assert.equal(portChainName('bridge'), 'NETAVARK-DN-7D24D33E39064');
});
