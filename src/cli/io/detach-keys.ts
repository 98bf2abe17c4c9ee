/**
 * Parses docker's detach-keys spec (`ctrl-p,ctrl-q`, `a`, `ctrl-@`…) into bytes.
 * Throws Error("Invalid detach keys (…) provided") on bad specs.
 */
export function parseDetachKeys(spec: string): number[] {
  const out: number[] = [];
  for (const key of spec.split(',')) {
    const k = key.trim();
    if (/^ctrl-[a-z@^[,_\\\]]$/i.test(k)) {
      const c = k.slice(5).toLowerCase();
      const specials: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };
      out.push(specials[c] ?? c.charCodeAt(0) - 96);
    } else if (k.length === 1) {
      out.push(k.charCodeAt(0));
    } else {
      throw new Error(`Invalid detach keys (${spec}) provided`);
    }
  }
  return out;
}

/** Watches stdin bytes for the detach sequence, holding back a partial match (term.EscapeProxy). */
export class DetachProxy {
  private readonly keys: number[];
  private matched = 0;

  constructor(keys: number[]) {
    this.keys = keys;
  }

  /** Returns bytes to forward; `detached` once the whole sequence was typed. */
  feed(chunk: Buffer): { forward: Buffer; detached: boolean } {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detached: true };
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.slice(0, this.matched));
        this.matched = 0;
        if (b === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(b);
    }
    return { forward: Buffer.from(out), detached: false };
  }

  /** Bytes of a partial match still held back (sent at EOF). */
  flush(): Buffer {
    const held = Buffer.from(this.keys.slice(0, this.matched));
    this.matched = 0;
    return held;
  }
}
