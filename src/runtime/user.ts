/**
 * Docker's `-u` resolution against a container's /etc/passwd and /etc/group (the semantics of
 * runc's libcontainer/user.GetExecUser as Docker uses it): name, uid, name:group, uid:gid, ...
 */
import { readFileSync, realpathSync } from 'node:fs';
import { join, sep } from 'node:path';
import { invalidArgument } from '../core/index.js';

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const MAX_ID = 2147483647;

function parseLines(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((l) => l.split(':'));
}

function parsePasswd(text: string): PasswdEntry[] {
  return parseLines(text).flatMap((f) => {
    const uid = Number(f[2]);
    const gid = Number(f[3]);
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) return [];
    return [{ name: f[0] ?? '', uid, gid, home: f[5] ?? '' }];
  });
}

function parseGroup(text: string): GroupEntry[] {
  return parseLines(text).flatMap((f) => {
    const gid = Number(f[2]);
    if (!Number.isInteger(gid)) return [];
    const members = (f[3] ?? '').split(',').map((m) => m.trim()).filter((m) => m !== '');
    return [{ name: f[0] ?? '', gid, members }];
  });
}

function numeric(s: string): number | undefined {
  return /^[0-9]+$/.test(s) ? Number(s) : undefined;
}

function checkRange(id: number): void {
  if (id > MAX_ID) throw invalidArgument(`uids and gids must be in range 0-${MAX_ID}`);
}

/**
 * Resolves a docker `-u` value. `passwd`/`group` are the file contents (undefined when the image
 * has none). Throws 'invalid-argument' with Docker's wording for unknown names.
 */
export function resolveUser(spec: string, passwd: string | undefined, group: string | undefined): ResolvedUser {
  const [userArg = '', groupArg = ''] = splitOnce(spec.trim());
  const users = parsePasswd(passwd ?? '');
  const groups = parseGroup(group ?? '');
  let uid = 0;
  let gid = 0;
  let home = '/';
  let name: string | undefined;

  const userNum = numeric(userArg);
  const found =
    userArg === ''
      ? users.find((u) => u.uid === 0)
      : users.find((u) => (userNum === undefined ? u.name === userArg : u.uid === userNum));
  if (found) {
    ({ uid, gid, name } = found);
    home = found.home || '/';
  } else if (userArg !== '') {
    if (userNum === undefined) {
      throw invalidArgument(`unable to find user ${userArg}: no matching entries in passwd file`);
    }
    uid = userNum;
  }
  checkRange(uid);

  let additionalGids: number[] = [];
  if (groupArg !== '') {
    const groupNum = numeric(groupArg);
    const g = groups.find((e) => (groupNum === undefined ? e.name === groupArg : e.gid === groupNum));
    if (g) gid = g.gid;
    else if (groupNum !== undefined) gid = groupNum;
    else throw invalidArgument(`unable to find group ${groupArg}: no matching entries in group file`);
    checkRange(gid);
  } else if (name !== undefined) {
    const member = name;
    additionalGids = groups.filter((g) => g.members.includes(member)).map((g) => g.gid);
  }
  return { uid, gid, additionalGids: [...new Set(additionalGids)], home };
}

function splitOnce(s: string): [string, string] {
  const i = s.indexOf(':');
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** Adds HOME from the resolved user when the environment has none (as Docker does). */
export function withHome(env: string[], home: string): string[] {
  return env.some((e) => e.startsWith('HOME=')) ? env : [...env, `HOME=${home}`];
}

/**
 * Reads a file inside a rootfs without following symlinks out of it; undefined if missing or
 * if it resolves outside the rootfs.
 */
export function readInRootfs(rootfs: string, path: string): Promise<string | undefined> {
  // Synchronous: two small files in the page cache on every start and exec, where the thread
  // pool's round trips (realpath twice, open, stat, read, close) cost more than the reads.
  try {
    const root = realpathSync.native(rootfs);
    const real = realpathSync.native(join(root, path));
    if (real !== root && !real.startsWith(root + sep)) return Promise.resolve(undefined);
    return Promise.resolve(readFileSync(real, 'utf8'));
  } catch {
    return Promise.resolve(undefined);
  }
}

/** Resolves a `-u` value against the passwd/group files of a mounted rootfs. */
export async function resolveUserInRootfs(rootfs: string, spec: string): Promise<ResolvedUser> {
  const [passwd, group] = await Promise.all([
    readInRootfs(rootfs, '/etc/passwd'),
    readInRootfs(rootfs, '/etc/group'),
  ]);
  return resolveUser(spec, passwd, group);
}
