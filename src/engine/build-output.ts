/**
 * The classic builder's stream stays readable while stages build concurrently: every stage
 * writes to its own lane (its position in the plan's `order`); the lane of the earliest
 * unfinished stage streams straight through, later lanes are buffered and flushed whole once
 * every lane before them has finished. The client therefore sees each stage's steps together
 * and in plan order, exactly what a serial build prints; only the timing differs.
 */

/** Ordered lanes over one sink. */
export class OrderedLanes<T> {
  private readonly buffers: T[][];
  private readonly finished: boolean[];
  private head = 0;

  constructor(lanes: number, private readonly sink: (m: T) => void) {
    this.buffers = Array.from({ length: lanes }, () => []);
    this.finished = Array.from({ length: lanes }, () => false);
  }

  /** The writer of lane `k`: straight to the sink while `k` is the head, buffered otherwise. */
  lane(k: number): (m: T) => void {
    return (m) => {
      if (k === this.head) this.sink(m);
      else this.buffers[k]?.push(m);
    };
  }

  /** Marks lane `k` finished; when it is the head, the following lanes' buffers are flushed in order. */
  finish(k: number): void {
    this.finished[k] = true;
    while (this.head < this.finished.length && this.finished[this.head]) {
      this.head++;
      this.drain(this.head);
    }
  }

  private drain(k: number): void {
    const buf = this.buffers[k];
    if (!buf) return;
    for (const m of buf.splice(0)) this.sink(m);
  }
}
