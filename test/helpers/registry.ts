/**
 * A real registry for tests: Debian's `docker-registry` (CNCF distribution v2) on 127.0.0.1 with
 * a free port and its own storage dir, open, behind htpasswd Basic auth, or behind token auth
 * served by a small JWT issuer in this process (key and certificate made with openssl).
 * Config format: distribution docs "Registry configuration reference".
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createSign, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export type RegistryMode = 'open' | 'basic' | 'token';

/** A running test registry. */
export interface TestRegistry {
  /** `127.0.0.1:PORT`, the domain of image references. */
  host: string;
  /** The filesystem driver's root (blobs under docker/registry/v2/blobs/sha256/xx/<hex>/data). */
  storageDir: string;
  username: string;
  password: string;
  /** Token mode: a refresh token the token server accepts (as `identitytoken`). */
  identityToken: string;
  /** Token mode: how many tokens were issued. */
  tokensIssued: () => number;
  stop: () => Promise<void>;
}

/** Starts a registry; throws if the binary is missing or it does not come up within 15 s. */
export async function startRegistry(opts: { mode: RegistryMode }): Promise<TestRegistry> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-registry-'));
  const storageDir = join(dir, 'storage');
  const username = 'berth';
  const password = `pw-${randomBytes(6).toString('hex')}`;
  const identityToken = `id-${randomBytes(12).toString('hex')}`;
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let tokenServer: TokenServer | undefined;
  let proc: ChildProcess | undefined;
  try {
    let auth = '';
    if (opts.mode === 'basic') {
      const file = join(dir, 'htpasswd');
      await writeFile(file, await bcryptLine(username, password));
      auth = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${file}\n`;
    } else if (opts.mode === 'token') {
      const key = join(dir, 'token.key');
      const cert = join(dir, 'token.crt');
      await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '2', '-subj', '/CN=berth-test-token']);
      tokenServer = await startTokenServer({ keyPem: await readFile(key, 'utf8'), certPem: await readFile(cert, 'utf8'), username, password, identityToken });
      auth = `auth:\n  token:\n    realm: http://127.0.0.1:${tokenServer.port}/token\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${cert}\n`;
    }
    const config = join(dir, 'config.yml');
    await writeFile(config, [
      'version: 0.1',
      'log:\n  level: error\n  accesslog:\n    disabled: true',
      `storage:\n  filesystem:\n    rootdirectory: ${storageDir}\n  delete:\n    enabled: true`,
      `http:\n  addr: ${host}\n  secret: ${randomBytes(16).toString('hex')}`,
      auth,
    ].join('\n'));
    proc = spawn(REGISTRY_BIN, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr?.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-4000);
    });
    await waitUp(host, proc, () => stderr);
  } catch (err) {
    if (proc?.exitCode === null) proc.kill('SIGKILL');
    await tokenServer?.close();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const child = proc;
  const ts = tokenServer;
  return {
    host, storageDir, username, password, identityToken,
    tokensIssued: () => ts?.issued() ?? 0,
    stop: async () => {
      await stopProcess(child);
      await ts?.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function waitUp(host: string, proc: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`docker-registry exited with ${proc.exitCode}: ${stderr()}`);
    try {
      const res = await fetch(`http://${host}/v2/`, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`docker-registry did not answer on ${host}: ${stderr()}`);
}

async function stopProcess(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

/** `user:<bcrypt>` via htpasswd (apache2-utils), else Python's crypt (libxcrypt does bcrypt). */
async function bcryptLine(user: string, password: string): Promise<string> {
  try {
    const { stdout } = await run('htpasswd', ['-nbB', user, password]);
    return `${stdout.trim()}\n`;
  } catch {
    const py = 'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH)))';
    const { stdout } = await run('python3', ['-W', 'ignore', '-c', py, password]);
    return `${user}:${stdout.trim()}\n`;
  }
}

const SERVICE = 'berth-test-registry';
const ISSUER = 'berth-test-issuer';

interface TokenServer {
  port: number;
  issued: () => number;
  close: () => Promise<void>;
}

interface TokenServerOptions {
  keyPem: string;
  certPem: string;
  username: string;
  password: string;
  identityToken: string;
}

/**
 * The token endpoint of the distribution token spec: GET with Basic credentials, or POST with
 * grant_type=password|refresh_token. Good credentials get the requested actions; anonymous
 * requests get a token with no access (so the registry refuses them).
 */
async function startTokenServer(o: TokenServerOptions): Promise<TokenServer> {
  let issued = 0;
  const x5c = o.certPem.replace(/-----(BEGIN|END) CERTIFICATE-----|\s/g, '');
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = tokenAnswer(req, Buffer.concat(chunks).toString(), o, x5c);
      if (answer.status === 200) issued++;
      respond(res, answer.status, answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    issued: () => issued,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function respond(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function tokenAnswer(req: IncomingMessage, body: string, o: TokenServerOptions, x5c: string): { status: number; body: unknown } {
  const url = new URL(req.url ?? '/', 'http://token');
  let scopes = url.searchParams.getAll('scope');
  let who: 'anonymous' | 'user' | 'bad' = 'anonymous';
  if (req.method === 'POST') {
    const form = new URLSearchParams(body);
    scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const grant = form.get('grant_type');
    if (grant === 'refresh_token') who = form.get('refresh_token') === o.identityToken ? 'user' : 'bad';
    else if (grant === 'password') who = form.get('username') === o.username && form.get('password') === o.password ? 'user' : 'bad';
    else who = 'bad';
  } else {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString().split(':');
      who = u === o.username && p.join(':') === o.password ? 'user' : 'bad';
    }
  }
  if (who === 'bad') return { status: 401, body: { errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] } };
  const access = who === 'user' ? scopes.map(parseScope).filter((a) => a !== undefined) : [];
  const token = signJwt(o.keyPem, x5c, {
    iss: ISSUER, sub: who === 'user' ? o.username : '', aud: SERVICE, access,
  });
  const refresh = who === 'user' && req.method === 'POST' ? { refresh_token: o.identityToken } : {};
  return { status: 200, body: { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString(), ...refresh } };
}

function parseScope(s: string): { type: string; name: string; actions: string[] } | undefined {
  const first = s.indexOf(':');
  const last = s.lastIndexOf(':');
  if (first < 0 || last <= first) return undefined;
  return { type: s.slice(0, first), name: s.slice(first + 1, last), actions: s.slice(last + 1).split(',') };
}

function signJwt(keyPem: string, x5c: string, claims: Record<string, unknown>): string {
  const now = Math.floor(Date.now() / 1000);
  const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const head = b64({ typ: 'JWT', alg: 'RS256', x5c: [x5c] });
  const payload = b64({ ...claims, iat: now, nbf: now - 30, exp: now + 300, jti: randomBytes(8).toString('hex') });
  const signer = createSign('RSA-SHA256');
  signer.update(`${head}.${payload}`);
  return `${head}.${payload}.${signer.sign(keyPem).toString('base64url')}`;
}
