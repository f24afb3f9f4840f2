/**
 * RFC 3550 section 6.4.1 / A.8 interarrival jitter: D = (Rj - Sj) - (Ri - Si) in RTP timestamp
 * units, J += (|D| - J) / 16, updated in arrival order. The estimator is fed the extended RTP
 * timestamp (the sender's clock) and the arrival time converted to the same clock.
 */
export class Rfc3550Jitter {
  private prevTransit: number | null = null;
  private j = 0;

  constructor(private readonly clockRate: number) {}

  /** One packet arrives. `arrivalMs` is the receiver's clock; `rtpTimestamp` is extended (unwrapped). */
  update(arrivalMs: number, rtpTimestamp: number): void {
    const transit = (arrivalMs * this.clockRate) / 1000 - rtpTimestamp;
    if (this.prevTransit !== null) {
      const d = Math.abs(transit - this.prevTransit);
      this.j += (d - this.j) / 16;
    }
    this.prevTransit = transit;
  }

  /** Current estimate in RTP timestamp units (the value an RTCP report block carries, before truncation). */
  get jitterTs(): number {
    return this.j;
  }

  get jitterMs(): number {
    return (this.j * 1000) / this.clockRate;
  }
}

/** RFC 3550 jitter over a whole trace of (arrival, timestamp) pairs given in arrival order. */
export function rfc3550JitterOfTrace(packets: ReadonlyArray<{ arrivalMs: number; timestamp: number }>, clockRate: number): number {
  const est = new Rfc3550Jitter(clockRate);
  for (const p of packets) est.update(p.arrivalMs, p.timestamp);
  return est.jitterMs;
}
