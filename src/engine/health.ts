/**
 * Healthchecks (HEALTHCHECK / --health-*): a probe run in the container every interval, the
 * status starting → healthy / unhealthy after `retries` failures in a row (failures during the
 * start period do not count), the last five results kept, `health_status` events — as Docker's
 * daemon/health.go behaves.
 */
import type { HealthConfig } from '../protocol/index.js';
import type { ContainerRecord } from './record.js';

const NS = 1_000_000;
const DEFAULTS = { interval: 30_000, timeout: 30_000, retries: 3, startPeriod: 0 };
const MAX_OUTPUT = 4096;
const KEEP = 5;

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthLogEntry[];
}

/** The probe command for a Test, or undefined when there is none (`NONE`, empty). */
export function probeCommand(test: readonly string[] | undefined): string[] | undefined {
  if (!test || test.length === 0 || test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') return test.length > 1 ? test.slice(1) : undefined;
  if (test[0] === 'CMD-SHELL') return test[1] ? ['/bin/sh', '-c', test[1]] : undefined;
  return undefined;
}

/** Interval, timeout, retries and start period in ms, with Docker's defaults for zeros. */
export function healthTimings(h: HealthConfig): typeof DEFAULTS {
  return {
    interval: h.Interval ? h.Interval / NS : DEFAULTS.interval,
    timeout: h.Timeout ? h.Timeout / NS : DEFAULTS.timeout,
    retries: h.Retries ? h.Retries : DEFAULTS.retries,
    startPeriod: h.StartPeriod ? h.StartPeriod / NS : DEFAULTS.startPeriod,
  };
}

/**
 * The next state after a probe. `inStartPeriod` failures leave the status and streak alone
 * (Docker: they do not count), a success makes it healthy.
 */
export function nextHealth(prev: HealthState, result: HealthLogEntry, retries: number, inStartPeriod: boolean): HealthState {
  const Log = [...prev.Log, result].slice(-KEEP);
  if (result.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  if (inStartPeriod && prev.Status === 'starting') return { ...prev, Log };
  const FailingStreak = prev.FailingStreak + 1;
  return { Status: FailingStreak >= retries ? 'unhealthy' : prev.Status, FailingStreak, Log };
}

export interface ProbeResult {
  exitCode: number;
  output: string;
}

export interface HealthDeps {
  /** Runs the probe in the container; resolves with its exit code and output (or rejects). */
  probe(rec: ContainerRecord, cmd: string[], timeoutMs: number): Promise<ProbeResult>;
  /** Persists the record (after a state change). */
  save(rec: ContainerRecord): Promise<void>;
  /** health_status events. */
  emit(rec: ContainerRecord, status: string): void;
}

/** One timer per running container with a healthcheck. */
export class HealthMonitor {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly d: HealthDeps) {}

  /** Starts probing a container that just started (or was re-adopted). */
  start(rec: ContainerRecord, opts: { resume?: boolean } = {}): void {
    this.stop(rec.id);
    const h = rec.config.Healthcheck;
    const cmd = probeCommand(h?.Test ?? undefined);
    if (!h || !cmd) {
      delete rec.state.health;
      return;
    }
    const t = healthTimings(h);
    if (!opts.resume || !rec.state.health) rec.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
    const startedAt = Date.parse(rec.state.startedAt);
    const tick = async () => {
      const begin = new Date();
      let result: ProbeResult;
      try {
        result = await this.d.probe(rec, cmd, t.timeout);
      } catch (err) {
        result = { exitCode: -1, output: err instanceof Error ? err.message : String(err) };
      }
      if (!this.timers.has(rec.id)) return; // stopped meanwhile
      const entry: HealthLogEntry = {
        Start: begin.toISOString(), End: new Date().toISOString(), ExitCode: result.exitCode, Output: result.output.slice(0, MAX_OUTPUT),
      };
      const prev = rec.state.health ?? { Status: 'starting' as const, FailingStreak: 0, Log: [] };
      const next = nextHealth(prev, entry, t.retries, Date.now() - startedAt < t.startPeriod);
      rec.state.health = next;
      await this.d.save(rec).catch(() => {});
      if (next.Status !== prev.Status) this.d.emit(rec, next.Status);
      if (this.timers.has(rec.id)) this.timers.set(rec.id, setTimeout(() => void tick(), t.interval).unref());
    };
    this.timers.set(rec.id, setTimeout(() => void tick(), t.interval).unref());
  }

  stop(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  close(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
