/**
 * The API's listeners, one per -H: unix sockets (mode 0660) and tcp:// with or without TLS
 * (client certificates required and verified with --tlsverify, as dockerd). Each hands its
 * connections to the one HTTP server, so every listener serves the same API.
 */
import { chmodSync, readFileSync } from 'node:fs';
import type { Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { ListenAddress } from './config.js';

export interface TlsFiles {
  /** Verify client certificates against `ca`. */
  verify: boolean;
  ca: string;
  cert: string;
  key: string;
}

/** A listening socket; `close()` stops accepting. */
export interface Listener {
  address: ListenAddress;
  close(): void;
}

/** As node:http's own server: hijacked streams stay open after the client's half-close (docker attach). */
const SOCKET_OPTIONS = { allowHalfOpen: true, noDelay: true } as const;

function tlsServer(files: TlsFiles, onSocket: (s: TLSSocket) => void): Server {
  return createTlsServer({
    ...SOCKET_OPTIONS,
    cert: readFileSync(files.cert),
    key: readFileSync(files.key),
    ...(files.ca ? { ca: readFileSync(files.ca) } : {}),
    requestCert: files.verify,
    rejectUnauthorized: files.verify,
    minVersion: 'TLSv1.2',
  }, onSocket);
}

/**
 * Listens on one address and feeds its connections to `http`. TLS applies to tcp:// only.
 * Rejects when the address cannot be bound or a TLS file cannot be read.
 */
export function listen(http: HttpServer, address: ListenAddress, tls: TlsFiles | undefined): Promise<Listener> {
  const hand = (s: Socket): void => {
    http.emit('connection', s);
  };
  const server = address.kind === 'tcp' && tls ? tlsServer(tls, hand) : createNetServer(SOCKET_OPTIONS, hand);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      if (address.kind === 'unix') chmodSync(address.path, 0o660);
      resolve({ address, close: () => server.close() });
    };
    const backlog = listenBacklog();
    if (address.kind === 'unix') server.listen({ path: address.path, backlog }, done);
    else server.listen({ port: address.port, host: address.host, backlog }, done);
  });
}

/**
 * The accept queue's length: the kernel's maximum (net.core.somaxconn), as Go's net package and
 * so dockerd use. Node's default of 511 refuses connections beyond it at once on a unix socket
 * (EAGAIN): `docker stats --no-stream` with 1000 containers opens a connection per container.
 */
function listenBacklog(): number {
  try {
    const n = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : 4096;
  } catch {
    return 4096;
  }
}
