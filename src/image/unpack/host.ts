import { execFile } from 'node:child_process';
import { lchownSync } from 'node:fs';
import { promisify } from 'node:util';
import { setAttribute } from 'fs-xattr';

const run = promisify(execFile);

/** A device or FIFO node to create. */
export interface NodeSpec {
  readonly type: 'c' | 'b' | 'p';
  readonly major: number;
  readonly minor: number;
  /** Permission bits (0o7777). */
  readonly mode: number;
}

/**
 * The privileged calls unpacking makes, behind a seam so tests without root can record them.
 * Paths given are always already checked to lie inside the layer with no symlinked parents.
 * Methods may complete synchronously (lchown is one syscall of a few microseconds).
 */
export interface UnpackHost {
  /** Creates a device node or FIFO (Node has no mknod(2)). */
  mknod(path: string, node: NodeSpec): Promise<void>;
  /** Sets an extended attribute on a file or directory (not a symlink). */
  setXattr(path: string, name: string, value: Buffer): Promise<void>;
  /** Changes ownership without following a final symlink. */
  lchown(path: string, uid: number, gid: number): Promise<void> | void;
}

/** The real host: /usr/bin/mknod, fs-xattr, lchown(2). Needs root for most of it. */
export const realUnpackHost: UnpackHost = {
  async mknod(path, node) {
    const mode = (node.mode & 0o7777).toString(8);
    const args = node.type === 'p' ? ['-m', mode, path, 'p'] : ['-m', mode, path, node.type, String(node.major), String(node.minor)];
    await run('/usr/bin/mknod', args);
  },
  async setXattr(path, name, value) {
    await setAttribute(path, name, value);
  },
  lchown(path, uid, gid) {
    lchownSync(path, uid, gid);
  },
};
