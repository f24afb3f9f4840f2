/**
 * Frame repetition with fade-out (Perkins, Hodson & Hardman 1998, "repetition with fading"):
 * a missing frame is replaced by the last real frame, repeated for as long as the burst lasts,
 * with a gain falling linearly from 1 at the start of the burst to 0 after `fadeMs` (60 ms by
 * default), then silence.
 *
 * Joins, none of which may click:
 * - the frame boundary inside the repeated segment (its end followed by its own start) is made
 *   continuous by cross-fading the segment's last `spliceMs` with the samples that preceded its
 *   start (the same trick as G.711 App. I's 1/4-period overlap-add at the pitch-buffer wrap);
 * - the first concealed sample is pulled onto the linear prediction from the last real samples
 *   (`correctOnset`: the receiver plays frames at once, so there is no look-ahead to overlap-add);
 * - the next real frame is overlap-added with the continued (faded) repetition over `mergeMs`.
 */
import { JitterlabError } from '../core/errors.ts';
import { assertSampleRate, msToSamples } from './sample-rate.ts';
import { assertSampleCount } from './sample-count.ts';
import { SampleHistory } from './sample-history.ts';
import { correctOnset, mergeInto } from './splice.ts';
import { toInt16 } from './pcm.ts';
import type { Concealer } from './types.ts';

export interface RepeatOptions {
  /** Burst length at which the repetition has faded to silence (ms). Default 60. */
  fadeMs?: number;
  /** Cross-fade at the wrap of the repeated frame, and onset correction length (ms). Default 2.5. */
  spliceMs?: number;
  /** Overlap-add of the continued repetition into the next real frame (ms). Default 5. */
  mergeMs?: number;
}

export class RepeatConcealer implements Concealer {
  readonly kind = 'repeat';
  private readonly fadeLen: number;
  private readonly spliceLen: number;
  private readonly mergeLen: number;
  /** Real frames only (the repeated frame stays the last real one across a burst). */
  private readonly history: SampleHistory;
  private lastFrameLength = 0;
  private segment = new Float32Array(0);
  private segmentLength = 0;
  /** Samples concealed so far in the current burst; 0 when not concealing. */
  private position = 0;
  private scratch = new Float32Array(0);

  constructor(
    readonly sampleRate: number = 48000,
    options: RepeatOptions = {},
  ) {
    assertSampleRate(sampleRate);
    for (const [name, v] of Object.entries(options)) {
      if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
        throw new JitterlabError('internal', `repeat concealer: ${name} must be a positive number of ms, got ${String(v)}`);
      }
    }
    this.fadeLen = Math.max(1, msToSamples(options.fadeMs ?? 60, sampleRate));
    this.spliceLen = Math.max(1, msToSamples(options.spliceMs ?? 2.5, sampleRate));
    this.mergeLen = Math.max(1, msToSamples(options.mergeMs ?? 5, sampleRate));
    this.history = new SampleHistory(msToSamples(20, sampleRate) + this.spliceLen);
  }

  onDecoded(frame: Int16Array): void {
    if (this.position > 0) {
      const len = Math.min(this.mergeLen, frame.length);
      const synth = this.ensureScratch(len);
      this.generate(synth, len);
      mergeInto(frame, synth, len);
      this.position = 0;
    }
    this.history.ensureCapacity(frame.length + this.spliceLen);
    this.history.push(frame);
    this.lastFrameLength = frame.length;
  }

  conceal(samples: number): Int16Array {
    assertSampleCount(samples);
    const out = new Int16Array(samples);
    if (samples === 0) return out;
    const starting = this.position === 0;
    if (starting) this.startBurst();
    const buf = this.ensureScratch(samples);
    this.generate(buf, samples);
    if (starting && this.history.filled >= 2) {
      const h = this.history.data;
      const n = h.length;
      correctOnset(buf, Math.min(this.spliceLen, samples), h[n - 1], h[n - 2]);
    }
    for (let i = 0; i < samples; i++) out[i] = toInt16(buf[i]);
    return out;
  }

  /** Copy the last real frame, with its tail blended into the samples that preceded its start. */
  private startBurst(): void {
    const L = Math.min(this.lastFrameLength, this.history.filled);
    this.segmentLength = L;
    if (L === 0) return;
    if (this.segment.length < L) this.segment = new Float32Array(this.history.capacity);
    const h = this.history.data;
    const start = h.length - L;
    const x = Math.min(this.spliceLen, this.history.filled - L, L >> 1);
    for (let i = 0; i < L - x; i++) this.segment[i] = h[start + i];
    for (let j = 0; j < x; j++) {
      const w = (j + 1) / (x + 1);
      const i = L - x + j;
      this.segment[i] = (1 - w) * h[start + i] + w * h[start - x + j];
    }
  }

  /** Next `count` samples of the faded repetition (advances the burst position). */
  private generate(out: Float32Array, count: number): void {
    const L = this.segmentLength;
    let pos = this.position;
    for (let i = 0; i < count; i++, pos++) {
      if (L === 0 || pos >= this.fadeLen) {
        out[i] = 0;
        continue;
      }
      out[i] = this.segment[pos % L] * (1 - pos / this.fadeLen);
    }
    this.position = pos;
  }

  private ensureScratch(n: number): Float32Array {
    if (this.scratch.length < n) this.scratch = new Float32Array(n);
    return this.scratch;
  }
}
