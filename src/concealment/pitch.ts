/**
 * Pitch-period waveform substitution in the manner of ITU-T G.711 Appendix I (1999), generalised
 * from 8 kHz / 10 ms frames to any rate in 8..48 kHz and any frame length (all constants in ms):
 *
 * - keep 48.75 ms of history (3 x the longest pitch period, 15 ms, plus a quarter of it);
 * - at the first lost frame estimate the pitch period T by normalised cross-correlation of the
 *   last 20 ms against the history 5..15 ms earlier (coarse at ~4 kHz, then refined at full rate);
 * - synthesise by repeating the last period; the wrap of the period buffer is overlap-added over
 *   T/4 (the buffer's tail is cross-faded into the samples that preceded its start);
 * - after 10 ms of loss use the last 2 periods, after 20 ms the last 3 (repeating one period for
 *   long sounds buzzy), each switch overlap-added over T/4;
 * - attenuate linearly by 20 % per 10 ms from 10 ms on: silence from 60 ms;
 * - at the first good frame, overlap-add the continued synthesis into it over 4 ms, plus 4 ms per
 *   further 10 ms of loss, at most 10 ms.
 *
 * One deliberate difference: G.711 App. I delays its output by 3.75 ms so that the start of a loss
 * can be overlap-added with the last real samples. The receiver plays each frame as soon as it is
 * decoded, so instead the first T/4 concealed samples get an onset correction (`correctOnset`).
 *
 * The history records what was played, synthetic samples included (as G.711 App. I does), so a
 * loss soon after another one is concealed from the audio the listener heard. The period buffers
 * are taken from a snapshot of the history at the start of the loss.
 */
import { assertSampleRate, coarseDecimation, msToSamples } from './sample-rate.ts';
import { assertSampleCount } from './sample-count.ts';
import { MatchSearch } from './match-search.ts';
import { SampleHistory } from './sample-history.ts';
import { correctOnset, mergeInto } from './splice.ts';
import { toInt16 } from './pcm.ts';
import type { Concealer } from './types.ts';

const HISTORY_MS = 48.75;
const MIN_PITCH_MS = 5;
const MAX_PITCH_MS = 15;
const CORRELATION_MS = 20;
/** Near-ties between T, 2T, 3T go to the shortest lag (see MatchSearch `pick`). */
const SUBHARMONIC_RATIO = 0.9;

export class PitchConcealer implements Concealer {
  readonly kind = 'pitch';
  private readonly historyLen: number;
  private readonly minLag: number;
  private readonly maxLag: number;
  private readonly corrLen: number;
  private readonly ms10: number;
  private readonly silentAt: number;
  private readonly history: SampleHistory;
  /** Snapshot of the history at the start of the current loss. */
  private readonly frozen: Float32Array;
  private readonly search = new MatchSearch();
  private readonly decimation: number;

  private period = 0;
  private quarter = 0;
  private periods = 0;
  /** Current and previous period buffers (the previous one is faded out over T/4 after a switch). */
  private current: Float32Array;
  private currentLength = 0;
  private previous: Float32Array;
  private previousLength = 0;
  private fadeLeft = 0;
  /** Samples concealed so far in the current loss; 0 when not concealing. */
  private position = 0;
  private scratch = new Float32Array(0);

  constructor(readonly sampleRate: number = 48000) {
    assertSampleRate(sampleRate);
    this.historyLen = msToSamples(HISTORY_MS, sampleRate);
    this.minLag = msToSamples(MIN_PITCH_MS, sampleRate);
    this.maxLag = msToSamples(MAX_PITCH_MS, sampleRate);
    this.corrLen = msToSamples(CORRELATION_MS, sampleRate);
    this.ms10 = msToSamples(10, sampleRate);
    this.silentAt = 6 * this.ms10;
    this.history = new SampleHistory(this.historyLen);
    this.frozen = new Float32Array(this.historyLen);
    this.current = new Float32Array(3 * this.maxLag);
    this.previous = new Float32Array(3 * this.maxLag);
    this.decimation = coarseDecimation(sampleRate);
  }

