/**
 * Competing cross traffic on the A→B path: a non-responsive flow (constant, or on/off) whose
 * packets go into the same Channel as the call, on lane 'other', so they take queue space and
 * bottleneck capacity like any other flow sharing the link. Its exogenous draws (loss, jitter)
 * are keyed by its own lane, so it does not shift those of the media packets.
 */
import { z } from 'zod';
import { integerIn, numberIn } from '../../core/number-range.ts';
import type { ChannelPath } from '../../channel/types.ts';
import type { Clock } from '../../core/clock.ts';
import { JitterlabError } from '../../core/errors.ts';
import { RateMeter } from './rate-meter.ts';

export const CrossTrafficFlowSchema = z.strictObject({
  pattern: z.enum(['constant', 'onOff']).default('constant').describe('constant: always on; onOff: onS seconds on, offS seconds off.'),
  rateKbps: numberIn(1, 100000).describe('Rate while on (kbit/s on the wire, including the channel overheadBytes).'),
  packetBytes: integerIn(1, 65507).default(200).describe('UDP payload bytes per packet.'),
  startS: numberIn(0, 86400).default(0).describe('First packet at this time (s).'),
  stopS: numberIn(0, 86400).nullable().default(null).describe('No packet after this time (s); null = until the call ends.'),
  onS: numberIn(0.01, 86400).default(2).describe('onOff: length of an on period (s).'),
  offS: numberIn(0.01, 86400).default(2).describe('onOff: length of an off period (s).'),
});
export const CrossTrafficSchema = z.array(CrossTrafficFlowSchema).default([]).describe('Competing flows sharing the A to B link (lane "other").');
export type CrossTrafficFlow = z.output<typeof CrossTrafficFlowSchema>;

/** Send times and size of one flow's packets. */
export class CrossTrafficSource {
  readonly intervalMs: number;
  private next: number;

  constructor(
    readonly flow: CrossTrafficFlow,
    overheadBytes: number,
  ) {
    if (!(flow.rateKbps > 0)) throw new JitterlabError('scenario', `crossTraffic.rateKbps must be positive (got ${flow.rateKbps})`);
    // kbit/s = bit/ms: one packet of (payload + overhead) bytes every 8 (payload + overhead) / rate ms.
    this.intervalMs = (8 * (flow.packetBytes + overheadBytes)) / flow.rateKbps;
    this.next = this.onAt(flow.startS * 1000);
  }

  /** The first send time at or after t that falls in an on period (Infinity when the flow is over). */
  private onAt(t: number): number {
    const f = this.flow;
    const start = f.startS * 1000;
    const stop = f.stopS === null ? Infinity : f.stopS * 1000;
    let x = Math.max(t, start);
    if (f.pattern === 'onOff') {
      const period = (f.onS + f.offS) * 1000;
      const phase = (x - start) % period;
      if (phase >= f.onS * 1000) x += period - phase;
    }
    return x < stop ? x : Infinity;
  }

  /** Time of the next packet (Infinity when none is left); `take()` advances. */
  peek(): number {
    return this.next;
  }

  take(): number {
    const t = this.next;
    this.next = this.onAt(t + this.intervalMs);
    return t;
  }

  get sizeBytes(): number {
    return this.flow.packetBytes;
  }
}

/** The running cross traffic of one variant: what it sent and at what rate. */
export class CrossTraffic {
  packets = 0;
  dropped = 0;
  private readonly meter = new RateMeter(1000);

  /** Starts every flow on `clock`, sending into `path` until `isDone()`. */
  constructor(flows: readonly CrossTrafficFlow[], overheadBytes: number, clock: Clock, path: ChannelPath, isDone: () => boolean) {
    for (const flow of flows) {
      const src = new CrossTrafficSource(flow, overheadBytes);
      const step = (): void => {
        const at = src.peek();
        if (at === Infinity) return;
        clock.schedule(at, (t) => {
          if (isDone()) return;
          src.take();
          const d = path.send({ sendMs: t, sizeBytes: src.sizeBytes, lane: 'other' });
          this.packets++;
          if (!d.delivered) this.dropped++;
          this.meter.add(t, src.sizeBytes + overheadBytes);
          step();
        });
      };
      step();
    }
  }

  /** Wire rate over the last second (kbit/s). */
  kbps(tMs: number): number {
    return this.meter.kbps(tMs);
  }
}
