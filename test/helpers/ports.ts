/**
 * TCP/UDP ports for tests to publish or listen on. The kernel's pick (listen on port 0, close,
 * reuse the number) comes from the ephemeral range, where any outgoing connection of a parallel
 * suite can take it before the test binds it again ("address already in use"). These come from
 * below the ephemeral range instead, and are checked free on every address for TCP and UDP.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const EPHEMERAL_LOW = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
const LOW = 20000;

function tcpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, () => s.close(() => resolve(true)));
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, () => s.close(() => resolve(true)));
  });
}

/** The first of `count` consecutive ports, all free for TCP and UDP, below the ephemeral range. */
export async function freePorts(count = 1): Promise<number> {
  const span = Math.max(1, EPHEMERAL_LOW - LOW - count);
  for (let attempt = 0; attempt < 200; attempt++) {
    const first = LOW + Math.floor(Math.random() * span);
    let ok = true;
    for (let p = first; p < first + count && ok; p++) ok = (await tcpFree(p)) && (await udpFree(p));
    if (ok) return first;
  }
  throw new Error(`no ${count} free consecutive ports between ${LOW} and ${EPHEMERAL_LOW}`);
}

/** One free port (see freePorts). */
export function freePort(): Promise<number> {
  return freePorts(1);
}
