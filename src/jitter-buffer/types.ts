/**
 * The jitter buffer's interface: policy only (in the manner of NetEq's DecisionLogic and
 * DelayManager). The buffer stores frames and decides, at each playout need, what the receiver
 * does next; the receiver owns the mechanisms (decoder, concealment, time-stretching, merge) and
 * the W3C counters. Time is always passed in; a buffer never reads a clock.
 *
 * Timestamps and sequence numbers here are *extended* (unwrapped: monotonic across the 16-bit and
 * 32-bit wraps, see src/rtp/wrap.ts); timestamps are in RTP clock units (48 kHz for Opus, RFC 7587).
 */

export type FrameOrigin = 'primary' | 'red' | 'parity' | 'rtx';

export interface JbFrame {
  seq: number;
  timestamp: number;
  /** Frame length in RTP timestamp units (e.g. 960 for 20 ms at 48 kHz). */
  durationTs: number;
  /** RTP marker bit: start of a talkspurt (RFC 3551 section 4.1). */
  marker: boolean;
  payload: Uint8Array;
  arrivalMs: number;
  /** How the frame reached the receiver: its own packet, or rebuilt from redundancy. */
  origin: FrameOrigin;
  /** The payload carries Opus in-band FEC (LBRR) for the frame before it. */
  hasFec: boolean;
}

export type InsertResult =
  | { status: 'buffered' }
  /** Same timestamp already buffered or already played (not counted as discarded, per W3C). */
  | { status: 'duplicate' }
  /** Arrived after its playout time: discarded (W3C packetsDiscarded). */
  | { status: 'late' }
  /** Dropped by the buffer's own policy (overflow, flush). */
  | { status: 'discarded'; reason: string };

/**
 * Decisions that decode a frame may say how long it waited in the buffer, as the buffer measures
 * it (NetEq: whole 10 ms ticks from insertion to extraction); W3C jitterBufferDelay adds it per
 * emitted sample. Absent: the receiver uses the time since the frame's arrival.
 */
interface Decoded {
  frame: JbFrame;
  waitingMs?: number;
}

export type Decision =
  /** Playout has not started yet (pre-roll): the receiver plays silence and counts nothing. */
  | { op: 'idle' }
  /** Decode `frame` as it is. */
  | ({ op: 'normal' } & Decoded)
  /** The frame due now is missing; decode the in-band FEC carried by `frame` (the next one) instead. */
  | ({ op: 'fec' } & Decoded)
  /**
   * Conceal: one frame, or, for a buffer with an output block, until the sync buffer holds a
   * block (the frame due now is missing, or late).
   */
  | { op: 'expand' }
  /** Decode `frame` and shorten it by about one pitch period (several with `fast`; reduces delay). */
  | ({ op: 'accelerate'; fast?: boolean } & Decoded)
  /** Decode `frame` and lengthen it by about one pitch period (adds delay). */
  | ({ op: 'preemptiveExpand' } & Decoded)
  /** A timestamp gap with no sequence gap (sender DTX): play comfort noise, no loss. */
  | { op: 'comfortNoise' }
  /**
   * Only for a buffer with an output block: the sync buffer already holds this block; play on
   * from it without decoding or concealing anything (NetEq's normal operation without extraction).
   */
  | { op: 'hold' };

export interface PlayoutContext {
  /** Audio already decoded and waiting to be played (the sync buffer), in ms. */
  syncBufferMs: number;
  /** What the receiver did last (the previous decision's op; 'hold' is not an op it does). */
  lastOp: Decision['op'] | null;
  /**
   * Audio removed (> 0) or inserted (< 0) by the last op the receiver executed, if it was an
   * accelerate or preemptive expand (ms); 0 when that op was something else or stretched nothing.
   */
  lastStretchMs?: number;
}

export interface JitterBufferState {
  /** The delay the buffer aims for (ms); W3C jitterBufferTargetDelay is its sum per emitted sample. */
  targetDelayMs: number;
  /** Audio currently buffered, in ms of media time (frames held + the sync buffer). */
  levelMs: number;
  /**
   * The target before limits imposed from outside the delay estimate (a configured minimum or
   * maximum delay); W3C jitterBufferMinimumDelay is its sum per emitted sample. Absent: the
   * buffer has no such limits and it equals targetDelayMs.
   */
  minimumDelayMs?: number;
}

export interface JitterBufferHost {
  /** Codec frame length in ms and RTP clock rate (48000 for Opus). */
  frameMs: number;
  clockRate: number;
  /** Called whenever the buffer throws away a frame it had accepted (overflow, progressive discard). */
  onDiscard(frame: JbFrame, reason: string, nowMs: number): void;
  /** Whether the receiver may recover a missing frame from the next frame's Opus in-band FEC. */
  useInbandFec: boolean;
  /** Latest round-trip time estimate from RTCP (ms), or null before the first report. */
  rttMs(): number | null;
  /**
   * The realized arrival trace of the whole call (offline only; null live). Only the `oracle`
   * reference buffer may use it: it is the offline bound, not a real buffer.
   */
  trace: ReadonlyArray<{ timestamp: number; arrivalMs: number | null }> | null;
}

export interface JitterBuffer {
  readonly kind: string;
  /**
   * The buffer decides once per output block of this many ms (NetEq: 10 ms, its GetAudio period)
   * rather than once per frame: the receiver then plays blocks of this length, one tick each,
   * and calls next() at least once every tick (the buffer may answer 'hold'). It must divide the
   * frame length. Absent: one tick per frame, next() called only while the sync buffer lacks one.
   */
  readonly outputBlockMs?: number;
  /** A frame arrives (its arrival time is `frame.arrivalMs === nowMs`). */
  insert(frame: JbFrame, nowMs: number): InsertResult;
  /** The receiver needs the next frame's (or block's) worth of audio at `nowMs`. */
  next(nowMs: number, ctx: PlayoutContext): Decision;
  state(nowMs: number): JitterBufferState;
}

export type JitterBufferFactory = (options: Record<string, unknown>, host: JitterBufferHost) => JitterBuffer;