  /** Pitch period (samples) estimated at the start of the current or last loss; 0 before any loss. */
  get pitchPeriod(): number {
    return this.period;
  }

  onDecoded(frame: Int16Array): void {
    if (this.position > 0) {
      // G.711 App. I: 4 ms for a loss of up to 10 ms, +4 ms per further 10 ms, at most 10 ms.
      const extra = Math.max(0, Math.ceil(this.position / this.ms10) - 1);
      const olaMs = Math.min(10, 4 + 4 * extra);
      const len = Math.min(frame.length, msToSamples(olaMs, this.sampleRate));
      const synth = this.ensureScratch(len);
      this.generate(synth, len);
      mergeInto(frame, synth, len);
      this.position = 0;
    }
    this.history.push(frame);
  }

  conceal(samples: number): Int16Array {
    assertSampleCount(samples);
    const out = new Int16Array(samples);
    if (samples === 0) return out;
    const starting = this.position === 0;
    if (starting) this.startLoss();
    const buf = this.ensureScratch(samples);
    this.generate(buf, samples);
    if (starting) {
      const h = this.frozen;
      const n = h.length;
      correctOnset(buf, Math.min(this.quarter, samples), h[n - 1], h[n - 2]);
    }
    for (let i = 0; i < samples; i++) out[i] = toInt16(buf[i]);
    this.history.push(out);
    return out;
  }

  private startLoss(): void {
    this.frozen.set(this.history.data);
    const n = this.historyLen;
    const ref = n - this.corrLen;
    this.search.load(this.frozen, n, this.decimation);
    // Candidates start 5..15 ms before the reference; prefer the latest (shortest lag).
    const lo = ref - this.maxLag;
    const hi = ref - this.minLag;
    const c = this.search.find(ref, this.corrLen, lo, hi, hi, SUBHARMONIC_RATIO);
    this.period = ref - c;
    this.quarter = Math.max(1, this.period >> 2);
    this.periods = 1;
    this.currentLength = this.buildPeriods(this.current, 1);
    this.previousLength = 0;
    this.fadeLeft = 0;
  }

  /**
   * The last `m` periods of the snapshot, with the last T/4 cross-faded into the T/4 samples that
   * preceded them, so that the buffer repeats without a discontinuity. Needs m*T + T/4 <= 48.75 ms.
   */
  private buildPeriods(dst: Float32Array, m: number): number {
    const h = this.frozen;
    const len = m * this.period;
    const q = this.quarter;
    const start = h.length - len;
    for (let i = 0; i < len - q; i++) dst[i] = h[start + i];
    for (let j = 0; j < q; j++) {
      const w = (j + 1) / (q + 1);
      const i = len - q + j;
      dst[i] = (1 - w) * h[start + i] + w * h[start - q + j];
    }
    return len;
  }

  /** Next `count` samples of the attenuated synthesis (advances the loss position). */
  private generate(out: Float32Array, count: number): void {
    let pos = this.position;
    const ms10 = this.ms10;
    for (let i = 0; i < count; i++, pos++) {
      if (pos >= this.silentAt) {
        out[i] = 0;
        continue;
      }
      if (this.periods < 3 && pos === this.periods * ms10) this.addPeriod();
      let v = this.current[pos % this.currentLength];
      if (this.fadeLeft > 0) {
        const w = (this.quarter - this.fadeLeft + 1) / (this.quarter + 1);
        v = (1 - w) * this.previous[pos % this.previousLength] + w * v;
        this.fadeLeft--;
      }
      const gain = pos < ms10 ? 1 : 1 - (0.2 * (pos - ms10)) / ms10;
      out[i] = v * gain;
    }
    this.position = pos;
  }

  private addPeriod(): void {
    const spare = this.previous;
    this.previous = this.current;
    this.previousLength = this.currentLength;
    this.current = spare;
    this.periods++;
    this.currentLength = this.buildPeriods(this.current, this.periods);
    this.fadeLeft = this.quarter;
  }

  private ensureScratch(n: number): Float32Array {
    if (this.scratch.length < n) this.scratch = new Float32Array(n);
    return this.scratch;
  }
}
