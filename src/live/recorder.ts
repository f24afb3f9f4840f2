/**
 * A recording of what one listener hears (a room member, or an RTP stream's playout), saved
 * under reports/live/<session>/: heard.wav (the playout), one source WAV per speaker heard (their
 * audio before the network: a member's captured PCM, an RTP stream's packets decoded as they
 * arrived), results.json (per leg: settings periods with their channel statistics, W3C counters,
 * loss by sequence number and E-model, and totals that are the sums of the periods) and
 * scenario.yaml, which re-runs the call offline with the first speaker's audio, the first
 * period's settings and the later ones as phases: `jitterlab run reports/live/<session>/scenario.yaml`.
 *
 * Audio is streamed to disk. Byte limits (recording-quota.ts) stop a recording cleanly: the
 * owner is told once (onLimit) and saves what was written; a write error does the same.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../core/atomic-write.ts';
import type { CodecConfig } from '../codec/config.ts';
import { WavStreamWriter } from '../report/wav-stream.ts';
import { TOOL_VERSION } from '../report/version.ts';
import type { LiveLeg } from './leg.ts';
import type { LegSnapshot } from './leg-window.ts';
import type { EffectiveSettings, MemberInfo } from './protocol.ts';
import { makeOutputDir } from '../core/make-dirs.ts';
import { RecordedLeg } from './recorded-leg.ts';
import type { RecordingQuota } from './recording-quota.ts';
import { recordingScenarioYaml } from './recording-scenario.ts';

export const LIVE_RESULTS_KIND = 'jitterlab-live-session';

export interface RecorderOptions {
  dir: string;
  session: string;
  sampleRate: number;
  startMs: number;
  quota: RecordingQuota;
  /** The file of a speaker's source audio (default spoken-<name>-<id>.wav). */
  sourceFileName?(speaker: MemberInfo): string;
  /** A byte limit or a write error stopped the recording: the owner should finish it (called once). */
  onLimit(reason: string): void;
}

export interface FinishInput {
  endMs: number;
  room: string;
  listener: MemberInfo;
  effective: EffectiveSettings;
  /** Why it ended, when not by request (a limit, the listener left, the stream ended). */
  reason?: string;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80) || 'x';
}

interface SourceWav {
  file: string;
  wav: WavStreamWriter;
}

export class LiveRecorder {
  private readonly heardWav: WavStreamWriter;
  private readonly sources = new Map<number, SourceWav>();
  private readonly legs = new Map<number, RecordedLeg>();
  private bytes = 0;
  private stopped: string | null = null;
  private done = false;

  private constructor(private readonly o: RecorderOptions) {
    makeOutputDir(o.dir);
    this.heardWav = new WavStreamWriter(join(o.dir, 'heard.wav'), o.sampleRate);
  }

  /** A new recording under the quota's limits, or why not (a limit, or its folder cannot be made). */
  static open(o: RecorderOptions): LiveRecorder | string {
    const refused = o.quota.acquire();
    if (refused) return refused;
    try {
      return new LiveRecorder(o);
    } catch (e) {
      o.quota.release();
      return `recording failed: ${(e as Error).message}`;
    }
  }

  get dir(): string {
    return this.o.dir;
  }

  get session(): string {
    return this.o.session;
  }

  /** Why the recording stopped on its own (a limit or a write error), or null. */
  get stopReason(): string | null {
    return this.stopped;
  }

  private write(wav: WavStreamWriter, pcm: Int16Array): void {
    if (this.done || this.stopped) return;
    const n = pcm.length * 2;
    const refused = this.o.quota.charge(this.bytes, n);
    if (refused) return this.stop(refused);
    try {
      wav.write(pcm);
      this.bytes += n;
    } catch (e) {
      this.stop(`recording stopped: cannot write: ${(e as Error).message}`);
    }
  }

  private stop(reason: string): void {
    if (this.stopped) return;
    this.stopped = reason;
    this.o.onLimit(reason);
  }

  heard(pcm: Int16Array): void {
    this.write(this.heardWav, pcm);
  }

