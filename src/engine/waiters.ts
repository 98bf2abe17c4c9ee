/**
 * Per-container lifecycle signals: the next exit, removal and start. Waiters subscribe
 * before the event (docker run registers wait before start) and may cancel.
 */
import { EventEmitter } from 'node:events';

export type LifecycleEvent = 'exit' | 'removed' | 'started';

export class Lifecycle {
  private readonly em = new EventEmitter();

  constructor() {
    this.em.setMaxListeners(0);
  }

  emit(event: LifecycleEvent, id: string, exitCode = 0): void {
    this.em.emit(`${event}:${id}`, exitCode);
  }

  /** Resolves with the exit code carried by the event; rejects with an AbortError on abort. */
  next(event: LifecycleEvent, id: string, signal?: AbortSignal): Promise<number> {
    return new Promise((resolve, reject) => {
      const key = `${event}:${id}`;
      const onAbort = (): void => {
        this.em.off(key, onEvent);
        reject(signal?.reason ?? new Error('aborted'));
      };
      const onEvent = (code: number): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(code);
      };
      if (signal?.aborted) return onAbort();
      this.em.once(key, onEvent);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
