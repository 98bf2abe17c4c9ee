/**
 * Named network namespaces (`ip netns`), one per container: /run/netns/<name> outlives the
 * container's processes, so that teardown always finds the interfaces it must remove.
 */
import { EngineError } from '../core/index.js';
import type { CommandRunner } from './netavark.js';

const NETNS_DIR = '/run/netns';

export function netnsName(containerId: string): string {
  return `berth-${containerId.slice(0, 16)}`;
}

export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/** Creates the namespace (replacing a stale one of the same name) with loopback up. */
export async function createNetns(runner: CommandRunner, name: string): Promise<string> {
  let r = await runner.run('ip', ['netns', 'add', name]);
  if (r.code !== 0 && /exists/i.test(r.stderr)) {
    await runner.run('ip', ['netns', 'delete', name]);
    r = await runner.run('ip', ['netns', 'add', name]);
  }
  if (r.code !== 0) throw new EngineError('internal', `could not create network namespace ${name}: ${r.stderr.trim()}`);
  return netnsPath(name);
}

/** Deletes the namespace; its interfaces go with it. Idempotent. */
export async function deleteNetns(runner: CommandRunner, path: string): Promise<void> {
  const name = path.startsWith(`${NETNS_DIR}/`) ? path.slice(NETNS_DIR.length + 1) : path;
  const r = await runner.run('ip', ['netns', 'delete', name]);
  if (r.code !== 0 && !/No such file/i.test(r.stderr)) {
    throw new EngineError('internal', `could not delete network namespace ${name}: ${r.stderr.trim()}`);
  }
}
