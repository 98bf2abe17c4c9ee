/**
 * Exec instances: POST /containers/{id}/exec, /exec/{id}/start, /exec/{id}/json.
 * Kept in memory, as Docker does; a process runs through the runtime (`runc exec`).
 * As in Docker, an exec leaves its container's ExecIDs when it exits but stays inspectable for
 * a while: records exited for longer than KEEP_EXITED_MS go at the next sweep. Without this, a
 * container's records and its inspect grew with every exec ever run (health checks, scripts).
 */
import { conflict, newId, notFound, invalidArgument, type Logger } from '../core/index.js';
import type { ExecCreateBody, ExecInspect } from '../protocol/index.js';
import type { ContainerRuntime, ExecProcess, ExecSpec } from '../runtime/types.js';
import type { ClientStream } from './client-stream.js';
import { mergeEnv } from './config-merge.js';
import { DetachScanner, parseDetachKeys } from './detach-keys.js';
import type { Containers } from './containers.js';
import type { ContainerStore } from './store.js';

interface ExecRecord {
  id: string;
  /** Resizes the exec's TTY while it runs. */
  resize?: (height: number, width: number) => Promise<void>;
  containerId: string;
  body: ExecCreateBody;
  started: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
  /** When the process exited (or failed to start), by the Execs clock. */
  exitedAt?: number;
}

/** How long an exited exec stays inspectable (Docker's exec GC: between 5 and 10 minutes). */
export const KEEP_EXITED_MS = 5 * 60_000;

