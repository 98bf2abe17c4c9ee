/**
 * Detach keys (docker-protocol.md): a comma-separated sequence of single characters or
 * `ctrl-<x>` (x in a-z @ [ \ ] ^ _). The default is ctrl-p,ctrl-q. Only TTY streams detach.
 */
import { invalidArgument } from '../core/index.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_SPECIALS: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

/** The byte sequence of a detach-keys string; 400 "Invalid detach keys" when it does not parse. */
export function parseDetachKeys(spec: string): Buffer {
  const bytes: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim().toLowerCase();
    if (key.length === 1) bytes.push(key.charCodeAt(0));
    else if (k.startsWith('ctrl-') && k.length === 6) {
      const c = k[5]!;
      if (c >= 'a' && c <= 'z') bytes.push(c.charCodeAt(0) - 96);
      else if (c in CTRL_SPECIALS) bytes.push(CTRL_SPECIALS[c]!);
      else throw invalidArgument(`Invalid detach keys (${spec}) provided`);
    } else throw invalidArgument(`Invalid detach keys (${spec}) provided`);
  }
  if (bytes.length === 0) throw invalidArgument(`Invalid detach keys (${spec}) provided`);
  return Buffer.from(bytes);
}

/**
 * Watches an input stream for the detach sequence. Bytes that might start the sequence are held
 * back until the next chunk decides; everything else passes through unchanged and in order.
 */
export class DetachScanner {
  private matched = 0;

  constructor(private readonly keys: Buffer) {}

  /** Returns the bytes to forward, and whether the sequence was completed (stop after forwarding). */
  push(chunk: Buffer): { forward: Buffer; detach: boolean } {
    const out: number[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detach: true };
        continue;
      }
      // the held prefix was not the sequence: let it through, then look at this byte afresh
      for (let j = 0; j < this.matched; j++) out.push(this.keys[j]!);
      this.matched = 0;
      if (b === this.keys[0]) {
        this.matched = 1;
        if (this.keys.length === 1) return { forward: Buffer.from(out), detach: true };
      } else out.push(b);
    }
    return { forward: Buffer.from(out), detach: false };
  }
}
