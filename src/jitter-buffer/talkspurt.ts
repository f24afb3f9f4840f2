import { isDtxFrame } from './playout-cursor.ts';
import type { JbFrame } from './types.ts';

/**
 * Whether `f` starts a talkspurt after `lastPlayed`: the RTP marker bit (RFC 3551 section 4.1:
 * first packet after a silence period), or speech resuming after sender DTX (the last played
 * frame was an Opus DTX frame, or the timestamp jumps while the sequence number does not).
 * Playout points move only here, so that no gap or overlap is introduced inside speech.
 */
export function startsTalkspurt(f: JbFrame, lastPlayed: JbFrame | null): boolean {
  if (isDtxFrame(f)) return false;
  if (f.marker) return true;
  if (lastPlayed === null) return false;
  if (isDtxFrame(lastPlayed)) return true;
  return f.seq === lastPlayed.seq + 1 && f.timestamp > lastPlayed.timestamp + lastPlayed.durationTs;
}