export class Execs {
  private readonly execs = new Map<string, ExecRecord>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly d: {
    store: ContainerStore; containers: Containers; runtime: ContainerRuntime; logger: Logger;
    /** The daemon's default detach keys (daemon.json `detach-keys`). */
    detachKeys: Buffer;
    /** Clock in ms (tests). */
    now?: () => number;
  }) {}

  create(ref: string, body: ExecCreateBody): string {
    const rec = this.d.store.get(ref);
    if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw invalidArgument('No exec command specified');
    if (rec.state.status === 'paused') throw conflict(`Container ${rec.id} is paused, unpause the container before exec`);
    if (!this.d.containers.isRunning(rec)) throw conflict(`container ${rec.id} is not running`);
    const id = newId();
    this.execs.set(id, { id, containerId: rec.id, body, started: false, running: false, exitCode: null, pid: 0 });
    return id;
  }

  get(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  /** A container's ExecIDs: its execs that have not exited (created or running), as in Docker. */
  idsFor(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId && e.exitedAt === undefined).map((e) => e.id);
  }

  /** Drops the records of execs that exited more than KEEP_EXITED_MS ago. */
  sweep(): void {
    const cutoff = this.now() - KEEP_EXITED_MS;
    for (const e of this.execs.values()) if (e.exitedAt !== undefined && e.exitedAt <= cutoff) this.execs.delete(e.id);
  }

  private now(): number {
    return this.d.now?.() ?? Date.now();
  }

  private markExited(e: ExecRecord): void {
    e.exitedAt = this.now();
    this.sweeper ??= setInterval(() => this.sweep(), KEEP_EXITED_MS).unref();
  }

  /** Drops the exec records of a removed container. */
  forget(containerId: string): void {
    for (const e of this.execs.values()) if (e.containerId === containerId) this.execs.delete(e.id);
  }

  /** Validates that an exec can start (before the API hijacks the connection). */
  checkStart(id: string): ExecRecord {
    const e = this.get(id);
    if (e.started) throw conflict(`Error: Exec command ${id} has already run`);
    const rec = this.d.store.get(e.containerId);
    if (!this.d.containers.isRunning(rec)) throw conflict(`container ${rec.id} is not running`);
    return e;
  }

  /**
   * Starts the process; with a client, streams it; resolves once it is running. With a TTY the
   * detach keys end the client's stream and leave the process running; the client's stdin EOF
   * closes the process's stdin without a TTY, and ends the stream with one (moby's rule).
   */
  async start(id: string, client: ClientStream | undefined, opts: { consoleSize?: [number, number] } = {}): Promise<void> {
    const e = this.checkStart(id);
    const b = e.body;
    const tty = b.Tty ?? false;
    const keys = tty && client && b.AttachStdin ? (b.DetachKeys ? parseDetachKeys(b.DetachKeys) : this.d.detachKeys) : undefined;
    e.started = true;
    const rec = this.d.store.get(e.containerId);
    const size = opts.consoleSize ?? b.ConsoleSize ?? undefined;
    const spec: ExecSpec = {
      args: b.Cmd,
      env: mergeEnv(rec.config.Env, b.Env),
      cwd: b.WorkingDir || rec.config.WorkingDir || '/',
      user: b.User || rec.config.User || '',
      tty,
      openStdin: (b.AttachStdin ?? false) && client !== undefined,
      privileged: b.Privileged ?? false,
      ...(client === undefined ? { detach: true } : {}),
      ...(tty && size && size[0] > 0 && size[1] > 0 ? { consoleSize: [size[0], size[1]] as [number, number] } : {}),
    };
    let proc: ExecProcess;
    try {
      proc = await this.d.runtime.exec(rec.id, spec);
    } catch (err) {
      this.markExited(e); // never ran: out of the container's ExecIDs, as in Docker
      throw err;
    }
    e.running = true;
    e.pid = proc.pid;
    if (proc.resize) e.resize = (h, w) => proc.resize!(h, w);
    let outputsOpen = 2;
    let exitCode: number | undefined;
    let ended = false;
    const endClient = (): void => {
      if (ended) return;
      ended = true;
      client?.end();
    };
    const finish = (): void => {
      if (outputsOpen === 0 && exitCode !== undefined) endClient();
    };
    for (const [stream, readable] of [[1, proc.stdout], [2, proc.stderr]] as const) {
      const wanted = client && (stream === 1 ? b.AttachStdout : b.AttachStderr);
      readable.on('data', (d: Buffer) => wanted && !ended && client.write(stream, d));
      readable.on('end', () => {
        outputsOpen--;
        finish();
      });
      readable.on('error', () => {});
    }
    if (client && proc.stdin) {
      const stdin = proc.stdin;
      const scanner = keys ? new DetachScanner(keys) : undefined;
      stdin.on('error', () => {});
      client.onInput((d) => {
        if (ended) return;
        const r = scanner ? scanner.push(d) : { forward: d, detach: false };
        if (r.forward.length > 0) stdin.write(r.forward);
        if (r.detach) endClient();
      });
      client.onInputEnd(() => (tty ? endClient() : stdin.end()));
      client.onClose(() => {
        if (!tty) stdin.destroy();
      });
    } else proc.stdin?.end();
    void proc.exited.then((code) => {
      e.running = false;
      e.exitCode = code;
      this.markExited(e);
      delete e.resize;
      exitCode = code;
      this.d.logger.debug('exec exited', { container: rec.id, exec: id, exitCode: code });
      // output pipes may outlive the process when it left children holding them
      setTimeout(() => {
        outputsOpen = 0;
        finish();
      }, 2000).unref();
      finish();
    });
  }

  /** POST /exec/{id}/resize */
  async resize(id: string, height: number, width: number): Promise<void> {
    const e = this.get(id);
    if (!e.body.Tty) throw invalidArgument(`exec ${id} has no TTY to resize`);
    if (!e.resize) throw conflict(`exec ${id} is not running`);
    await e.resize(height, width);
  }

  inspect(id: string): ExecInspect {
    const e = this.get(id);
    const b = e.body;
    return {
      CanRemove: false,
      DetachKeys: b.DetachKeys ?? '',
      ID: e.id,
      Running: e.running,
      ExitCode: e.exitCode,
      ProcessConfig: {
        privileged: b.Privileged ?? false, user: b.User ?? '', tty: b.Tty ?? false,
        entrypoint: b.Cmd[0] ?? '', arguments: b.Cmd.slice(1),
      },
      OpenStdin: b.AttachStdin ?? false,
      OpenStderr: b.AttachStderr ?? false,
      OpenStdout: b.AttachStdout ?? false,
      ContainerID: e.containerId,
      Pid: e.pid,
    };
  }
}
