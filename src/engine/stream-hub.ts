/**
 * One conmon attach connection per running container, held by the daemon. Output fans out to
 * every attached client; stdin from any client goes through it. conmon closes a StdinOnce
 * container's stdin when an attach connection ends, so clients never own a connection: a client
 * that detaches or disconnects only unsubscribes, and stdin is closed only on purpose.
 */
import type { Logger } from '../core/index.js';
import type { AttachConnection, ContainerRuntime } from '../runtime/types.js';

type OutputListener = (stream: 1 | 2, data: Buffer) => void;

export class StreamHub {
  private readonly listeners = new Set<OutputListener>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;
  private stdinClosed = false;

  constructor(private readonly conn: AttachConnection) {
    conn.onData((stream, data) => {
      for (const l of this.listeners) l(stream, data);
    });
    conn.onClose(() => {
      this.closed = true;
      for (const l of this.closeListeners) l();
      this.listeners.clear();
      this.closeListeners.clear();
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Receives output until unsubscribed or the container's streams close. */
  subscribe(l: OutputListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Called when the container's streams close (it exited); at once if they already have. */
  onClose(cb: () => void): () => void {
    if (this.closed) {
      cb();
      return () => {};
    }
    this.closeListeners.add(cb);
    return () => this.closeListeners.delete(cb);
  }

  write(data: Buffer): void {
    if (!this.closed && !this.stdinClosed) this.conn.write(data);
  }

  /** Closes the container's stdin (StdinOnce: the attached client's input ended). */
  closeStdin(): void {
    if (this.closed || this.stdinClosed) return;
    this.stdinClosed = true;
    this.conn.closeStdin();
  }
}

export class StreamHubs {
  private readonly hubs = new Map<string, Promise<StreamHub>>();

  constructor(private readonly runtime: ContainerRuntime, private readonly log: Logger) {}

  /** The container's hub, connecting to conmon if there is none yet (e.g. after a daemon restart). */
  get(id: string): Promise<StreamHub> {
    let hub = this.hubs.get(id);
    if (!hub) {
      hub = this.runtime.attach(id).then((conn) => {
        const h = new StreamHub(conn);
        h.onClose(() => {
          if (this.hubs.get(id) === hub) this.hubs.delete(id);
        });
        return h;
      });
      hub.catch((err: unknown) => {
        this.log.debug('attach to conmon failed', { container: id, err });
        if (this.hubs.get(id) === hub) this.hubs.delete(id);
      });
      this.hubs.set(id, hub);
    }
    return hub;
  }

  /** Forgets a container's hub (after the container is gone). */
  drop(id: string): void {
    this.hubs.delete(id);
  }
}
