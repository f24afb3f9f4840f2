/**
 * Timers ordered by (due time, insertion order): a binary min-heap. Shared by the simulator's
 * VirtualClock and the live server's timer wheel, so both run due callbacks in the same order.
 */
export interface QueuedTimer {
  at: number;
  order: number;
}

export class TimerQueue<T extends QueuedTimer> {
  private readonly heap: T[] = [];

  get size(): number {
    return this.heap.length;
  }

  peek(): T | undefined {
    return this.heap[0];
  }

  push(e: T): void {
    // Sift up by moving parents down into the hole (no swap temporaries: this runs per event).
    const h = this.heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = h[p];
      if (!less(e, parent)) break;
      h[i] = parent;
      i = p;
    }
    h[i] = e;
  }

  pop(): T | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    const n = h.length;
    if (n > 0 && last !== undefined) {
      // Sift `last` down from the root through the hole.
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(h[r], h[l]) ? r : l;
        if (!less(h[c], last)) break;
        h[i] = h[c];
        i = c;
      }
      h[i] = last;
    }
    return top;
  }
}

function less(a: QueuedTimer, b: QueuedTimer): boolean {
  return a.at < b.at || (a.at === b.at && a.order < b.order);
}
