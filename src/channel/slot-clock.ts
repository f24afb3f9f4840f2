/**
 * Time slots for exogenous draws (design-notes "Randomness"). The network's own behaviour is
 * drawn per time slot of the media clock, not per packet: every draw is keyed by
 * (slot, lane, ordinal of the packet within the slot for that lane), so a variant that sends
 * extra FEC or RTX packets does not shift the draws of its media packets.
 */
import { JitterlabError } from '../core/errors.ts';
import type { Lane } from './types.ts';

/** Slot index of a send time: floor(sendMs / slotMs). */
export function slotOf(sendMs: number, slotMs: number): number {
  return Math.floor(sendMs / slotMs);
}

/** Numeric key word of each lane (stable: never renumber, only append). */
export const LANE_CODE: Readonly<Record<Lane, number>> = { media: 0, fec: 1, rtx: 2, rtcp: 3, other: 4 };

export function laneCode(lane: Lane): number {
  const c = LANE_CODE[lane];
  if (c === undefined) throw new JitterlabError('internal', `channel: unknown lane ${JSON.stringify(lane)}`);
  return c;
}

/** Counts packets per lane inside the current slot; slots must be visited in non-decreasing order. */
export class SlotOrdinals {
  private slot = Number.NEGATIVE_INFINITY;
  private readonly counts = new Map<number, number>();

  /** The ordinal (0, 1, ...) of the next packet of `lane` in `slot`. */
  next(slot: number, lane: number): number {
    if (slot !== this.slot) {
      if (slot < this.slot) throw new JitterlabError('internal', `channel: slot ${slot} after slot ${this.slot}`);
      this.slot = slot;
      this.counts.clear();
    }
    const n = this.counts.get(lane) ?? 0;
    this.counts.set(lane, n + 1);
    return n;
  }
}
