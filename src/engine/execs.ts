/**
 * Exec instances: POST /containers/{id}/exec, /exec/{id}/start, /exec/{id}/json.
 * Kept in memory, as Docker does; a process runs through the runtime (`runc exec`).
 */
import { conflict, newId, notFound, invalidArgument, type Logger } from '../core/index.js';
import type { ExecCreateBody, ExecInspect } from '../protocol/index.js';
import type { ContainerRuntime } from '../runtime/types.js';
import type { ClientStream } from './client-stream.js';
import { mergeEnv } from './config-merge.js';
import type { Containers } from './containers.js';
import type { ContainerStore } from './store.js';

interface ExecRecord {
  id: string;
  containerId: string;
  body: ExecCreateBody;
  started: boolean;
  running: boolean;
  exitCode: number | null;
  pid: number;
}

export class Execs {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(private readonly d: { store: ContainerStore; containers: Containers; runtime: ContainerRuntime; logger: Logger }) {}

  create(ref: string, body: ExecCreateBody): string {
    const rec = this.d.store.get(ref);
    if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw invalidArgument('No exec command specified');
    if (!this.d.containers.isRunning(rec)) throw conflict(`container ${rec.id} is not running`);
    if (rec.state.status === 'paused') throw conflict(`Container ${rec.id} is paused, unpause the container before exec`);
    const id = newId();
    this.execs.set(id, { id, containerId: rec.id, body, started: false, running: false, exitCode: null, pid: 0 });
    return id;
  }

  get(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw notFound(`No such exec instance: ${id}`);
    return e;
  }

  idsFor(containerId: string): string[] {
    return [...this.execs.values()].filter((e) => e.containerId === containerId).map((e) => e.id);
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

  /** Starts the process; with a client, streams it; resolves once it is running. */
  async start(id: string, client: ClientStream | undefined): Promise<void> {
    const e = this.checkStart(id);
    e.started = true;
    const rec = this.d.store.get(e.containerId);
    const b = e.body;
    const proc = await this.d.runtime.exec(rec.id, {
      args: b.Cmd,
      env: mergeEnv(rec.config.Env, b.Env),
      cwd: b.WorkingDir || rec.config.WorkingDir || '/',
      user: b.User || rec.config.User || '',
      tty: b.Tty ?? false,
      openStdin: (b.AttachStdin ?? false) && client !== undefined,
      privileged: b.Privileged ?? false,
      ...(client === undefined ? { detach: true } : {}),
    });
    e.running = true;
    e.pid = proc.pid;
    let outputsOpen = 2;
    let exitCode: number | undefined;
    const finish = (): void => {
      if (outputsOpen === 0 && exitCode !== undefined) client?.end();
    };
    for (const [stream, readable] of [[1, proc.stdout], [2, proc.stderr]] as const) {
      const wanted = client && (stream === 1 ? b.AttachStdout : b.AttachStderr);
      readable.on('data', (d: Buffer) => wanted && client.write(stream, d));
      readable.on('end', () => {
        outputsOpen--;
        finish();
      });
      readable.on('error', () => {});
    }
    if (client && proc.stdin) {
      const stdin = proc.stdin;
      stdin.on('error', () => {});
      client.onInput((d) => stdin.write(d));
      client.onInputEnd(() => stdin.end());
      client.onClose(() => stdin.destroy());
    } else proc.stdin?.end();
    void proc.exited.then((code) => {
      e.running = false;
      e.exitCode = code;
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
