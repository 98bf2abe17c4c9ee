/**
 * Container events of the operations in the files beside (commit, export), logged as the
 * lifecycle's are: the container's labels, `image` and `name` as attributes, then extras.
 */
import type { Engine } from './engine.js';
import type { ContainerRecord } from './record.js';

/** The engine's event log (GET /events), where it has one. */
export interface ContainerEventLog {
  emit(type: 'container', action: string, id: string, attributes: Record<string, string>): unknown;
}

/** Logs a container event with Docker's attributes (labels, image, name, then `extra`). */
export function containerEvent(engine: Engine, rec: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
  const events = (engine as { events?: ContainerEventLog }).events;
  events?.emit('container', action, rec.id, { ...(rec.config.Labels ?? {}), image: rec.config.Image ?? rec.image, name: rec.name, ...extra });
}
