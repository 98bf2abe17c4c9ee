/** The OCI runtime's CLI (runc/crun share it): start, kill, delete, ps. */
import { join } from 'node:path';
import type { Logger } from '../core/index.js';
import { z } from 'zod';
import type { Host, RunResult } from './host.js';
import { runtimeError } from './runc-error.js';
import type { RuntimeLauncher } from './detect.js';

export class RuntimeCli {
  constructor(
    private readonly host: Host,
    readonly path: string,
    /** State root (`--root`), private to this daemon's exec root. */
    readonly root: string,
    private readonly log: Logger,
    readonly name: 'runc' | 'crun' = 'runc',
    /** How conmon runs the runtime for `create` when not directly (see DetectedRuntime). */
    private readonly createLauncher?: RuntimeLauncher,
  ) {}

  /** The program and leading arguments conmon runs for `create` (global flags included). */
  createCommand(): { path: string; args: string[] } {
    if (!this.createLauncher) return { path: this.path, args: this.globalArgs() };
    return { path: this.createLauncher.path, args: [...this.createLauncher.args, this.path, ...this.globalArgs()] };
  }

  /**
   * The FIFO a created container's init waits on until it is started (runc and crun both keep
   * it in the container's state dir and remove it at start).
   */
  execFifo(id: string): string {
    return join(this.root, id, 'exec.fifo');
  }

  /** Global flags that must precede every runtime command (also passed to conmon). */
  globalArgs(): string[] {
    return [`--root=${this.root}`];
  }

  private async call(args: string[]): Promise<RunResult> {
    const full = [...this.globalArgs(), ...args];
    const t0 = performance.now();
    const r = await this.host.run(this.path, full);
    this.log.debug('runtime call', { args: full, code: r.code, ms: Math.round(performance.now() - t0) });
    return r;
  }

  private async checked(args: string[], what: string): Promise<RunResult> {
    const r = await this.call(args);
    if (r.code !== 0) throw runtimeError(r.stderr, `${what} failed (exit ${r.code})`);
    return r;
  }

  /**
   * `runtime start <id>`. For crun, berthd does what `crun start` does itself: crun's create
   * leaves the container's init blocked on `<root>/<id>/exec.fifo`, and start writes one byte
   * into it and removes it (berth sets no poststart hooks and no notify socket, the only other
   * things crun start handles). That saves a process start (~4 ms). When the FIFO is gone or its
   * reader died, `crun start` runs after all and reports the error in its own words.
   */
  async start(id: string): Promise<void> {
    if (this.name === 'crun' && (await this.host.releaseFifo(this.execFifo(id)))) {
      this.log.debug('runtime call', { args: ['start', id], via: 'exec.fifo' });
      return;
    }
    await this.checked(['start', id], 'start');
  }

  /** `runtime kill <id> <signal>`. */
  async kill(id: string, signal: number): Promise<void> {
    await this.checked(['kill', id, String(signal)], 'kill');
  }

  /** `runtime update --resources <file> <id>`: new cgroup limits from a JSON file. */
  async update(id: string, resourcesFile: string): Promise<void> {
    await this.checked(['update', '--resources', resourcesFile, id], 'update');
  }

  /** `runtime pause <id>` / `runtime resume <id>` (cgroup freezer). */
  async pause(id: string): Promise<void> {
    await this.checked(['pause', id], 'pause');
  }

  async resume(id: string): Promise<void> {
    await this.checked(['resume', id], 'resume');
  }

  /** `runtime delete [--force] <id>`; true if deleted, false if it did not exist. */
  async delete(id: string, force: boolean): Promise<boolean> {
    const r = await this.call(['delete', ...(force ? ['--force'] : []), id]);
    if (r.code === 0) return true;
    if (/does not exist|not found|no such file/i.test(r.stderr)) return false;
    throw runtimeError(r.stderr, `delete failed (exit ${r.code})`);
  }

  /** `runtime ps --format json <id>`: host pids of the container's processes. */
  async ps(id: string): Promise<number[]> {
    const r = await this.checked(['ps', '--format', 'json', id], 'ps');
    const parsed = z.array(z.number().int()).nullable().safeParse(JSON.parse(r.stdout || '[]'));
    return parsed.success ? (parsed.data ?? []) : [];
  }
}
