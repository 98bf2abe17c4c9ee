/** A recording fake of the Host seam for unit tests (no root, no processes). */
import { PassThrough } from 'node:stream';
import type { Host, HostChild, MonitorStart, RunResult } from './host.js';

export interface HostCall {
  kind: 'run' | 'spawnMonitor' | 'spawn';
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
  alive = new Set<number>();
  cmdlines = new Map<number, string>();
  fsTypes = new Map<string, number>();

  run(file: string, args: string[], opts: { cwd?: string } = {}): Promise<RunResult> {
    this.calls.push({ kind: 'run', file, args, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    return Promise.resolve(this.onRun(file, args));
  }

  spawnMonitor(file: string, args: string[], opts: { cwd: string }): Promise<MonitorStart> {
    this.calls.push({ kind: 'spawnMonitor', file, args, cwd: opts.cwd });
    return Promise.resolve(this.onMonitor(file, args));
  }

  spawn(file: string, args: string[]): HostChild {
    this.calls.push({ kind: 'spawn', file, args });
    const out = new PassThrough();
    const err = new PassThrough();
    out.end();
    err.end();
    return { pid: 1, stdin: null, stdout: out, stderr: err, exited: Promise.resolve({ code: 0, signal: null }) };
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
}
