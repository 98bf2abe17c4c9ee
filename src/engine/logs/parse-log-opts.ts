import { invalidArgument, notImplemented } from '../../core/index.js';
import type { LogRotation } from '../logs-types.js';

/** berth's defaults (Docker's json-file defaults are unbounded; berth bounds logs by default). */
export const DEFAULT_LOG_ROTATION: Readonly<LogRotation> = Object.freeze({ maxSize: 20_000_000, maxFile: 5 });

/** The log-opt keys Docker's json-file driver accepts (moby daemon/logger/jsonfilelog ValidateLogOpt). */
const KNOWN_KEYS = new Set(['max-file', 'max-size', 'compress', 'labels', 'labels-regex', 'env', 'env-regex', 'tag']);

const SIZE_RE = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i;
const DECIMAL: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };

/**
 * Parses a size the way Docker's `units.FromHumanSize` does (decimal units: `10m` = 10,000,000
 * bytes; optional `b`/`ib` suffix, case-insensitive). Throws invalid-argument with Docker's wording.
 */
export function parseHumanSize(s: string): number {
  const m = SIZE_RE.exec(s);
  if (!m || m[1] === undefined) throw invalidArgument(`invalid size: '${s}'`);
  if (!/^\d+(\.\d+)?$/.test(m[1])) throw invalidArgument(`strconv.ParseFloat: parsing "${m[1]}": invalid syntax`);
  const mul = m[2] ? (DECIMAL[m[2].toLowerCase()] ?? 1) : 1;
  return Math.trunc(Number(m[1]) * mul);
}

/**
 * Turns a container's `HostConfig.LogConfig.Config` (or daemon.json `log-opts`) into a rotation
 * policy, with Docker's syntax: `max-size` (`100k`, `10m`, `1g`, bytes) and `max-file` (integer
 * ≥ 1). Unset keys take `defaults` (berth: 20m and 5). Other json-file keys (labels, env, tag…)
 * are accepted and ignored. Throws invalid-argument with Docker's messages (moby jsonfilelog
 * New/ValidateLogOpt), not-implemented for `compress=true`.
 */
export function parseLogOpts(
  opts: Record<string, string>,
  defaults: Readonly<LogRotation> = DEFAULT_LOG_ROTATION,
  driver = 'json-file',
): LogRotation {
  for (const key of Object.keys(opts)) {
    if (!KNOWN_KEYS.has(key)) throw invalidArgument(`unknown log opt '${key}' for ${driver} log driver`);
  }
  let maxSize = defaults.maxSize;
  const size = opts['max-size'];
  if (size !== undefined) {
    maxSize = parseHumanSize(size);
    if (maxSize <= 0) throw invalidArgument('max-size must be a positive number');
  }
  let maxFile = defaults.maxFile;
  const files = opts['max-file'];
  if (files !== undefined) {
    if (!/^[+-]?\d+$/.test(files)) throw invalidArgument(`strconv.Atoi: parsing "${files}": invalid syntax`);
    maxFile = Number(files);
    if (maxFile < 1) throw invalidArgument('max-file cannot be less than 1');
  }
  const compress = opts['compress'];
  if (compress !== undefined) {
    const v = parseGoBool(compress);
    if (v === undefined) throw invalidArgument(`strconv.ParseBool: parsing "${compress}": invalid syntax`);
    if (v) throw notImplemented('log-opt compress is not supported by berth');
  }
  return { maxSize, maxFile };
}

function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}
