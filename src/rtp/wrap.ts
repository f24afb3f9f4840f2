/**
 * Wrap-aware arithmetic on RTP sequence numbers (16 bit, modulus 65536) and timestamps
 * (32 bit, modulus 2^32), RFC 3550 section 5.1 and appendix A.1.
 *
 * The modulus is 2^16 = 65536, not 65535: an implementation that wraps at 65535 (a known Pion
 * bug) skips a value and mis-orders packets around the wrap.
 */
import { checkRtpInt } from './errors.ts';

export const SEQ_MODULUS = 0x10000;
export const TS_MODULUS = 0x100000000;

/**
 * a − b as the shortest signed distance on the 16-bit circle, in [−32768, 32767].
 * A distance of exactly half the circle is reported as −32768, so `seqLess(a, b)` and
 * `seqLess(b, a)` are both true then; that single ambiguous case cannot be resolved from 16 bits.
 */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - 0x10000 : d;
}

/** True when `a` comes before `b` on the 16-bit circle. */
export function seqLess(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

/** (seq + n) mod 65536 for any integer n. */
export function seqAdd(seq: number, n: number): number {
  return (((seq + n) % SEQ_MODULUS) + SEQ_MODULUS) % SEQ_MODULUS;
}

/** a − b as the shortest signed distance on the 32-bit circle, in [−2^31, 2^31 − 1]. */
export function tsDiff(a: number, b: number): number {
  // ToInt32 reduces modulo 2^32 and maps to the signed range in one step.
  return (a - b) | 0;
}

/** True when timestamp `a` comes before `b` on the 32-bit circle. */
export function tsLess(a: number, b: number): boolean {
  return tsDiff(a, b) < 0;
}

/** (ts + n) mod 2^32 for any integer n (exact for |ts + n| < 2^53). */
export function tsAdd(ts: number, n: number): number {
  return (((ts + n) % TS_MODULUS) + TS_MODULUS) % TS_MODULUS;
}

/**
 * Unwraps a stream of values on a circle of size 2^bits into an extended (monotonic-in-stream)
 * number line, in the manner of RFC 3550 A.1: each value is placed at the point nearest to the
 * highest extended value seen so far, so a late (reordered) packet from before a wrap gets the
 * old cycle and an early one after the wrap gets the new cycle. The first value maps to itself;
 * a value that arrives late from before the first one may map below 0 (e.g. first 0, then 65535
 * gives −1), which keeps the ordering exact.
 */
class CircleUnwrapper {
  private highest: number | null = null;

  constructor(
    private readonly modulus: number,
    private readonly diff: (a: number, b: number) => number,
    private readonly field: string,
  ) {}

  /** Extended value of `v` without recording it. */
  peek(v: number): number {
    checkRtpInt(this.field, v, 0, this.modulus - 1);
    if (this.highest === null) return v;
    const base = ((this.highest % this.modulus) + this.modulus) % this.modulus;
    return this.highest + this.diff(v, base);
  }

  /** Extended value of `v`; advances the reference when `v` is the newest seen. */
  unwrap(v: number): number {
    const ext = this.peek(v);
    if (this.highest === null || ext > this.highest) this.highest = ext;
    return ext;
  }

  /** Highest extended value seen, or null before the first call. */
  get max(): number | null {
    return this.highest;
  }
}

/** Extends 16-bit sequence numbers; see `CircleUnwrapper` for the rule. */
export class SeqUnwrapper {
  private readonly inner = new CircleUnwrapper(SEQ_MODULUS, seqDiff, 'sequenceNumber');
  unwrap(seq16: number): number {
    return this.inner.unwrap(seq16);
  }
  peek(seq16: number): number {
    return this.inner.peek(seq16);
  }
  get max(): number | null {
    return this.inner.max;
  }
}

/** Extends 32-bit RTP timestamps; see `CircleUnwrapper` for the rule. */
export class TimestampUnwrapper {
  private readonly inner = new CircleUnwrapper(TS_MODULUS, tsDiff, 'timestamp');
  unwrap(ts32: number): number {
    return this.inner.unwrap(ts32);
  }
  peek(ts32: number): number {
    return this.inner.peek(ts32);
  }
  get max(): number | null {
    return this.inner.max;
  }
}