  /** A speaker's source audio (before the network). */
  spoken(speaker: MemberInfo, pcm: Int16Array): void {
    if (this.done || this.stopped) return;
    let s = this.sources.get(speaker.id);
    if (!s) {
      const file = this.o.sourceFileName ? this.o.sourceFileName(speaker) : `spoken-${safe(speaker.name)}-${speaker.id}.wav`;
      s = { file, wav: new WavStreamWriter(join(this.o.dir, file), this.o.sampleRate) };
      this.sources.set(speaker.id, s);
    }
    this.write(s.wav, pcm);
  }

  /** Position in a speaker's source audio, ms (its timeline for the offline re-run). */
  private sourceMs(speakerId: number): number {
    const s = this.sources.get(speakerId);
    return s ? (s.wav.sampleCount * 1000) / this.o.sampleRate : 0;
  }

  private at(speakerId: number, nowMs: number) {
    return { atMs: nowMs, sourceMs: this.sourceMs(speakerId) };
  }

  /** A leg to record from now on (at the start, or a speaker who joined while recording). */
  addLeg(speaker: MemberInfo, leg: LiveLeg, nowMs: number, codecOf: () => CodecConfig): void {
    if (this.done || this.legs.has(speaker.id)) return;
    this.legs.set(speaker.id, new RecordedLeg(speaker, leg, this.at(speaker.id, nowMs), codecOf));
  }

  /** A leg goes away (its speaker left): its record ends here and is kept. */
  removeLeg(speakerId: number, nowMs: number): void {
    this.legs.get(speakerId)?.close(this.at(speakerId, nowMs));
  }

  /** Settings changed for the listener (after its legs were reconfigured): a new period on every leg. */
  newPeriod(nowMs: number): void {
    if (this.done) return;
    for (const [id, l] of this.legs) l.newPeriod(this.at(id, nowMs));
  }

  sample(speakerId: number, snap: LegSnapshot): void {
    if (!this.done) this.legs.get(speakerId)?.sample(snap);
  }

  /** Close the legs and commit the files; returns the file names written. */
  finish(p: FinishInput): string[] {
    if (this.done) return [];
    for (const [id, l] of this.legs) l.close(this.at(id, p.endMs));
    this.done = true;
    this.heardWav.commit();
    const files = ['heard.wav'];
    for (const s of this.sources.values()) {
      s.wav.commit();
      files.push(s.file);
    }
    const legs = [...this.legs.values()];
    const scenarioLeg = legs.find((l) => this.sources.has(l.speaker.id) && this.sources.get(l.speaker.id)!.wav.sampleCount > 0);
    if (scenarioLeg) {
      const src = this.sources.get(scenarioLeg.speaker.id)!;
      const path = join(this.o.dir, 'scenario.yaml');
      const yaml = recordingScenarioYaml({
        session: safe(this.o.session),
        path,
        sourceFile: src.file,
        sourceSamples: src.wav.sampleCount,
        sampleRate: this.o.sampleRate,
        codec: scenarioLeg.codec,
        periods: scenarioLeg.periods,
      });
      writeFileAtomic(path, yaml);
      files.push('scenario.yaml');
    }
    const results = {
      kind: LIVE_RESULTS_KIND,
      schemaVersion: 2,
      tool: { name: 'jitterlab', version: TOOL_VERSION },
      session: this.o.session,
      room: p.room,
      listener: p.listener,
      durationS: (p.endMs - this.o.startMs) / 1000,
      heardSeconds: this.heardWav.sampleCount / this.o.sampleRate,
      sampleRate: this.o.sampleRate,
      audioBytes: this.bytes,
      endedBy: this.stopped ?? p.reason ?? 'stopped',
      effective: p.effective,
      legs: legs.map((l) => l.result(this.o.startMs)),
      files: [...files, 'results.json'],
    };
    writeFileAtomic(join(this.o.dir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
    files.push('results.json');
    return files;
  }

  /** Drop the files (only when the recording could not be saved at all). */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.heardWav.abort();
    for (const s of this.sources.values()) s.wav.abort();
  }
}
