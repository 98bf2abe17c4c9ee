/**
 * Daemon start: brings every container record back in line with reality. Containers whose
 * conmon still lives are re-adopted; those that exited meanwhile get the exit code conmon
 * recorded; the rest are marked dead with a reason. Nothing is dropped.
 */
import type { Logger } from '../core/index.js';
import type { ContainerRuntime } from '../runtime/types.js';
import type { Containers } from './containers.js';
import type { ContainerStore } from './store.js';

export async function adoptContainers(deps: {
  store: ContainerStore; runtime: ContainerRuntime; containers: Containers; logger: Logger;
}): Promise<{ adopted: number; exited: number; dead: number }> {
  const { store, runtime, containers, logger } = deps;
  const counts = { adopted: 0, exited: 0, dead: 0 };
  for (const id of store.orphans()) {
    await runtime.cleanup(id).catch((err) => logger.warn('could not clean up an orphaned container', { container: id, err }));
    await store.purge(id);
    logger.info('removed leftovers of an interrupted removal', { container: id });
  }
  for (const rec of store.all()) {
    if (rec.state.status === 'removing') {
      await containers.remove(rec.id, { force: true }).catch((err) => logger.warn('could not finish removal', { container: rec.id, err }));
      continue;
    }
    // started, but the daemon died before the record said so: carry on as with a running one
    if (rec.state.status === 'created' && (await runtime.hasStarted(rec.id))) {
      rec.state = { ...rec.state, status: 'running', startedAt: new Date().toISOString() };
      rec.hasBeenStarted = true;
      await store.save(rec);
      logger.info('found a container started just before the daemon stopped', { container: rec.id });
    }
    if (!containers.isRunning(rec)) continue;
    // waiting for a policy restart when the daemon stopped: the restart happens at boot
    if (rec.state.status === 'restarting' && !(await runtime.isMonitorAlive(rec.id))) continue;
    if (await runtime.isMonitorAlive(rec.id)) {
      containers.watchExit(rec.id);
      const pid = await runtime.pid(rec.id);
      if (pid) rec.state.pid = pid;
      counts.adopted++;
      logger.info('re-adopted running container', { container: rec.id, pid: rec.state.pid });
      continue;
    }
    const st = await runtime.exitStatus(rec.id);
    if (st) {
      rec.state.status = 'running';
      await containers.handleExit(rec.id, st);
      counts.exited++;
      continue;
    }
    rec.state = {
      ...rec.state, status: 'dead', pid: 0, finishedAt: new Date().toISOString(),
      error: 'berthd restarted and found the container\'s monitor (conmon) gone without an exit code',
    };
    await runtime.cleanup(rec.id).catch(() => {});
    await store.save(rec);
    counts.dead++;
    logger.warn('container marked dead', { container: rec.id });
  }
  return counts;
}
