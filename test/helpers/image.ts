/**
 * The busybox test image: a docker-archive of the host's static busybox, built once per test
 * process with scripts/mkimage-busybox.mjs and loaded into each suite's daemon.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { api } from './http.js';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);

let cacheDir: string | undefined;
const built = new Map<string, Promise<string>>();

/** Builds (once per process and format/tag) the busybox archive; returns its path. */
export function busyboxArchive(opts: { tag?: string; format?: 'docker' | 'oci' | 'rootfs' } = {}): Promise<string> {
  const tag = opts.tag ?? 'busybox:latest';
  const format = opts.format ?? 'docker';
  const key = `${format}|${tag}`;
  let p = built.get(key);
  if (!p) {
    if (!cacheDir) {
      const dir = mkdtempSync(join(tmpdir(), 'berth-test-image-'));
      cacheDir = dir;
      process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    }
    const out = join(cacheDir, `${format}-${tag.replace(/[^a-zA-Z0-9]/g, '_')}.tar`);
    p = run(process.execPath, [join(REPO_ROOT, 'scripts', 'mkimage-busybox.mjs'), '--out', out, '--tag', tag, '--format', format], {
      cwd: REPO_ROOT,
    }).then(() => out);
    built.set(key, p);
  }
  return p;
}

/** Loads the busybox image (tagged `tag`, default busybox:latest) into the daemon on `socket`. */
export async function loadBusybox(socket: string, tag = 'busybox:latest'): Promise<void> {
  const archive = await busyboxArchive({ tag });
  const res = await api(socket, {
    method: 'POST',
    path: '/images/load?quiet=1',
    headers: { 'Content-Type': 'application/x-tar' },
    body: await readFile(archive),
    timeoutMs: 60_000,
  });
  if (res.status !== 200 || /"error(Detail)?"/.test(res.text)) {
    throw new Error(`loading ${tag} failed: ${res.status} ${res.text}`);
  }
}
