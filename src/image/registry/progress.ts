import type { JsonMessage } from '../../protocol/index.js';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** go-units HumanSize: decimal units, 4 significant digits (`1.235MB`, `527B`). */
export function humanSize(bytes: number): string {
  let size = bytes;
  let i = 0;
  while (size >= 1000 && i < UNITS.length - 1) {
    size /= 1000;
    i++;
  }
  return `${Number(size.toPrecision(4))}${UNITS[i]}`;
}

/**
 * The `progress` string of Docker's JSONProgress as the daemon renders it (no terminal width):
 * a 50-column bar and `current/total`, e.g. `[==>      ]  1.2MB/4.5MB`.
 */
export function progressBar(current: number, total: number): string {
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  const pct = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const bar = `[${'='.repeat(pct)}>${' '.repeat(Math.max(0, 50 - pct))}] `;
  // A current beyond total (a wonky size) shows the current alone, as Docker does.
  const numbers = current > total ? humanSize(current).padStart(8) : `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  return bar + numbers;
}

/** A progress sink that never throws into the operation. */
export type Emit = (msg: JsonMessage) => void;

/** Makes an emitter from an optional callback. */
export function emitter(cb: ((msg: JsonMessage) => void) | undefined): Emit {
  return (msg) => {
    try {
      cb?.(msg);
    } catch {
      // A failing progress consumer (a gone client) must not break the pull.
    }
  };
}

/** A per-layer status line: `{"status":"Waiting","progressDetail":{},"id":"…"}`. */
export function layerStatus(emit: Emit, id: string, status: string): void {
  emit({ status, progressDetail: {}, id });
}

/** Throttled `Downloading`/`Pushing`/`Extracting` lines (at most ~10 per second per layer). */
export function throttledProgress(emit: Emit, id: string, status: string, total: number): (current: number, force?: boolean) => void {
  let last = 0;
  return (current, force = false) => {
    const now = Date.now();
    if (!force && now - last < 100) return;
    last = now;
    emit({ status, progressDetail: { current, total }, progress: progressBar(current, total), id });
  };
}
