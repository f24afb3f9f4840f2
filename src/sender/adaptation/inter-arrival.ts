/**
 * Packet groups and their delay variation, draft-ietf-rmcat-gcc-02 section 5.2 (pre-filtering):
 *
 * - packets sent within `burstMs` of the first packet of a group belong to that group (a frame
 *   and its FEC packets, sent together, are one group);
 * - a packet that arrives less than `burstMs` after the previous one while its inter-group
 *   delay variation is negative joins the current group too (a burst released by the network
 *   after a queue or a channel outage, which says nothing about the path's queue);
 * - for each pair of consecutive groups, the send-time delta and the arrival-time delta of their
 *   last packets; d(i) = arrival delta − send delta (section 5.1, inter-group delay variation).
 */

export interface GroupDelta {
  sendDeltaMs: number;
  arrivalDeltaMs: number;
  /** Arrival time of the newer group's last packet. */
  arrivalMs: number;
}

interface Group {
  firstSendMs: number;
  lastSendMs: number;
  firstArrivalMs: number;
  lastArrivalMs: number;
}

export class InterArrival {
  private cur: Group | null = null;
  private prev: Group | null = null;

  constructor(private readonly burstMs = 5) {}

  /** One received packet, in send order. Returns the delta when it closes a group. */
  onPacket(sendMs: number, arrivalMs: number): GroupDelta | null {
    const cur = this.cur;
    if (cur === null) {
      this.cur = { firstSendMs: sendMs, lastSendMs: sendMs, firstArrivalMs: arrivalMs, lastArrivalMs: arrivalMs };
      return null;
    }
    if (sendMs < cur.lastSendMs) return null; // out of send order: ignore (section 5.2 assumes send order)
    if (this.belongsToCurrent(cur, sendMs, arrivalMs)) {
      cur.lastSendMs = sendMs;
      cur.lastArrivalMs = Math.max(cur.lastArrivalMs, arrivalMs);
      return null;
    }
    let out: GroupDelta | null = null;
    if (this.prev !== null) {
      out = {
        sendDeltaMs: cur.lastSendMs - this.prev.lastSendMs,
        arrivalDeltaMs: cur.lastArrivalMs - this.prev.lastArrivalMs,
        arrivalMs: cur.lastArrivalMs,
      };
    }
    this.prev = cur;
    this.cur = { firstSendMs: sendMs, lastSendMs: sendMs, firstArrivalMs: arrivalMs, lastArrivalMs: arrivalMs };
    return out;
  }

  private belongsToCurrent(cur: Group, sendMs: number, arrivalMs: number): boolean {
    if (sendMs - cur.firstSendMs <= this.burstMs) return true;
    // Arrival burst: arrives within burstMs of the previous packet and earlier than its send
    // spacing would predict (negative delay variation).
    const arrivalDelta = arrivalMs - cur.lastArrivalMs;
    const sendDelta = sendMs - cur.lastSendMs;
    return arrivalDelta >= 0 && arrivalDelta < this.burstMs && arrivalDelta - sendDelta < 0;
  }
}
