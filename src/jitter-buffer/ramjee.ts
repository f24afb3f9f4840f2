import type { z } from 'zod';
import type { RamjeeJbSchema } from './config.ts';
import { PacketArrivalHistory } from './packet-arrival-history.ts';
import { ScheduledPlayoutBuffer } from './scheduled-playout.ts';
import type { JbFrame, JitterBuffer, JitterBufferHost } from './types.ts';

export type RamjeeJbOptions = z.output<typeof RamjeeJbSchema>;

/**
 * The constants of algorithm 4 are in the paper's timestamp units: its traces are 8 kHz audio
 * (125 us per unit), so 800 units = 100 ms and 63 units = 7.875 ms. We keep n_i in ms and
 * convert the constants once.
 */
export const PAPER_UNITS_PER_MS = 8;
export const SPIKE_ENTER_MS = 800 / PAPER_UNITS_PER_MS;
export const SPIKE_EXIT_VAR_MS = 63 / PAPER_UNITS_PER_MS;

/**
 * Delay / variation estimator of Ramjee, Kurose, Towsley, Schulzrinne 1994 (research notes
 * section 4). n_i = arrival - send time, with send time taken from the RTP timestamp in ms (the
 * unknown clock offset cancels in playout = t_i + d + k v).
 *  - Algorithm 1: d_i = a d_{i-1} + (1-a) n_i;  v_i = a v_{i-1} + (1-a) |d_i - n_i|.
 *  - Algorithm 4 (spike detection): NORMAL -> SPIKE when |n_i - n_{i-1}| > 2|v| + 800 (var = 0);
 *    in SPIKE var = var/2 + |2n_i - n_{i-1} - n_{i-2}|/8, back to NORMAL when var <= 63 (that
 *    packet updates nothing else); d_i = d_{i-1} + n_i - n_{i-1} in SPIKE, else
 *    0.125 n_i + 0.875 d_{i-1}; v_i = 0.125 |n_i - d_i| + 0.875 v_{i-1}.
 * Estimates start at d = n_1, v = 0.
 */
export class RamjeeEstimator {
  d = 0;
  v = 0;
  inSpike = false;
  private spikeVar = 0;
  private n1: number | null = null;
  private n2: number | null = null;

  constructor(
    readonly algorithm: 1 | 4,
    private readonly alpha: number,
  ) {}

  update(n: number): void {
    const n1 = this.n1;
    if (n1 === null) {
      this.d = n;
      this.v = 0;
      this.n1 = n;
      return;
    }
    if (this.algorithm === 1) {
      this.d = this.alpha * this.d + (1 - this.alpha) * n;
      this.v = this.alpha * this.v + (1 - this.alpha) * Math.abs(this.d - n);
    } else {
      if (!this.inSpike) {
        if (Math.abs(n - n1) > 2 * Math.abs(this.v) + SPIKE_ENTER_MS) {
          this.spikeVar = 0;
          this.inSpike = true;
        }
      } else {
        const n2 = this.n2 ?? n1;
        this.spikeVar = this.spikeVar / 2 + Math.abs(2 * n - n1 - n2) / 8;
        if (this.spikeVar <= SPIKE_EXIT_VAR_MS) {
          this.inSpike = false;
          this.n2 = n1;
          this.n1 = n;
          return;
        }
      }
      this.d = this.inSpike ? this.d + n - n1 : 0.125 * n + 0.875 * this.d;
      this.v = 0.125 * Math.abs(n - this.d) + 0.875 * this.v;
    }
    this.n2 = n1;
    this.n1 = n;
  }

  /** Playout offset p - t = d + k v. */
  playoutOffset(variationFactor: number): number {
    return this.d + variationFactor * this.v;
  }
}

/**
 * Ramjee et al. playout buffer: the offset d + variationFactor x v is applied at each talkspurt
 * start (marker bit or speech after DTX); the first talkspurt waits initialDelayMs. The reported
 * target is that offset above the 2 s transit floor, clamped to [minDelayMs, maxDelayMs] (the
 * clamp also applies to the offset used).
 */
export class RamjeeJitterBuffer extends ScheduledPlayoutBuffer {
  readonly kind = 'ramjee';
  readonly estimator: RamjeeEstimator;
  private readonly floor: PacketArrivalHistory;

  constructor(
    private readonly opts: RamjeeJbOptions,
    host: JitterBufferHost,
  ) {
    super(host, opts.capacityFrames);
    this.estimator = new RamjeeEstimator(opts.algorithm, opts.alpha);
    this.floor = new PacketArrivalHistory(host.clockRate, 2000);
  }

  /** Algorithm 4's spike mode (always false for algorithm 1). */
  get inSpike(): boolean {
    return this.estimator.inSpike;
  }

  protected observe(frame: JbFrame, nowMs: number): void {
    this.estimator.update(nowMs - this.tsMs(frame.timestamp));
    this.floor.insert(frame.timestamp, nowMs);
  }

  protected initialOffsetMs(first: JbFrame, nowMs: number): number {
    return nowMs - this.tsMs(first.timestamp) + this.opts.initialDelayMs;
  }

  private floorMs(): number {
    return this.floor.minTransitMs() ?? this.estimator.d;
  }

  protected talkspurtOffsetMs(f: JbFrame, nowMs: number): number {
    void f;
    return this.floorMs() + this.targetDelayMs(nowMs);
  }

  targetDelayMs(nowMs: number): number {
    void nowMs;
    const raw = this.estimator.playoutOffset(this.opts.variationFactor) - this.floorMs();
    return Math.min(this.opts.maxDelayMs, Math.max(this.opts.minDelayMs, raw));
  }
}

export function createRamjee(opts: RamjeeJbOptions, host: JitterBufferHost): JitterBuffer {
  return new RamjeeJitterBuffer(opts, host);
}
