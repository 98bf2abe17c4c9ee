/**
 * The stat of a path in a container as the Engine API reports it: the JSON of moby's
 * `container.PathStat`, base64-encoded in the `X-Docker-Container-Path-Stat` header.
 */
import { constants, type BigIntStats } from 'node:fs';

/** moby's container.PathStat. `mode` is Go's os.FileMode; `mtime` RFC 3339 with nanoseconds. */
export interface PathStat {
  readonly name: string;
  readonly size: number;
  readonly mode: number;
  readonly mtime: string;
  readonly linkTarget: string;
}

/** Go's os.FileMode type bits. */
export const GO_MODE = {
  dir: 2 ** 31,
  symlink: 2 ** 27,
  device: 2 ** 26,
  namedPipe: 2 ** 25,
  socket: 2 ** 24,
  setuid: 2 ** 23,
  setgid: 2 ** 22,
  charDevice: 2 ** 21,
  sticky: 2 ** 20,
  irregular: 2 ** 19,
} as const;

/** Go's os.FileMode of a Unix st_mode (what os.Lstat(...).Mode() answers). */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  switch (mode & constants.S_IFMT) {
    case constants.S_IFDIR: m += GO_MODE.dir; break;
    case constants.S_IFLNK: m += GO_MODE.symlink; break;
    case constants.S_IFBLK: m += GO_MODE.device; break;
    case constants.S_IFCHR: m += GO_MODE.device + GO_MODE.charDevice; break;
    case constants.S_IFIFO: m += GO_MODE.namedPipe; break;
    case constants.S_IFSOCK: m += GO_MODE.socket; break;
    default: break;
  }
  if (mode & 0o4000) m += GO_MODE.setuid;
  if (mode & 0o2000) m += GO_MODE.setgid;
  if (mode & 0o1000) m += GO_MODE.sticky;
  return m;
}

/** A time in nanoseconds since the epoch as Go's time.Time marshals to JSON (UTC, RFC 3339Nano). */
export function goTime(ns: bigint): string {
  const secs = ns / 1_000_000_000n - (ns % 1_000_000_000n < 0n ? 1n : 0n);
  const frac = ns - secs * 1_000_000_000n;
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const nanos = frac === 0n ? '' : `.${frac.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${nanos}Z`;
}

/** Go's filepath.Base: the last element, trailing slashes ignored; `/` for the root, `.` for ''. */
export function goBase(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** The PathStat of a file from its lstat (bigint, for nanosecond mtimes). */
export function pathStat(name: string, st: BigIntStats, linkTarget: string): PathStat {
  return { name, size: Number(st.size), mode: goFileMode(Number(st.mode)), mtime: goTime(st.mtimeNs), linkTarget };
}

/** The value of the X-Docker-Container-Path-Stat header. */
export function encodePathStat(stat: PathStat): string {
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

/** Whether a Go FileMode is a directory. */
export function isGoDir(mode: number): boolean {
  return mode >= GO_MODE.dir;
}
