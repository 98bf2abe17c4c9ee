// Pushes BYTES (default 1 GiB) to HOST:PORT and prints the milliseconds until the server closed
// the connection after reading everything. Used by bench/port-throughput, also inside a netns.
import { connect } from 'node:net';

const [host, port, bytes = String(1 << 30)] = process.argv.slice(2);
const total = Number(bytes);
const chunk = Buffer.alloc(1 << 20, 0x61);
const t0 = process.hrtime.bigint();
const sock = connect(Number(port), host);
let sent = 0;
sock.on('connect', function pump() {
  while (sent < total) {
    sent += chunk.length;
    if (!sock.write(chunk)) return void sock.once('drain', pump);
  }
  sock.end();
});
sock.on('data', () => {});
sock.on('error', (err) => {
  console.error(err.message);
  process.exit(1);
});
sock.on('close', () => console.log((Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)));
