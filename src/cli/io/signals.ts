import type { Client } from '../../client/index.js';

/** Signals the CLI forwards (docker forwards all but SIGCHLD, SIGPIPE, SIGURG; Node can catch these). */
const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGALRM', 'SIGCONT', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU', 'SIGVTALRM', 'SIGPROF', 'SIGIO', 'SIGPWR', 'SIGSYS', 'SIGXCPU', 'SIGXFSZ'];

/**
 * Forwards signals the CLI receives to the container (`POST /containers/{id}/kill?signal=`),
 * as `--sig-proxy` does. Returns a function that stops forwarding.
 */
export function proxySignals(client: Client, id: string): () => void {
  const handlers = new Map<NodeJS.Signals, () => void>();
  for (const sig of FORWARDED) {
    const h = (): void => {
      client.containerKill(id, sig.slice(3)).catch(() => undefined);
    };
    try {
      process.on(sig, h);
      handlers.set(sig, h);
    } catch {
      // not catchable on this platform
    }
  }
  return () => {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
  };
}
