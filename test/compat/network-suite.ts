/**
 * Networking behaviour (issue 5) for a docker-compatible CLI against berthd on real netavark,
 * aardvark-dns and iptables: the default bridge, published ports reached from the host and from
 * other containers, user networks with name resolution, internal networks, container: mode,
 * /etc files, connect/disconnect, a daemon killed and restarted, and nothing left behind.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { get } from 'node:http';
import { createServer, type Server } from 'node:net';
import { networkInterfaces } from 'node:os';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startDaemon, testNetwork, type TestDaemon } from '../helpers/daemon.js';
import { poolPrefix } from '../../src/network/netns.js';
import { join } from 'node:path';
import { ok, cliFor, uniqueName, type Cli, type CliResult } from '../helpers/docker.js';
import { api } from '../helpers/http.js';
import { loadBusybox } from '../helpers/image.js';
import { DOCKER_BIN, IS_ROOT } from '../helpers/paths.js';
import { freePort, freePorts } from '../helpers/ports.js';

const run = promisify(execFile);

/** GET a URL; resolves the body, rejects on any error or after `ms`. */
function httpGet(url: string, ms = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { timeout: ms }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Retries a fetch while the server inside the container starts. */
async function fetchEventually(url: string, tries = 30): Promise<string> {
  let last: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      return await httpGet(url);
    } catch (err) {
      last = err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered: ${String(last)}`);
}

/** The host's first non-loopback IPv4 address. */
function hostAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  throw new Error('the host has no non-loopback IPv4 address');
}

/** netns names and firewall lines that mention any of `marks`. */
async function leftovers(marks: readonly string[]): Promise<string[]> {
  const [ns, rules, links] = await Promise.all([
    run('ip', ['netns', 'list']).then((r) => r.stdout, () => ''),
    run('iptables-save', []).then((r) => r.stdout, () => ''),
    run('ip', ['-o', 'link']).then((r) => r.stdout, () => ''),
  ]);
  return [...ns.split('\n'), ...rules.split('\n'), ...links.split('\n')].filter((l) => marks.some((m) => l.includes(m)));
}

/** Docker publishes "every address" on [::] too when the host has IPv6; so does berth. */
const V6 = (() => {
  try {
    return readFileSync('/proc/net/if_inet6', 'utf8').trim().length > 0;
  } catch {
    return false;
  }
})();

/** NetworkSettings.Ports entries of a port published on every address. */
function everyAddress(port: number): string {
  return `{"HostIp":"0.0.0.0","HostPort":"${port}"}${V6 ? `,{"HostIp":"::","HostPort":"${port}"}` : ''}`;
}

const HTTPD = ['sh', '-c', 'mkdir -p /www && echo "hello from $(hostname)" > /www/index.html && exec httpd -f -p 80 -h /www'];

export function defineNetworkSuite(kind: 'docker' | 'berth'): void {
  const skip = !IS_ROOT ? 'needs root' : kind === 'docker' && !existsSync(DOCKER_BIN) ? `no docker CLI at ${DOCKER_BIN}` : false;

  describe(`${kind} CLI: networks and published ports`, { skip }, () => {
    let d: TestDaemon;
    let cli: Cli;
    let net: ReturnType<typeof testNetwork>;
    /** Ids of everything this suite made, to look for leftovers at the end. */
    const ids = new Set<string>();
    /** A /28 of this daemon's pool for networks made with --subnet (the pool's last one). */
    let subnetBase: string;

    before(async () => {
      d = await startDaemon();
      cli = cliFor(kind, d.host);
      net = testNetwork(d.dir);
      const [a, b, c] = net.pool.split('.');
      subnetBase = `${a}.${b}.${c}`;
      await loadBusybox(d.socket);
      ids.add(ok(await cli(['network', 'inspect', '-f', '{{.Id}}', 'bridge'])).stdout.trim());
    });
    after(async () => {
      // a daemon that stops deletes its spare namespaces itself (before the helper's cleanup)
      const spares = poolPrefix(join(d.dir, 'exec', 'network'));
      const all = (await cli(['ps', '-aq'])).stdout.split('\n').filter(Boolean);
      if (all.length > 0) await cli(['rm', '-f', ...all]);
      await d?.terminate();
      const leftSpares = (await run('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.startsWith(spares));
      await d?.stop();
      assert.deepEqual(leftSpares, [], 'spare netns left by a stopped daemon');
      // the daemon is gone: nothing of its namespaces, bridges or firewall rules may remain
      // netns are named after container ids, netavark's chains after a hash of the network id
      const chainHash = (id: string) => createHash('sha512').update(id).digest('hex').slice(0, 13).toUpperCase();
      const marks = [net.bridge, net.subnet, `${subnetBase}.`, ...[...ids].flatMap((id) => [id.slice(0, 16), chainHash(id)])];
      assert.deepEqual(await leftovers(marks), [], 'leftover netns or firewall rules');
    });

    async function started(args: string[], name = uniqueName('n')): Promise<string> {
      const r = ok(await cli(['run', '-d', '--name', name, ...args]), `run -d ${args.join(' ')}`);
      ids.add(r.stdout.trim());
      return name;
    }
    async function inspect(ref: string, format: string): Promise<string> {
      return ok(await cli(['inspect', '-f', format, ref]), `inspect ${ref}`).stdout.trim();
    }
    async function sh(args: string[], script: string): Promise<CliResult> {
      return cli(['run', '--rm', ...args, 'busybox', 'sh', '-c', script]);
    }

    it('the default bridge gives an address, /etc/hosts names it, and resolves no container names', async () => {
      const web = await started(['busybox', 'sleep', '300']);
      const ip = await inspect(web, '{{.NetworkSettings.IPAddress}}');
      const gw = await inspect(web, '{{.NetworkSettings.Gateway}}');
      assert.equal(gw, net.bip.split('/')[0]);
      assert.ok(ip.startsWith(net.subnet.split('.').slice(0, 3).join('.')), `${ip} is in ${net.subnet}`);
      assert.equal(await inspect(web, '{{.NetworkSettings.Networks.bridge.IPAddress}}'), ip);
      assert.match(await inspect(web, '{{.NetworkSettings.MacAddress}}'), /^02:42(:[0-9a-f]{2}){4}$/);
      const r = ok(await sh(['--hostname', 'box1'], 'ip -4 addr show eth0; cat /etc/hosts; cat /etc/resolv.conf; ping -c1 -W2 ' + ip + '; nslookup ' + web + ' || echo NORESOLVE'));
      assert.match(r.stdout, /inet \d+\.\d+\.\d+\.\d+\/25/);
      assert.match(r.stdout, /^\d+\.\d+\.\d+\.\d+\tbox1$/m);
      assert.match(r.stdout, /1 packets received/);
      assert.match(r.stdout, /NORESOLVE/);
      assert.doesNotMatch(r.stdout, new RegExp(`nameserver ${gw.replace(/\./g, '\\.')}`), 'the default bridge uses the host resolvers');
    });

    it('a start takes a spare network namespace made ahead of time, and a new spare is made', async () => {
      const prefix = `/run/netns/${poolPrefix(join(d.dir, 'exec', 'network'))}`;
      await started(['busybox', 'sleep', '60']);
      // spares are made in the background after a start takes one (or makes its own)
      for (let i = 0; i < 100 && !(await run('ip', ['netns', 'list'])).stdout.includes(prefix.slice('/run/netns/'.length)); i++) await new Promise((r) => setTimeout(r, 20));
      const name = await started(['busybox', 'sleep', '60']);
      const key = await inspect(name, '{{.NetworkSettings.SandboxKey}}');
      assert.ok(key.startsWith(prefix), `SandboxKey ${key} is not a spare (${prefix}…)`);
      const r = ok(await cli(['exec', name, 'ip', '-4', '-o', 'addr', 'show', 'eth0']));
      assert.match(r.stdout, new RegExp(`inet ${net.subnet.split('.').slice(0, 3).join('\\.')}\\.`));
      let spare = false;
      for (let i = 0; i < 100 && !spare; i++) {
        const names = (await run('ip', ['netns', 'list'])).stdout.split('\n').map((l) => `/run/netns/${l.split(' ')[0]}`);
        spare = names.some((n) => n.startsWith(prefix) && n !== key);
        if (!spare) await new Promise((res) => setTimeout(res, 20));
      }
      assert.ok(spare, 'no new spare namespace after a start took one');
    });

    it('-p publishes a port on 127.0.0.1 and the host address, for the host and for other containers', async () => {
      const port = await freePort();
      const web = await started(['-p', `${port}:80`, 'busybox', ...HTTPD]);
      assert.match(await fetchEventually(`http://127.0.0.1:${port}/`), /^hello from /);
      assert.match(await httpGet(`http://${hostAddress()}:${port}/`), /^hello from /);
      const other = ok(await sh([], `timeout 3 wget -qO- http://${hostAddress()}:${port}/`));
      assert.match(other.stdout, /^hello from /);
      assert.equal(ok(await cli(['port', web])).stdout, `80/tcp -> 0.0.0.0:${port}\n${V6 ? `80/tcp -> [::]:${port}\n` : ''}`);
      assert.equal(ok(await cli(['ps', '--filter', `name=${web}`, '--format', '{{.Ports}}'])).stdout,
        `0.0.0.0:${port}->80/tcp${V6 ? `, [::]:${port}->80/tcp` : ''}\n`);
      assert.equal(await inspect(web, '{{json .NetworkSettings.Ports}}'), `{"80/tcp":[${everyAddress(port)}]}`);
      if (V6) assert.match(await httpGet(`http://[::1]:${port}/`), /^hello from /, 'IPv6 loopback reaches the container');
      assert.equal(await inspect(web, '{{json .HostConfig.PortBindings}}'), `{"80/tcp":[{"HostIp":"","HostPort":"${port}"}]}`);
    });

    it('-p 127.0.0.1:P:80 answers on loopback only; -p 80 picks a free port; -P publishes EXPOSE', async () => {
      const port = await freePort();
      const web = await started(['-p', `127.0.0.1:${port}:80`, '-p', '80', '--expose', '81', 'busybox', ...HTTPD]);
      assert.match(await fetchEventually(`http://127.0.0.1:${port}/`), /^hello/);
      await assert.rejects(httpGet(`http://${hostAddress()}:${port}/`, 1000));
      const out = ok(await cli(['port', web])).stdout;
      assert.match(out, new RegExp(`^80/tcp -> 127\\.0\\.0\\.1:${port}$`, 'm'));
      const random = /^80\/tcp -> 0\.0\.0\.0:(\d+)$/m.exec(out);
      assert.ok(random, out);
      assert.ok(Number(random[1]) >= 1024 && Number(random[1]) !== port);
      assert.match(await httpGet(`http://127.0.0.1:${random[1]}/`), /^hello/);
      assert.equal(ok(await cli(['port', web, '80/tcp'])).stdout.split('\n').filter(Boolean).length, V6 ? 3 : 2);
      const notPublished = await cli(['port', web, '81']);
      assert.notEqual(notPublished.code, 0);
      assert.match(notPublished.stderr, /no public port '81(\/tcp)?' published for/i);
      const all = await started(['-P', '--expose', '80', 'busybox', ...HTTPD]);
      const pub = /^80\/tcp -> 0\.0\.0\.0:(\d+)$/m.exec(ok(await cli(['port', all])).stdout);
      assert.ok(pub);
      assert.match(await fetchEventually(`http://127.0.0.1:${pub[1]}/`), /^hello/);
    });

    it('UDP and port ranges are published', async () => {
      const udp = await freePort();
      const a = await freePorts(2);
      const name = await started(['-p', `${udp}:5353/udp`, '-p', `${a}-${a + 1}:90-91`, 'busybox', 'sleep', '300']);
      assert.equal(await inspect(name, '{{json .NetworkSettings.Ports}}'),
        `{"5353/udp":[${everyAddress(udp)}],"90/tcp":[${everyAddress(a)}],"91/tcp":[${everyAddress(a + 1)}]}`);
      // busybox has no UDP server: a node one runs in the container's network namespace
      const netns = await inspect(name, '{{.NetworkSettings.SandboxKey}}');
      const want = V6 ? 2 : 1;
      const server = execFile('nsenter', [`--net=${netns}`, process.execPath, '-e',
        `const s=require('dgram').createSocket('udp4');let n=0;s.on('message',(m,r)=>{process.stdout.write(m+'\\n');s.send('pong',r.port,r.address,()=>{if(++n===${want})process.exit(0)})});s.bind(5353,()=>console.log('ready'))`],
        { timeout: 15_000 });
      let got = '';
      server.stdout?.on('data', (c: Buffer) => (got += c.toString()));
      const done = new Promise((r) => server.on('exit', r));
      while (!got.includes('ready')) await new Promise((r) => setTimeout(r, 50));
      const ping = async (type: 'udp4' | 'udp6', host: string, text: string): Promise<string> => {
        const sock = createSocket(type);
        let reply = '';
        sock.on('message', (m) => (reply = m.toString()));
        for (let i = 0; i < 20 && !reply; i++) {
          sock.send(text, udp, host);
          await new Promise((r) => setTimeout(r, 100));
        }
        sock.close();
        return reply;
      };
      assert.equal(await ping('udp4', '127.0.0.1', 'datagram4'), 'pong');
      if (V6) assert.equal(await ping('udp6', '::1', 'datagram6'), 'pong', 'UDP over IPv6 is relayed both ways');
      await done;
      assert.match(got, /ready\ndatagram4\n/);
      if (V6) assert.match(got, /datagram6\n/);
    });

    it('outbound traffic is masqueraded: a host outside the bridge sees the host address', async () => {
      // an "outside" host: a namespace of this test behind a veth pair, on a /30 of TEST-NET-2
      const used = (await run('ip', ['-o', '-4', 'addr'])).stdout;
      let n = 0;
      do n = Math.floor(Math.random() * 63) * 4; while (used.includes(`198.51.100.${n + 1}/`));
      const [hostSide, outside] = [`198.51.100.${n + 1}`, `198.51.100.${n + 2}`];
      const ns = `bo-${process.pid}-${kind}`;
      const [vo, vi] = [`vo${process.pid}`.slice(0, 15), `vi${process.pid}`.slice(0, 15)];
      const sh2 = (args: string[]) => run(args[0]!, args.slice(1));
      await sh2(['ip', 'netns', 'add', ns]);
      let server: ReturnType<typeof execFile> | undefined;
      try {
        await sh2(['ip', 'link', 'add', vo, 'type', 'veth', 'peer', 'name', vi]);
        await sh2(['ip', 'link', 'set', vi, 'netns', ns]);
        await sh2(['ip', 'addr', 'add', `${hostSide}/30`, 'dev', vo]);
        await sh2(['ip', 'link', 'set', vo, 'up']);
        await sh2(['ip', '-n', ns, 'addr', 'add', `${outside}/30`, 'dev', vi]);
        await sh2(['ip', '-n', ns, 'link', 'set', vi, 'up']);
        server = execFile('ip', ['netns', 'exec', ns, process.execPath, '-e',
          "require('net').createServer((s)=>{s.once('data',()=>s.end('HTTP/1.0 200 OK\\r\\n\\r\\n'+s.remoteAddress.replace('::ffff:','')))}).listen(7777,()=>console.log('ready'))"]);
        await new Promise((r) => server!.stdout?.once('data', r));
        const r = ok(await sh([], `timeout 5 wget -qO- http://${outside}:7777/`));
        assert.equal(r.stdout.trim(), hostSide);
      } finally {
        server?.kill();
        await sh2(['ip', 'link', 'delete', vo]).catch(() => {});
        await sh2(['ip', 'netns', 'delete', ns]).catch(() => {});
      }
    });

    it('a host port that is taken fails the start with a clear error and leaves nothing wired', async () => {
      const port = await freePort();
      const holder: Server = createServer();
      await new Promise<void>((r) => holder.listen(port, '0.0.0.0', r));
      try {
        const name = uniqueName('busy');
        const r = await cli(['run', '-d', '--name', name, '-p', `${port}:80`, 'busybox', 'sleep', '60']);
        assert.equal(r.code, 125, r.stderr);
        assert.match(r.stderr, new RegExp(`0\\.0\\.0\\.0:${port}.*address already in use`));
        const id = await inspect(name, '{{.Id}}');
        ids.add(id);
        assert.equal(await inspect(name, '{{.State.Status}}'), 'created');
        assert.deepEqual(await leftovers([id.slice(0, 16)]), []);
      } finally {
        await new Promise((r) => holder.close(r));
      }
      const first = await started(['-p', `${port}:80`, 'busybox', 'sleep', '60']);
      const second = await cli(['run', '-d', '-p', `${port}:80`, 'busybox', 'sleep', '60']);
      assert.equal(second.code, 125);
      assert.match(second.stderr, new RegExp(`driver failed programming external connectivity on endpoint .*: Bind for 0\\.0\\.0\\.0:${port} failed: port is already allocated`));
      ids.add(second.stdout.trim());
      ok(await cli(['rm', '-f', first]));
      // the port is free again once the container is gone
      ids.add(ok(await cli(['run', '-d', '-p', `${port}:80`, 'busybox', 'sleep', '60'])).stdout.trim());
    });

    it('containers on a user network reach each other by name and by alias; inspect shows the network', async () => {
      const netName = uniqueName('net');
      const netId = ok(await cli(['network', 'create', '--label', 'suite=net', netName])).stdout.trim();
      ids.add(netId);
      const db = await started(['--network', netName, '--network-alias', 'database', 'busybox', ...HTTPD]);
      const r = ok(await sh(['--network', netName], `cat /etc/resolv.conf; timeout 3 wget -qO- http://${db}/; timeout 3 wget -qO- http://database/`));
      assert.equal(r.stdout.match(/hello from /g)?.length, 2, r.stdout);
      assert.match(r.stdout, /^nameserver 10\.\d+\.\d+\.\d+$/m);
      const ls = ok(await cli(['network', 'ls', '--filter', `label=suite=net`, '--format', '{{.Name}} {{.Driver}}'])).stdout;
      assert.equal(ls, `${netName} bridge\n`);
      const info = JSON.parse(ok(await cli(['network', 'inspect', netName])).stdout) as Array<{ Id: string; IPAM: { Config: Array<{ Subnet: string }> }; Containers: Record<string, { Name: string; IPv4Address: string }> }>;
      assert.equal(info[0]!.Id, netId);
      const members = Object.values(info[0]!.Containers);
      assert.deepEqual(members.map((m) => m.Name), [db]);
      assert.match(members[0]!.IPv4Address, /\/28$/);
      const shortId = (await inspect(db, '{{.Id}}')).slice(0, 12);
      assert.deepEqual(JSON.parse(await inspect(db, `{{json (index .NetworkSettings.Networks "${netName}").Aliases}}`)), ['database', shortId]);
      const rm = await cli(['network', 'rm', netName]);
      assert.equal(rm.code, 1);
      assert.match(rm.stderr, /has active endpoints/);
      // compose names a service by an endpoint alias in the create request
      const svc = uniqueName('svc');
      const created = await api(d.socket, {
        method: 'POST', path: `/containers/create?name=${svc}`, headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          Image: 'busybox', Cmd: HTTPD, HostConfig: { NetworkMode: netName },
          NetworkingConfig: { EndpointsConfig: { [netName]: { Aliases: ['websvc'] } } },
        }),
      });
      assert.equal(created.status, 201, created.text);
      ids.add(created.json<{ Id: string }>().Id);
      ok(await cli(['start', svc]));
      assert.match(ok(await sh(['--network', netName], 'timeout 3 wget -qO- http://websvc/')).stdout, /^hello from /);
      const dbId = await inspect(db, '{{.Id}}');
      const dnsFile = `${d.dir}/exec/network/netavark/aardvark-dns/${netId}`;
      // the `run --rm` container above is torn down after its client returned, and netavark
      // rewrites this file in place then: a read at that moment can see it half written
      let known = false;
      for (let i = 0; i < 50 && !known; i++) {
        known = (await readFile(dnsFile, 'utf8').catch(() => '')).includes(dbId);
        if (!known) await new Promise((r) => setTimeout(r, 40));
      }
      assert.ok(known, 'aardvark knows the container');
      ok(await cli(['rm', '-f', db, svc]));
      assert.ok(!(await readFile(dnsFile, 'utf8').catch(() => '')).includes(dbId), 'its DNS entry is gone');
      ok(await cli(['network', 'rm', netName]));
      assert.notEqual((await cli(['network', 'inspect', netName])).code, 0);
    });

    it('an internal network has no route out, but its containers still find each other', async () => {
      const netName = uniqueName('int');
      ids.add(ok(await cli(['network', 'create', '--internal', '--subnet', `${subnetBase}.224/28`, netName])).stdout.trim());
      const peer = await started(['--network', netName, 'busybox', ...HTTPD]);
      const port = await freePort();
      const outside = await started(['-p', `${port}:80`, 'busybox', ...HTTPD]);
      await fetchEventually(`http://127.0.0.1:${port}/`);
      const r = await sh(['--network', netName], `ip route; timeout 2 wget -qO- http://${peer}/ && echo PEER; timeout 2 wget -qO- http://${hostAddress()}:${port}/ && echo ESCAPED || echo BLOCKED`);
      assert.match(r.stdout, /PEER/);
      assert.match(r.stdout, /BLOCKED/);
      ok(await cli(['rm', '-f', peer, outside]));
      ok(await cli(['network', 'rm', netName]));
    });

    it('--network container: shares the namespace; none has loopback only; host sees the host', async () => {
      const web = await started(['busybox', ...HTTPD]);
      const ip = await inspect(web, '{{.NetworkSettings.IPAddress}}');
      const r = ok(await sh(['--network', `container:${web}`], 'ip -4 addr show eth0; timeout 3 wget -qO- http://127.0.0.1/'));
      assert.match(r.stdout, new RegExp(`inet ${ip.replace(/\./g, '\\.')}/`));
      assert.match(r.stdout, /^hello from /m);
      const none = ok(await sh(['--network', 'none'], 'ip -o link | wc -l'));
      assert.equal(none.stdout.trim(), '1');
      const host = ok(await sh(['--network', 'host'], 'ip -o -4 addr'));
      assert.ok(host.stdout.includes(hostAddress()));
      const missing = await sh(['--network', 'nosuchnet'], 'true');
      assert.equal(missing.code, 125);
      assert.match(missing.stderr, /network nosuchnet not found/);
    });

    it('--add-host, --dns, --dns-search, --hostname, --ip and --mac-address reach the container', async () => {
      const netName = uniqueName('opts');
      ids.add(ok(await cli(['network', 'create', '--subnet', `${subnetBase}.240/28`, netName])).stdout.trim());
      const r = ok(await sh([
        '--network', netName, '--ip', `${subnetBase}.250`, '--mac-address', '02:42:ac:11:00:99', '--hostname', 'h1',
        '--add-host', 'foo:1.2.3.4', '--add-host', 'gw:host-gateway', '--dns-search', 'example.com', '--domainname', 'example.org',
        '--dns-option', 'ndots:2',
      ], 'cat /etc/hosts /etc/resolv.conf; ip -4 addr show eth0; ip link show eth0'));
      assert.match(r.stdout, /^1\.2\.3\.4\tfoo$/m);
      assert.match(r.stdout, new RegExp(`^${net.bip.split('/')[0]!.replace(/\./g, '\\.')}\\tgw$`, 'm'));
      assert.match(r.stdout, new RegExp(`^${subnetBase.replace(/\./g, '\\.')}\\.250\\th1\\.example\\.org h1$`, 'm'));
      assert.match(r.stdout, /^search example\.com$/m);
      assert.match(r.stdout, /^options ndots:2$/m);
      assert.match(r.stdout, /link\/ether 02:42:ac:11:00:99/);
      const dns = ok(await sh(['--dns', '9.9.9.9'], 'cat /etc/resolv.conf'));
      assert.match(dns.stdout, /^nameserver 9\.9\.9\.9$/m);
      const bad = await sh(['--ip', '10.0.0.9'], 'true');
      assert.notEqual(bad.code, 0);
      assert.match(bad.stderr, /user specified IP address is supported on user defined networks only/);
      ok(await cli(['network', 'rm', netName]));
    });

    it('network create -o sets the bridge name and MTU; --ip-range bounds the addresses; connect --ip', async () => {
      const netName = uniqueName('opt');
      const bridge = `bo${net.bridge.slice(2, 10)}`;
      ids.add(ok(await cli(['network', 'create', '--subnet', `${subnetBase}.208/28`, '--ip-range', `${subnetBase}.216/29`,
        '-o', `com.docker.network.bridge.name=${bridge}`, '-o', 'com.docker.network.driver.mtu=1400', netName])).stdout.trim());
      const box = await started(['--network', netName, 'busybox', 'sleep', '300']);
      const ip = await inspect(box, `{{(index .NetworkSettings.Networks "${netName}").IPAddress}}`);
      assert.equal(ip, `${subnetBase}.216`);
      assert.match(ok(await cli(['exec', box, 'ip', 'link', 'show', 'eth0'])).stdout, /mtu 1400/);
      assert.match((await run('ip', ['-o', 'link', 'show', bridge])).stdout, new RegExp(`${bridge}:`));
      const other = await started(['busybox', 'sleep', '300']);
      ok(await cli(['network', 'connect', '--ip', `${subnetBase}.211`, netName, other]));
      assert.match(ok(await cli(['exec', other, 'ip', '-4', 'addr', 'show', 'eth1'])).stdout, new RegExp(`inet ${subnetBase.replace(/\./g, '\\.')}\\.211/28`));
      const taken = await cli(['run', '--rm', '--network', netName, '--ip', `${subnetBase}.211`, 'busybox', 'true']);
      assert.equal(taken.code, 125);
      assert.match(taken.stderr, /Address already in use/);
      ok(await cli(['rm', '-f', box, other]));
      ok(await cli(['network', 'rm', netName]));
      assert.equal((await run('ip', ['-o', 'link', 'show', bridge]).catch(() => ({ stdout: '' }))).stdout, '', 'the bridge is gone with its network');
    });

    it('network connect and disconnect change a running container', async () => {
      const netName = uniqueName('conn');
      ids.add(ok(await cli(['network', 'create', netName])).stdout.trim());
      const box = await started(['busybox', 'sleep', '300']);
      ok(await cli(['network', 'connect', '--alias', 'boxy', netName, box]));
      assert.match(ok(await cli(['exec', box, 'ip', '-o', 'link'])).stdout, /eth1/);
      const r = ok(await sh(['--network', netName], 'ping -c1 -W2 boxy'));
      assert.match(r.stdout, /1 packets received/);
      const nets = JSON.parse(await inspect(box, '{{json .NetworkSettings.Networks}}')) as Record<string, unknown>;
      assert.deepEqual(Object.keys(nets).sort(), ['bridge', netName].sort());
      ok(await cli(['network', 'disconnect', netName, box]));
      assert.doesNotMatch(ok(await cli(['exec', box, 'ip', '-o', 'link'])).stdout, /eth1/);
      ok(await cli(['rm', '-f', box]));
      ok(await cli(['network', 'rm', netName]));
      const pruneNet = uniqueName('prune');
      ids.add(ok(await cli(['network', 'create', pruneNet])).stdout.trim());
      assert.match(ok(await cli(['network', 'prune', '-f'])).stdout, new RegExp(pruneNet));
      assert.notEqual((await cli(['network', 'inspect', pruneNet])).code, 0);
    });

    it('after berthd is killed and restarted, running containers keep their ports and stopped ones are cleaned', async () => {
      const port = await freePort();
      const web = await started(['-p', `${port}:80`, 'busybox', ...HTTPD]);
      const brief = await started(['busybox', 'sh', '-c', 'sleep 2']);
      const briefId = await inspect(brief, '{{.Id}}');
      await fetchEventually(`http://127.0.0.1:${port}/`);
      process.kill(d.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 2500)); // the brief one exits while no daemon watches
      assert.match(await httpGet(`http://127.0.0.1:${port}/`), /^hello/, 'the port works without the daemon');
      d = await startDaemon({ dir: d.dir });
      cli = cliFor(kind, d.host);
      assert.match(await httpGet(`http://127.0.0.1:${port}/`), /^hello/);
      assert.equal(await inspect(web, '{{json .NetworkSettings.Ports}}'), `{"80/tcp":[${everyAddress(port)}]}`);
      assert.equal(await inspect(brief, '{{.State.Status}}'), 'exited');
      assert.deepEqual(await leftovers([briefId.slice(0, 16)]), []);
      // the restarted daemon still holds the port
      const clash = await cli(['run', '-d', '-p', `${port}:80`, 'busybox', 'true']);
      assert.equal(clash.code, 125);
      ok(await cli(['rm', '-f', web]));
    });
  });
}
