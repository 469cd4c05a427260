/** A binary min-heap ordered by `(atMs, seq)`: SimNet's datagrams in flight and the ControlEngine's tunnel deadlines. */

/** An entry of {@link TimeHeap}: due time and insertion order break ties FIFO. */
export interface Timed {
  readonly atMs: number;
  readonly seq: number;
}

/** A binary min-heap of {@link Timed} entries. */
export class TimeHeap<E extends Timed> {
  private readonly items: E[] = [];

  /** Number of entries. */
  get size(): number { return this.items.length; }

  /** The earliest entry, if any. */
  peek(): E | undefined { return this.items[0]; }

  /** Adds an entry. */
  push(e: E): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(a[i]!, a[p]!)) break;
      // A swap through a temporary: `[x, y] = [y, x]` allocated an array per step.
      const t = a[i]!;
      a[i] = a[p]!;
      a[p] = t;
      i = p;
    }
  }

  /** Removes and returns the earliest entry. */
  pop(): E | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < a.length && less(a[l]!, a[m]!)) m = l;
        if (r < a.length && less(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        const t = a[i]!;
        a[i] = a[m]!;
        a[m] = t;
        i = m;
      }
    }
    return top;
  }
}

function less(x: Timed, y: Timed): boolean {
  return x.atMs < y.atMs || (x.atMs === y.atMs && x.seq < y.seq);
}
