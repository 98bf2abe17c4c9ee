/**
 * berthd: composition root. Reads config, takes the data-root lock, opens the image store,
 * the runtime and the engine, re-adopts containers, serves the Engine API on a unix socket.
 * SIGTERM/SIGINT stop serving and leave containers running under conmon.
 */
import { mkdirSync, rmSync, writeFileSync, existsSync, unlinkSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join, dirname } from 'node:path';
import { createLogger, errorMessage, type Logger } from '../core/index.js';
import { BERTH_VERSION, ENGINE_VERSION } from '../protocol/index.js';
import { createApi } from '../api/index.js';
import { Engine } from '../engine/index.js';
import { createImageService } from '../image/index.js';
import { createRegistryClient } from '../registry/index.js';
import { createRuntime, nodeHost } from '../runtime/index.js';
import { NetworkService } from '../network/index.js';
import { Volumes } from '../volume/index.js';
import { ConfigError, isLoopback, loadConfig, parseListenAddress, USAGE, type DaemonConfig } from './config.js';
import { listen, type Listener } from './listeners.js';
import { acquireLock, LockHeldError } from './lock.js';
import { systemInfo } from './system-info.js';

function die(msg: string): never {
  process.stderr.write(`berthd: ${msg}\n`);
  process.exit(1);
}

/** True when something answers on the socket (another daemon). */
function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s: Socket = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Child processes for the network subsystem (ip, flock + netavark). */
function commandRunner(): { run(file: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> } {
  const host = nodeHost();
  return { run: (file, args) => host.run(file, args) };
}

async function main(): Promise<void> {
  let cfg: DaemonConfig;
  try {
    const parsed = loadConfig(process.argv.slice(2));
    if (parsed.help) {
      process.stdout.write(USAGE);
      return;
    }
    if (parsed.version) {
      process.stdout.write(`berthd version ${BERTH_VERSION} (Docker Engine API compatible ${ENGINE_VERSION})\n`);
      return;
    }
    cfg = parsed.config;
  } catch (err) {
    if (err instanceof ConfigError) die(err.message);
    throw err;
  }
  const logger = createLogger({ level: cfg.logLevel });
  for (const dir of [cfg.dataRoot, cfg.execRoot]) mkdirSync(dir, { recursive: true, mode: 0o711 });

  let releaseLock: () => void;
  try {
    releaseLock = acquireLock(join(cfg.dataRoot, 'berthd.lock'));
  } catch (err) {
    if (err instanceof LockHeldError) die(err.message);
    throw err;
  }
  const addresses = cfg.hosts.map((h) => parseListenAddress(h, cfg.tls));
  const sockets = addresses.flatMap((a) => (a.kind === 'unix' ? [a.path] : []));
  for (const path of sockets) {
    if (existsSync(path)) {
      if (await socketInUse(path)) {
        releaseLock();
        die(`another daemon is already listening on ${path}`);
      }
      unlinkSync(path);
    }
    mkdirSync(dirname(path), { recursive: true });
  }

  process.on('uncaughtException', (err) => logger.error('uncaught exception (kept running)', { err: err.stack ?? err.message }));
  process.on('unhandledRejection', (err) => logger.error('unhandled rejection (kept running)', { err: errorMessage(err) }));

  const registry = { create: createRegistryClient, options: { insecure: cfg.insecureRegistries, mirrors: cfg.registryMirrors } };
  const images = await createImageService({ dataRoot: cfg.dataRoot, logger: logger.child({ subsystem: 'image' }), registry });
  const runtime = await createRuntime({
    execRoot: cfg.execRoot, runtime: cfg.defaultRuntime, logger,
    conmonLogLevel: cfg.logLevel === 'debug' ? 'debug' : 'error',
  });
  const networks = new NetworkService({
    recordsDir: join(cfg.dataRoot, 'networks'), execDir: join(cfg.execRoot, 'network'),
    defaults: {
      bridge: cfg.bridge, ...(cfg.bip ? { bip: cfg.bip } : {}), ...(cfg.mtu ? { mtu: cfg.mtu } : {}),
      ...(cfg.defaultAddressPools.length > 0 ? { pools: cfg.defaultAddressPools } : {}),
    },
    runner: commandRunner(), logger: logger.child({ subsystem: 'network' }),
  });
  await networks.init();
  const volumes = new Volumes(join(cfg.dataRoot, 'volumes'), commandRunner(), logger.child({ subsystem: 'volume' }));
  await volumes.load();
  const engine = new Engine({
    containersDir: join(cfg.dataRoot, 'containers'),
    bundlesDir: join(cfg.execRoot, 'containers'),
    images, runtime, networks, volumes, logger: logger.child({ subsystem: 'engine' }), logOpts: cfg.logOpts, detachKeys: cfg.detachKeys,
  });
  await engine.init();

  const server = createApi({ engine, images, registry, system: systemInfo(cfg, engine, images, runtime.name, runtime.runtimes), logger: logger.child({ subsystem: 'api' }) });
  const open = new Set<import('node:stream').Duplex>();
  server.on('connection', (s) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  server.on('upgrade', (_req, s: import('node:stream').Duplex) => {
    open.add(s);
    s.on('close', () => open.delete(s));
  });
  const tls = cfg.tls ? { verify: cfg.tlsVerify, ca: cfg.tlsCaCert, cert: cfg.tlsCert, key: cfg.tlsKey } : undefined;
  let listeners: Listener[];
  try {
    listeners = await Promise.all(addresses.map((a) => listen(server, a, tls)));
  } catch (err) {
    releaseLock();
    die(`cannot listen on ${cfg.hosts.join(', ')}: ${errorMessage(err)}`);
  }
  for (const a of addresses) {
    if (a.kind !== 'tcp') continue;
    if (!tls) {
      process.stderr.write(`berthd: WARNING: the API on tcp://${a.host}:${a.port} has no TLS: every local user who can connect to it gets root on this host; use --tlsverify\n`);
      logger.warn('API listening on TCP without TLS', { host: a.host, port: a.port, loopback: isLoopback(a.host) });
    } else if (!tls.verify) {
      process.stderr.write(`berthd: WARNING: the API on tcp://${a.host}:${a.port} uses TLS without client verification (--tlsverify): anyone who can reach it gets root on this host\n`);
      logger.warn('API listening on TCP with TLS but without client verification', { host: a.host, port: a.port });
    }
  }
  writeFileSync(cfg.pidfile, `${process.pid}\n`);
  logger.info('berthd is serving', { hosts: cfg.hosts, dataRoot: cfg.dataRoot, execRoot: cfg.execRoot, pid: process.pid, version: BERTH_VERSION });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down; containers keep running', { signal });
    for (const l of listeners) l.close();
    server.close();
    for (const s of open) s.destroy();
    engine.close();
    for (const path of sockets) rmSync(path, { force: true });
    const idle = Promise.all([
      networks.close().catch((err) => logger.warn('could not take idle networks down', { err: errorMessage(err) })),
      runtime.close().catch((err) => logger.warn('could not release the runtime', { err: errorMessage(err) })),
    ]);
    const limit = new Promise((r) => setTimeout(r, 20_000).unref());
    void Promise.race([idle, limit]).then(() => {
      rmSync(cfg.pidfile, { force: true });
      releaseLock();
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((err: unknown) => {
  const logger: Logger = createLogger();
  logger.error('berthd failed to start', { err: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  process.exit(1);
});
