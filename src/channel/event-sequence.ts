/**
 * A lazily generated non-decreasing sequence of event times (outage starts, slot openings),
 * value i = next(i, value i-1). A pure function of the index, so every variant sees the same
 * events; old entries are pruned once no query can reach them.
 */
import { JitterlabError } from '../core/errors.ts';

export class EventSequence {
  private values: number[] = [];
  private base = 0; // index of values[0]
  private lastValue = Number.NaN;
  private generated = 0;

  constructor(private readonly next: (index: number, prev: number) => number) {}

  private extendPast(t: number): void {
    if (!Number.isFinite(t)) throw new JitterlabError('internal', `event sequence queried at ${t}`);
    while (this.values.length === 0 || this.values[this.values.length - 1] <= t) {
      const v = this.next(this.generated, this.lastValue);
      this.values.push(v);
      this.lastValue = v;
      this.generated++;
    }
  }

  value(index: number): number {
    while (index >= this.generated) this.extendPast(this.generated === 0 ? 0 : this.lastValue);
    if (index < this.base) throw new JitterlabError('internal', `event ${index} was pruned`);
    return this.values[index - this.base];
  }

  /** Index of the first event >= t (among the kept ones). */
  firstAtOrAfter(t: number): number {
    if (this.values.length === 0 || this.values[this.values.length - 1] < t) this.extendPast(t);
    let lo = 0;
    let hi = this.values.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid] >= t) hi = mid;
      else lo = mid + 1;
    }
    return this.base + lo;
  }

  /** Index of the last event <= t, or -1 if none (among the kept ones). */
  lastAtOrBefore(t: number): number {
    this.extendPast(t);
    let lo = 0;
    let hi = this.values.length; // first > t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid] > t) hi = mid;
      else lo = mid + 1;
    }
    return lo === 0 ? (this.base === 0 ? -1 : this.base - 1) : this.base + lo - 1;
  }

  /** Forget events before the last one <= t (queries never go earlier than t again). */
  prune(t: number): void {
    const keepFrom = this.lastAtOrBefore(t);
    if (keepFrom <= this.base) return;
    const drop = keepFrom - this.base;
    if (drop < 1024 && drop * 2 < this.values.length) return; // compact in batches
    this.values = this.values.slice(drop);
    this.base = keepFrom;
  }
}
