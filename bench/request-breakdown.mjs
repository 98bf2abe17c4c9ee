#!/usr/bin/env node
// Replays what `docker run --rm --network none busybox true` sends to an engine, one request at
// a time, and prints the median time of each step. Usage: [PAUSE_MS=n] bench/request-breakdown.mjs SOCKET [RUNS]
// The engine must have a `busybox` image. Used to see where berthd spends a container's start.
import http from 'node:http';
import net from 'node:net';

const sock = process.argv[2];
const runs = Number(process.argv[3] ?? 12);
if (!sock) {
  console.error('usage: bench/request-breakdown.mjs SOCKET [RUNS]');
  process.exit(2);
}
const agent = new http.Agent({ keepAlive: true });
const request = (method, path, body) => new Promise((resolve, reject) => {
  const data = body ? JSON.stringify(body) : undefined;
  const headers = data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {};
  const r = http.request({ socketPath: sock, agent, method, path, headers }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => resolve({ status: res.statusCode, text }));
  });
  r.on('error', reject);
  if (data) r.write(data);
  r.end();
});
const rawPost = async (path, headers = '') => {
  const s = net.connect(sock);
  await new Promise((r) => s.once('connect', r));
  s.write(`POST ${path} HTTP/1.1\r\nHost: engine\r\n${headers}\r\n`);
  return s;
};

const steps = ['ping', 'create', 'attach', 'wait-registered', 'start', 'exit→removed'];
const rows = [];
const pause = Number(process.env.PAUSE_MS ?? 0); // idle time between runs (lets cleanup finish)
for (let i = 0; i < runs + 2; i++) {
  if (pause > 0) await new Promise((r) => setTimeout(r, pause));
  const t = [performance.now()];
  await request('HEAD', '/_ping');
  t.push(performance.now());
  const created = await request('POST', '/v1.47/containers/create', {
    Image: 'busybox', Cmd: ['true'], AttachStdout: true, AttachStderr: true,
    HostConfig: { AutoRemove: true, NetworkMode: 'none' },
  });
  if (created.status !== 201) throw new Error(`create: ${created.status} ${created.text}`);
  const id = JSON.parse(created.text).Id;
  t.push(performance.now());
  const attach = await rawPost(`/v1.47/containers/${id}/attach?stream=1&stdout=1&stderr=1`, 'Connection: Upgrade\r\nUpgrade: tcp\r\n');
  await new Promise((r) => attach.once('data', r));
  attach.resume();
  t.push(performance.now());
  const wait = await rawPost(`/v1.47/containers/${id}/wait?condition=removed`);
  let waitText = '';
  const removed = new Promise((r) => wait.on('data', (d) => {
    waitText += d;
    if (waitText.includes('StatusCode')) r();
  }));
  await new Promise((r) => wait.once('data', r));
  t.push(performance.now());
  const started = await request('POST', `/v1.47/containers/${id}/start`);
  if (started.status !== 204) throw new Error(`start: ${started.status} ${started.text}`);
  t.push(performance.now());
  await removed;
  t.push(performance.now());
  attach.destroy();
  wait.destroy();
  if (i >= 2) rows.push(t.slice(1).map((x, j) => x - t[j]));
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
for (const [j, name] of steps.entries()) console.log(`${name.padEnd(16)} ${median(rows.map((r) => r[j])).toFixed(1)} ms`);
console.log(`${'total'.padEnd(16)} ${median(rows.map((r) => r.reduce((a, b) => a + b))).toFixed(1)} ms (median of ${runs}, after 2 warm-up runs)`);
