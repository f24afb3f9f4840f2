import type { FrameStore } from './frame-store.ts';

/** RTP timestamp units to milliseconds of media time. */
export function tsToMs(ts: number, clockRate: number): number {
  return (ts * 1000) / clockRate;
}

/**
 * Audio buffered, in ms of media time: from the playout cursor (or, before playout starts, the
 * earliest held frame) to the end of the latest held frame, plus the receiver's sync buffer.
 * Holes count: a missing frame inside the span is still time the buffer covers (NetEq's
 * packet-buffer span, `GetSpanSamples`, counts them the same way).
 */
export function bufferLevelMs(store: FrameStore, cursorTs: number | null, clockRate: number, syncBufferMs: number): number {
  const last = store.last();
  const first = store.first();
  if (!last || !first) return syncBufferMs;
  const from = cursorTs ?? first.timestamp;
  const spanTs = Math.max(0, last.timestamp + last.durationTs - from);
  return tsToMs(spanTs, clockRate) + syncBufferMs;
}
