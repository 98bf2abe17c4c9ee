/** Daemon addresses as docker spells them: `unix:///path`, `tcp://host:port`, `http://host:port`. */

export const DEFAULT_HOST = 'unix:///run/berth/berth.sock';

/** Where to connect: a unix socket path, or a TCP host and port (plain HTTP). */
export type Endpoint = { kind: 'unix'; socketPath: string; url: string } | { kind: 'tcp'; hostname: string; port: number; url: string };

/**
 * Parses a `-H`/`DOCKER_HOST` value. Throws Error on unsupported schemes, with docker's wording.
 */
export function parseHost(host: string | undefined): Endpoint {
  const url = host === undefined || host === '' ? DEFAULT_HOST : host;
  if (url.startsWith('unix://')) {
    const socketPath = url.slice('unix://'.length);
    if (socketPath === '') throw new Error(`invalid bind address (${url}): path is empty`);
    return { kind: 'unix', socketPath, url };
  }
  if (url.startsWith('/')) return { kind: 'unix', socketPath: url, url: `unix://${url}` };
  const m = /^(?:tcp|http):\/\/\[?([^\]/]*?)\]?(?::(\d+))?\/?$/.exec(url);
  if (m !== null) {
    const hostname = m[1] === '' || m[1] === undefined ? '127.0.0.1' : m[1];
    return { kind: 'tcp', hostname, port: m[2] === undefined ? 2375 : Number(m[2]), url };
  }
  throw new Error(`unable to parse docker host \`${url}\``);
}
