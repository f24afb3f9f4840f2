/**
 * Loss at three points of the receive path, per media frame of the call (DTX frames that were
 * never sent are excluded: silence is not loss):
 * - before FEC: the frame's packet did not arrive (RFC 3550 "lost", network only);
 * - after FEC: not arrived and not rebuilt by any recovery mechanism (in-band FEC, RED, parity, RTX);
 * - after the jitter buffer (effective loss): the frame was concealed, whether lost or late.
 */
export interface LossRates {
  frames: number;
  beforeFec: number;
  afterFec: number;
  afterJitterBuffer: number;
}

export interface FrameLossInput {
  /** true if the frame's own packet arrived (in time or not). */
  arrived: boolean;
  /** true if the frame was played from redundancy (FEC / RED / parity / RTX). */
  recovered: boolean;
  /** true if the frame was concealed at playout. */
  concealed: boolean;
  /** true for a DTX frame the sender did not send. */
  dtx: boolean;
}

export function lossRates(frames: ReadonlyArray<FrameLossInput>): LossRates {
  let n = 0;
  let lostNet = 0;
  let lostAfterFec = 0;
  let concealed = 0;
  for (const f of frames) {
    if (f.dtx) continue;
    n++;
    if (!f.arrived) {
      lostNet++;
      if (!f.recovered) lostAfterFec++;
    }
    if (f.concealed) concealed++;
  }
  const r = (x: number) => (n === 0 ? 0 : x / n);
  return { frames: n, beforeFec: r(lostNet), afterFec: r(lostAfterFec), afterJitterBuffer: r(concealed) };
}
