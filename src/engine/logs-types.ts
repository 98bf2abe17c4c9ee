/** The log reader/rotator contract (implemented in src/engine/logs/). */
export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** RFC 3339 with nanoseconds, as conmon wrote it. */
  time: string;
  /** The line's bytes including its trailing '\n' (absent on a final partial line). */
  data: Buffer;
}

export interface ReadLogsOptions {
  stdout: boolean;
  stderr: boolean;
  /** Number of lines from the end; undefined or 'all' = everything. */
  tail?: number;
  /** Unix seconds (fractional allowed); entries strictly before are skipped. */
  since?: number;
  /** Unix seconds; entries at or after are skipped (and follow ends). */
  until?: number;
  /** Keep reading new lines until `signal` aborts or `stopped` resolves (and the file is drained). */
  follow?: boolean;
  stopped?: Promise<void>;
  signal?: AbortSignal;
}

export interface LogRotation {
  /** Bytes; rotate when the live file exceeds it. */
  maxSize: number;
  /** Number of files kept including the live one (>= 1). */
  maxFile: number;
}
