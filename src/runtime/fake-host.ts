/** A recording fake of the Host seam for unit tests (no root, no processes). */
import { Duplex, PassThrough } from 'node:stream';
import type { Host, HostChild, MonitorPipes, MonitorStart, RunResult } from './host.js';

export interface HostCall {
  kind: 'run' | 'spawnMonitor' | 'spawnMonitorPipes' | 'spawn';
  file: string;
  args: string[];
  cwd?: string;
}

/** Scripted answers: a function of (file, args) per call kind; defaults succeed. */
export class FakeHost implements Host {
  readonly calls: HostCall[] = [];
  onRun: (file: string, args: string[]) => RunResult = () => ({ code: 0, signal: null, stdout: '', stderr: '' });
  onMonitor: (file: string, args: string[]) => MonitorStart = () => ({
    exit: { code: 0, signal: null, stdout: '', stderr: '' },
    syncLine: '{"data": 4242}',
  });
  /**
   * Scripted lines per pipe name for spawnMonitorPipes (each pipe then ends); what is written to
   * the pipes is kept in `pipeWrites`. Default: an exec session whose process (pid 4243) exits 0.
   */
  onMonitorPipes: (file: string, args: string[]) => Record<string, string[]> = () => ({
    _OCI_ATTACHPIPE: ['{"data": 0}'],
    _OCI_SYNCPIPE: ['{"data": 4243}', '{"data": 0}'],
  });
  readonly pipeWrites = new Map<string, Buffer[]>();
  alive = new Set<number>();
  cmdlines = new Map<number, string>();
  fsTypes = new Map<string, number>();
  texts = new Map<string, string>();

  run(file: string, args: string[], opts: { cwd?: string } = {}): Promise<RunResult> {
    this.calls.push({ kind: 'run', file, args, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    return Promise.resolve(this.onRun(file, args));
  }

  spawnMonitor(file: string, args: string[], opts: { cwd: string }): Promise<MonitorStart> {
    this.calls.push({ kind: 'spawnMonitor', file, args, cwd: opts.cwd });
    return Promise.resolve(this.onMonitor(file, args));
  }

  spawnMonitorPipes(file: string, args: string[], opts: { cwd: string; pipes: string[] }): MonitorPipes {
    this.calls.push({ kind: 'spawnMonitorPipes', file, args, cwd: opts.cwd });
    const script = this.onMonitorPipes(file, args);
    const pipes = opts.pipes.map((name) => {
      const lines = script[name] ?? [];
      const writes: Buffer[] = [];
      this.pipeWrites.set(name, writes);
      return new Duplex({
        read() {
          for (const l of lines.splice(0)) this.push(`${l}\n`);
          this.push(null);
        },
        write(chunk: Buffer, _enc, cb) {
          writes.push(chunk);
          cb();
        },
      });
    });
    return { pid: 4200, exit: Promise.resolve({ code: 0, signal: null, stdout: '', stderr: '' }), pipes };
  }

  spawn(file: string, args: string[]): HostChild {
    this.calls.push({ kind: 'spawn', file, args });
    const out = new PassThrough();
    const err = new PassThrough();
    out.end();
    err.end();
    return { pid: 1, stdin: null, stdout: out, stderr: err, exited: Promise.resolve({ code: 0, signal: null }) };
  }

  readonly killed: { pid: number; signal: string }[] = [];

  kill(pid: number, signal: NodeJS.Signals): boolean {
    this.killed.push({ pid, signal });
    return this.alive.has(pid);
  }

  processAlive(pid: number): boolean {
    return this.alive.has(pid);
  }

  cmdline(pid: number): Promise<string | undefined> {
    return Promise.resolve(this.cmdlines.get(pid));
  }

  fsType(path: string): Promise<number | undefined> {
    return Promise.resolve(this.fsTypes.get(path));
  }

  readText(path: string): Promise<string | undefined> {
    return Promise.resolve(this.texts.get(path));
  }

  /** FIFOs with a reader, by path; releasing one removes it. */
  fifos = new Set<string>();

  releaseFifo(path: string): Promise<boolean> {
    return Promise.resolve(this.fifos.delete(path));
  }
}
