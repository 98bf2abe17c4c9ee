/**
 * Named network namespaces (`ip netns`), one per container: /run/netns/<name> outlives the
 * container's processes, so that teardown always finds the interfaces it must remove.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { EngineError, errorMessage, type Logger } from '../core/index.js';
import type { CommandRunner } from './netavark.js';

const NETNS_DIR = '/run/netns';

export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 16)}`;
}

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** Creates the namespace (replacing a stale one of the same name) with loopback up. */
export async function createNetns(runner: CommandRunner, name: string): Promise<string> {
  let r = await runner.run('ip', ['netns', 'add', name]);
  if (r.code !== 0 && /exists/i.test(r.stderr)) {
    await runner.run('ip', ['netns', 'delete', name]);
    r = await runner.run('ip', ['netns', 'add', name]);
  }
  if (r.code !== 0) throw new EngineError('internal', `could not create network namespace ${name}: ${r.stderr.trim()}`);
  return netnsPath(name);
}

/** Deletes the namespace; its interfaces go with it. Idempotent. */
export async function deleteNetns(runner: CommandRunner, path: string): Promise<void> {
  const name = path.startsWith(`${NETNS_DIR}/`) ? path.slice(NETNS_DIR.length + 1) : path;
  const r = await runner.run('ip', ['netns', 'delete', name]);
  if (r.code !== 0 && !/No such file/i.test(r.stderr)) {
    throw new EngineError('internal', `could not delete network namespace ${name}: ${r.stderr.trim()}`);
  }
}

/** The name prefix of the spare namespaces of the daemon whose network exec dir is `execDir`. */
export function poolPrefix(execDir: string): string {
  return `berth-pool-${createHash('sha256').update(execDir).digest('hex').slice(0, 10)}-`;
}

/** How long after a start takes a spare the next one is made (see NetnsPool.take). */
const REFILL_DELAY_MS = 60;

/**
 * Namespaces made ahead of time. A container's namespace must exist before its runtime is created
 * (config.json names it) and before netavark can set it up, so `ip netns add` (3–5 ms, more with
 * a large mount table) was on every start's critical path; now a start takes a spare one and a
 * new spare is made in the background while the container starts. A spare's name carries this
 * daemon's prefix (poolPrefix), so that what a killed daemon left is found and deleted.
 */
export class NetnsPool {
  private readonly ready: string[] = [];
  private filling: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly runner: CommandRunner,
    private readonly prefix: string,
    private readonly logger: Logger,
    private readonly size = 2,
    /** Whether a namespace file still exists (someone may have run `ip netns delete` on a spare). */
    private readonly exists: (path: string) => boolean = existsSync,
  ) {}

  /**
   * A ready namespace: a spare, or one made now named `name` when none is left. The spare that
   * replaces it is made a little later, not while this start's runtime and netavark need the CPU.
   */
  async take(name: string): Promise<string> {
    let spare = this.ready.shift();
    while (spare !== undefined && !this.exists(spare)) spare = this.ready.shift();
    setTimeout(() => this.refill(), REFILL_DELAY_MS).unref();
    return spare ?? createNetns(this.runner, name);
  }

  /** Makes spares until there are `size` of them (in the background). */
  refill(): void {
    if (this.filling || this.closed) return;
    this.filling = (async () => {
      while (!this.closed && this.ready.length < this.size) {
        const path = await createNetns(this.runner, `${this.prefix}${randomBytes(4).toString('hex')}`);
        if (this.closed) await deleteNetns(this.runner, path).catch(() => {});
        else this.ready.push(path);
      }
    })()
      .catch((err) => this.logger.warn('could not make a spare network namespace', { err: errorMessage(err) }))
      .finally(() => {
        this.filling = undefined;
      });
  }

  /** Deletes this daemon's spares, and any a killed daemon left (names not in `inUse`). */
  async sweep(inUse: ReadonlySet<string>): Promise<void> {
    let names: string[];
    try {
      names = readdirSync(NETNS_DIR);
    } catch {
      return;
    }
    for (const name of names) {
      const path = netnsPath(name);
      if (name.startsWith(this.prefix) && !inUse.has(path) && !this.ready.includes(path)) {
        await deleteNetns(this.runner, path).catch(() => {});
      }
    }
  }

  /** Daemon shutdown: no more spares; the unused ones are deleted. */
  async close(): Promise<void> {
    this.closed = true;
    await this.filling;
    for (const path of this.ready.splice(0)) await deleteNetns(this.runner, path).catch(() => {});
  }
}
