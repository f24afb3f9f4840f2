/**
 * What a variant's receiver did with each frame, recorded from its events: the outcome and
 * playout time of every frame slot, each media packet's fate (played, late, discarded), the
 * per-tick timeline of the buffer's target and level, and the degraded audio, padded so that
 * frame k of the reference lines up with frame k of the output.
 */
import { Series } from '../core/series.ts';
import type { FrameOutcome, ReceiverEvents, TickOp } from '../receiver/receiver.ts';
import type { JbFrame, JitterBufferState } from '../jitter-buffer/types.ts';
import { FRAME_OUTCOMES, type FrameOutcomeName, type PacketRecord } from './records.ts';

export const TICK_OPS = ['idle', 'normal', 'fec', 'expand', 'accelerate', 'preemptiveExpand', 'comfortNoise'] as const;

const TS_MOD = 0x100000000;

/** What sender adaptation learns from the receiver's events (null when adaptation is off). */
export interface PlayoutListener {
  onDiscarded(extSeq: number): void;
  onJitterBufferState(targetDelayMs: number): void;
}

export interface PlayoutTimeline {
  tMs: Float64Array;
  targetDelayMs: Float64Array;
  levelMs: Float64Array;
  op: Uint8Array;
}

export class PlayoutRecord {
  readonly mediaBySeq = new Map<number, PacketRecord>();
  readonly mediaByFrame: Array<PacketRecord | undefined>;
  readonly frameOutcome: Uint8Array;
  readonly framePlayoutMs: Float64Array;
  playoutStartMs: number | null = null;
  emittedSamples = 0;
  /** Silent frames written before the first played frame. */
  padFrames = 0;
  private firstFrame = -1;
  private readonly tl = { t: new Series(), target: new Series(), level: new Series(), op: [] as number[] };

  constructor(
    private readonly totalFrames: number,
    private readonly initialTimestamp: number,
    private readonly frameTs: number,
    private readonly onAudio: ((pcm: Int16Array) => void) | undefined,
    private readonly listener: PlayoutListener | null,
  ) {
    this.mediaByFrame = new Array(totalFrames);
    this.frameOutcome = new Uint8Array(totalFrames);
    this.framePlayoutMs = new Float64Array(totalFrames).fill(Number.NaN);
  }

  /** The frame index of an extended RTP timestamp. */
  frameOfTs(extTs: number): number {
    const off = (((extTs - this.initialTimestamp) % TS_MOD) + TS_MOD) % TS_MOD;
    return Math.round(off / this.frameTs);
  }

  /** A media packet left the sender. */
  noteMedia(rec: PacketRecord): void {
    this.mediaBySeq.set(rec.seq, rec);
    if (rec.frameIndex >= 0 && rec.frameIndex < this.totalFrames) this.mediaByFrame[rec.frameIndex] = rec;
  }

  /** The receiver's event hooks; `frameSamples` is the length of one frame of output. */
  events(frameSamples: () => number): ReceiverEvents {
    return {
      onFrame: (extTs, outcome, origin, nowMs) => this.onFrame(extTs, outcome, origin, nowMs),
      onPacketDropped: (extSeq, reason) => this.onPacketDropped(extSeq, reason),
      onTick: (nowMs, pcm, state, op) => this.onTick(nowMs, pcm, state, op, frameSamples),
    };
  }

  private onFrame(extTs: number, outcome: FrameOutcome, origin: JbFrame['origin'] | null, nowMs: number): void {
    const idx = this.frameOfTs(extTs);
    if (idx < 0 || idx >= this.totalFrames) return;
    const rec = this.mediaByFrame[idx];
    let name: FrameOutcomeName;
    if (outcome === 'normal') name = origin === 'primary' || origin === null ? 'normal' : origin;
    // 'dtx' means exactly "the sender never sent this frame": a sent frame the buffer filled
    // with comfort noise (its packet lost at a talkspurt start) was concealed, with silence;
    // an unsent frame is DTX silence however the buffer filled it.
    else if (rec === undefined) name = 'dtx';
    else name = outcome === 'dtx' ? 'concealed' : outcome;
    if (this.firstFrame < 0) this.firstFrame = idx;
    this.frameOutcome[idx] = FRAME_OUTCOMES.indexOf(name);
    this.framePlayoutMs[idx] = nowMs;
    if (rec && outcome === 'normal' && origin === 'primary') {
      rec.fate = 'played';
      rec.playoutMs = nowMs;
    }
  }

  private onPacketDropped(extSeq: number | null, reason: 'late' | 'duplicate' | 'discarded' | 'malformed'): void {
    if (extSeq === null) return;
    if (reason === 'late' || reason === 'discarded') this.listener?.onDiscarded(extSeq);
    const rec = this.mediaBySeq.get(extSeq & 0xffff);
    if (!rec) return;
    if (reason === 'late' && rec.fate !== 'played') rec.fate = 'late';
    else if (reason === 'discarded' && rec.fate !== 'played') rec.fate = 'discarded';
  }

  private onTick(nowMs: number, pcm: Int16Array | null, state: JitterBufferState, op: TickOp, frameSamples: () => number): void {
    this.tl.t.push(nowMs);
    this.tl.target.push(state.targetDelayMs);
    this.tl.level.push(state.levelMs);
    this.tl.op.push(TICK_OPS.indexOf(op));
    this.listener?.onJitterBufferState(state.targetDelayMs);
    if (!pcm) return;
    if (this.playoutStartMs === null) {
      this.playoutStartMs = nowMs;
      // Degraded audio starts at the first frame played; pad so that frame k sits at k frames.
      this.padFrames = Math.max(0, this.firstFrame);
      const silence = new Int16Array(frameSamples());
      for (let i = 0; i < this.padFrames; i++) this.onAudio?.(silence);
    }
    this.emittedSamples += pcm.length;
    this.onAudio?.(pcm);
  }

  /**
   * After the call: a frame the sender never sent is DTX silence whether or not a tick played its
   * slot (a buffer may skip slots of silence): 'unplayed' would count it as lost in BurstR and
   * windowed Ppl.
   */
  settleUnsentFrames(): void {
    const UNPLAYED = FRAME_OUTCOMES.indexOf('unplayed');
    const DTX = FRAME_OUTCOMES.indexOf('dtx');
    for (let i = 0; i < this.totalFrames; i++) if (this.mediaByFrame[i] === undefined && this.frameOutcome[i] === UNPLAYED) this.frameOutcome[i] = DTX;
  }

  timeline(): PlayoutTimeline {
    return { tMs: this.tl.t.toArray(), targetDelayMs: this.tl.target.toArray(), levelMs: this.tl.level.toArray(), op: Uint8Array.from(this.tl.op) };
  }
}
