/**
 * RFC 3550 packet loss per period of a recording, by sequence number: period k owns the
 * sequence numbers its source sent while it lasted (from the newest one before it, exclusive,
 * to the newest one at its end). expected = the numbers it spans; received = those whose first
 * copy reached the receiver and counted (RFC 3550 A.1); lost = the rest, less those still in
 * flight. A packet that arrives after its period ended still belongs to it, so no period can go
 * negative (the cumulative RFC 3550 figure can, with reordering across a boundary or duplicates:
 * duplicates here are counted once), and the periods add up to the whole recording.
 */
import { SeenWindow } from '../core/seen-window.ts';

export interface PeriodSequence {
  expected: number;
  received: number;
  lost: number;
  inFlight: number;
}

export class PeriodLoss {
  /** Newest extended sequence number before the recording (exclusive lower bound), and the newest since. */
  private lo: number | null = null;
  private hi = 0;
  /** Inclusive upper bound of each closed period. */
  private readonly bounds: number[] = [];
  private readonly expected: number[] = [0];
  private readonly received: number[] = [0];
  private readonly inFlight = new Map<number, number>();
  private readonly seen = new SeenWindow(1 << 15);

  private periodOf(ext: number): number {
    for (let i = 0; i < this.bounds.length; i++) if (ext <= this.bounds[i]) return i;
    return this.bounds.length;
  }

  /** A packet of the source entered the channel; `delivered`: the channel will deliver at least one copy. */
  sent(ext: number, delivered: boolean): void {
    if (this.lo === null) {
      this.lo = ext - 1;
      this.hi = ext - 1;
    }
    if (ext <= this.lo) return;
    if (ext > this.hi) {
      this.expected[this.expected.length - 1] += ext - this.hi;
      this.hi = ext;
    }
    if (delivered && !this.seen.has(ext)) this.inFlight.set(ext, this.periodOf(ext));
  }

  /** A copy reached the receiver; `counted`: it counted as a received packet. */
  arrived(ext: number, counted: boolean): void {
    if (this.lo === null || ext <= this.lo || ext > this.hi) return;
    this.inFlight.delete(ext);
    if (!counted || this.seen.has(ext)) return;
    this.seen.add(ext);
    this.received[this.periodOf(ext)]++;
  }

  /** The settings changed: later sequence numbers belong to a new period. */
  newPeriod(): void {
    this.bounds.push(this.lo === null ? -Infinity : this.hi);
    this.expected.push(0);
    this.received.push(0);
  }

  period(i: number): PeriodSequence {
    let flying = 0;
    for (const p of this.inFlight.values()) if (p === i) flying++;
    const expected = this.expected[i] ?? 0;
    const received = this.received[i] ?? 0;
    return { expected, received, lost: expected - received - flying, inFlight: flying };
  }
}
