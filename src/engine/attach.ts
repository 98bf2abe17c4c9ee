/**
 * Attach: optional replay of the log (`logs=1`), then live output and stdin through the
 * container's conmon attach socket. A client may attach before start (docker run, start -a):
 * the connection is then made after the runtime created the container and before its
 * process starts, so no output is lost.
 */
import type { Logger } from '../core/index.js';
import type { ClientStream } from './client-stream.js';
import type { StreamHub, StreamHubs } from './stream-hub.js';
import { DetachScanner } from './detach-keys.js';
import type { Containers } from './containers.js';
import type { ContainerRecord } from './record.js';
import type { LogEntry, ReadLogsOptions } from './logs-types.js';

export interface AttachOptions {
  /** Detach sequence for TTY attaches (parsed with parseDetachKeys). */
  detachKeys?: Buffer;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  logs: boolean;
  stream: boolean;
}

export async function attachContainer(
  deps: {
    containers: Containers; hubs: StreamHubs; logger: Logger;
    /** The daemon's default detach keys (daemon.json `detach-keys`). */
    detachKeys: Buffer;
    readLogs: (rec: ContainerRecord, opts: ReadLogsOptions) => AsyncIterable<LogEntry>;
  },
  rec: ContainerRecord,
  opts: AttachOptions,
  client: ClientStream,
): Promise<void> {
  const { containers, hubs } = deps;
  let closed = false;
  client.onClose(() => (closed = true));

  // stdin that arrives before the container's hub exists is held, then forwarded in order
  const pendingInput: Buffer[] = [];
  let inputEnded = false;
  let hub: StreamHub | undefined;
  if (opts.stream && opts.stdin) {
    // with a TTY, the detach keys end this client's stream and leave the container running
    const scanner = rec.config.Tty ? new DetachScanner(opts.detachKeys ?? deps.detachKeys) : undefined;
    let detached = false;
    const forward = (d: Buffer): void => {
      if (d.length > 0) hub ? hub.write(d) : pendingInput.push(d);
    };
    client.onInput((d) => {
      if (detached) return;
      if (!scanner) return forward(d);
      const r = scanner.push(d);
      forward(r.forward);
      if (r.detach) {
        detached = true;
        closed = true;
        client.end();
      }
    });
    client.onInputEnd(() => {
      if (detached) return;
      // moby's rule: the client's EOF closes the container's stdin only for StdinOnce without a
      // TTY; otherwise it ends this client's stream (the docker CLI detaches by half-closing)
      if (rec.config.StdinOnce && !rec.config.Tty) {
        inputEnded = true;
        hub?.closeStdin();
      } else {
        closed = true;
        client.end();
      }
    });
  }
  /** Joins the container's hub: for stdin always, for output unless it comes from the followed log. */
  const join = (h: StreamHub, output: boolean): void => {
    hub = h;
    if (output) {
      const unsubscribe = h.subscribe((stream, data) => {
        if ((stream === 1 && opts.stdout) || (stream === 2 && opts.stderr)) client.write(stream, data);
      });
      client.onClose(unsubscribe);
      client.onClose(h.onClose(() => client.end()));
    }
    for (const d of pendingInput.splice(0)) h.write(d);
    if (inputEnded) h.closeStdin();
  };

  if (opts.logs && opts.stream && containers.isRunning(rec)) {
    // replay and live output both from the log, followed until the container stops: switching from
    // the file to the live stream would lose what is written in between
    if (opts.stdin) join(await hubs.get(rec.id), false);
    const gone = new AbortController();
    client.onClose(() => gone.abort());
    for await (const e of deps.readLogs(rec, { stdout: opts.stdout, stderr: opts.stderr, follow: true, signal: gone.signal })) {
      if (closed) return;
      client.write(e.stream === 'stdout' ? 1 : 2, e.data);
    }
    return client.end();
  }
  if (opts.logs) {
    for await (const e of deps.readLogs(rec, { stdout: opts.stdout, stderr: opts.stderr })) {
      if (closed) return;
      client.write(e.stream === 'stdout' ? 1 : 2, e.data);
    }
  }
  if (!opts.stream) return client.end();

  if (containers.isRunning(rec)) {
    join(await hubs.get(rec.id), true);
    return;
  }
  // not started yet (docker run, start -a): join between runtime create and process start
  const unregister = containers.onBeforeStart(rec.id, async () => {
    if (closed) return;
    join(await hubs.get(rec.id), true);
  });
  client.onClose(unregister);
  void containers.lifecycle.next('removed', rec.id).then(() => client.end(), () => {});
}
