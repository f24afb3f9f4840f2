import type { z } from 'zod';
import { Rfc3550Jitter } from '../metrics/rfc3550-jitter.ts';
import type { AdaptiveJbSchema } from './config.ts';
import { PacketArrivalHistory } from './packet-arrival-history.ts';
import { ScheduledPlayoutBuffer } from './scheduled-playout.ts';
import type { JbFrame, JitterBuffer, JitterBufferHost } from './types.ts';

export type AdaptiveJbOptions = z.output<typeof AdaptiveJbSchema>;

/**
 * Simple adaptive buffer: target = rttWeight x RTT + jitterWeight x J, clamped to
 * [minDelayMs, maxDelayMs], with J the RFC 3550 interarrival jitter of the arrivals (section
 * 6.4.1) and RTT from RTCP (0 until the first report). The target is a buffering delay above the
 * fastest packet of the last 2 s (the transit floor), so a talkspurt starting at time T plays
 * its frames at ts + floor + target. The first talkspurt starts when its first frame has waited
 * initialDelayMs: no estimate exists yet when it arrives.
 */
export class AdaptiveJitterBuffer extends ScheduledPlayoutBuffer {
  readonly kind = 'adaptive';
  readonly jitter: Rfc3550Jitter;
  private readonly floor: PacketArrivalHistory;

  constructor(
    private readonly opts: AdaptiveJbOptions,
    host: JitterBufferHost,
  ) {
    super(host, opts.capacityFrames);
    this.jitter = new Rfc3550Jitter(host.clockRate);
    this.floor = new PacketArrivalHistory(host.clockRate, 2000);
  }

  protected observe(frame: JbFrame, nowMs: number): void {
    this.jitter.update(nowMs, frame.timestamp);
    this.floor.insert(frame.timestamp, nowMs);
  }

  protected initialOffsetMs(first: JbFrame, nowMs: number): number {
    return nowMs - this.tsMs(first.timestamp) + this.opts.initialDelayMs;
  }

  protected talkspurtOffsetMs(f: JbFrame, nowMs: number): number {
    const floor = this.floor.minTransitMs() ?? f.arrivalMs - this.tsMs(f.timestamp);
    return floor + this.targetDelayMs(nowMs);
  }

  targetDelayMs(nowMs: number): number {
    void nowMs;
    const rtt = this.host.rttMs() ?? 0;
    const raw = this.opts.rttWeight * rtt + this.opts.jitterWeight * this.jitter.jitterMs;
    return Math.min(this.opts.maxDelayMs, Math.max(this.opts.minDelayMs, raw));
  }
}

export function createAdaptive(opts: AdaptiveJbOptions, host: JitterBufferHost): JitterBuffer {
  return new AdaptiveJitterBuffer(opts, host);
}
