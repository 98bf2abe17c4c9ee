/**
 * Runs the real docker CLI, or the berth CLI, against a test daemon, and captures the result.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BERTH_BIN, DOCKER_BIN, REPO_ROOT } from './paths.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Written to stdin, then closed (stdin is /dev/null otherwise). */
  input?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

let configDir: string | undefined;
/** A private, empty DOCKER_CONFIG, so no user config, credentials or contexts interfere. */
function dockerConfig(): string {
  if (!configDir) {
    const dir = mkdtempSync(join(tmpdir(), 'berth-test-dockercfg-'));
    configDir = dir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return configDir;
}

/** Runs a program and collects its exit code and output. A timeout kills it (code 124-like: -1). */
export function runProgram(cmd: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd ?? REPO_ROOT,
      env: { PATH: process.env['PATH'] ?? '/usr/sbin:/usr/bin:/sbin:/bin', HOME: process.env['HOME'] ?? '/root', ...opts.env },
      stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (c: Buffer) => out.push(c));
    child.stderr?.on('data', (c: Buffer) => err.push(c));
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        code: code ?? (signal ? -1 : 0),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
}

/** Asserts exit code 0 (showing the output otherwise) and returns the result. */
export function ok(r: CliResult, what = ''): CliResult {
  assert.equal(r.code, 0, `${what} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** The real docker CLI with DOCKER_HOST pointing at `host` (unix://…). */
export function docker(host: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runProgram(DOCKER_BIN, args, {
    ...opts,
    env: { DOCKER_HOST: host, DOCKER_CONFIG: dockerConfig(), DOCKER_CLI_HINTS: 'false', ...opts.env },
  });
}

/** The berth CLI (`node bin/berth -H host …`). */
export function berth(host: string, args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return runProgram(process.execPath, [BERTH_BIN, '-H', host, ...args], opts);
}

/** A CLI runner bound to one daemon: the same tests drive docker and berth. */
export type Cli = (args: string[], opts?: CliOptions) => Promise<CliResult>;

export function cliFor(kind: 'docker' | 'berth', host: string): Cli {
  return (args, opts) => (kind === 'docker' ? docker(host, args, opts) : berth(host, args, opts));
}

/** Quotes a string for a POSIX shell command line. */
function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The client as a shell command prefix bound to one daemon, for terminals (tmux) and pipelines:
 * `bin/berth -H …` (run through its launcher, as users do) or the docker CLI with DOCKER_HOST.
 */
export function clientCommand(kind: 'docker' | 'berth', host: string, dockerConfigDir = dockerConfig()): string {
  return kind === 'berth'
    ? `${shellQuote(BERTH_BIN)} -H ${shellQuote(host)}`
    : `env DOCKER_HOST=${shellQuote(host)} DOCKER_CONFIG=${shellQuote(dockerConfigDir)} DOCKER_CLI_HINTS=false ${shellQuote(DOCKER_BIN)}`;
}

/** A name unique in this process, for containers and images of one test. */
let seq = 0;
export function uniqueName(prefix = 't'): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}
