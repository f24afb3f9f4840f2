/**
 * Recording what a listener hears: heard.wav (the mixed playout), one spoken-<speaker>.wav per
 * speaker heard (their captured, unimpaired PCM), results.json (W3C counters, channel stats and
 * summaries of the live session) and scenario.yaml, which re-runs the call offline with the
 * first speaker's WAV as the source and the listener's channel and receiver settings:
 * `jitterlab run reports/live/<session>/scenario.yaml`.
 */
import { join } from 'node:path';
import { stringify } from 'yaml';
import { writeFileAtomic } from '../core/atomic-write.ts';
import { summarize, type Summary } from '../metrics/percentile.ts';
import type { W3cInboundCounters } from '../receiver/w3c-counters.ts';
import { WavStreamWriter } from '../report/wav-stream.ts';
import type { ChannelStats } from '../channel/types.ts';
import { TOOL_VERSION } from '../report/version.ts';
import type { LegConfig } from './leg-config.ts';
import type { LegSnapshot } from './leg-window.ts';
import { liveMos, type LiveMos } from './emodel-live.ts';
import type { EffectiveSettings, MemberInfo } from './protocol.ts';
import { makeOutputDir } from '../core/make-dirs.ts';

export const LIVE_RESULTS_KIND = 'jitterlab-live-session';

export interface RecordedLeg {
  speaker: MemberInfo;
  config: LegConfig;
  countersAtStart: W3cInboundCounters;
  countersAtEnd: W3cInboundCounters;
  channelAtStart: ChannelStats;
  channelAtEnd: ChannelStats;
}

interface LegSamples {
  net: number[];
  target: number[];
  level: number[];
  mos: number[];
  /** Per played frame: concealed (true) or not, in playout order. */
  lost: boolean[];
}

const emptySamples = (): LegSamples => ({ net: [], target: [], level: [], mos: [], lost: [] });

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 80) || 'x';
}

function diff<T extends object>(a: T, b: T): T {
  const out = { ...b } as Record<string, number>;
  for (const k of Object.keys(b)) {
    const va = (a as Record<string, unknown>)[k];
    const vb = (b as Record<string, unknown>)[k];
    if (typeof va === 'number' && typeof vb === 'number') out[k] = vb - va;
  }
  return out as T;
}

function nullable(s: Summary): Record<string, number | null> {
  const o: Record<string, number | null> = {};
  for (const [k, v] of Object.entries(s) as Array<[string, number | null]>) o[k] = v !== null && Number.isFinite(v) ? v : null;
  return o;
}

export class LiveRecorder {
  private readonly heardWav: WavStreamWriter;
  private readonly spokenWavs = new Map<number, { file: string; wav: WavStreamWriter; name: string }>();
  private readonly samples = new Map<number, LegSamples>();
  private done = false;

  constructor(
    readonly dir: string,
    readonly session: string,
    readonly sampleRate: number,
    private readonly startMs: number,
  ) {
    makeOutputDir(dir);
    this.heardWav = new WavStreamWriter(join(dir, 'heard.wav'), sampleRate);
  }

  heard(pcm: Int16Array): void {
    if (!this.done) this.heardWav.write(pcm);
  }

  spoken(speaker: MemberInfo, pcm: Int16Array): void {
    if (this.done) return;
    let s = this.spokenWavs.get(speaker.id);
    if (!s) {
      const file = `spoken-${safe(speaker.name)}-${speaker.id}.wav`;
      s = { file, wav: new WavStreamWriter(join(this.dir, file), this.sampleRate), name: speaker.name };
      this.spokenWavs.set(speaker.id, s);
    }
    s.wav.write(pcm);
  }

  private samplesOf(speakerId: number): LegSamples {
    let s = this.samples.get(speakerId);
    if (!s) {
      s = emptySamples();
      this.samples.set(speakerId, s);
    }
    return s;
  }

  /** One played frame of a speaker's leg (for the whole-recording E-model's loss sequence). */
  frame(speakerId: number, concealed: boolean): void {
    if (!this.done) this.samplesOf(speakerId).lost.push(concealed);
  }

  sample(speakerId: number, snap: LegSnapshot): void {
    if (this.done) return;
    const s = this.samplesOf(speakerId);
    if (snap.netDelayMs !== null) s.net.push(snap.netDelayMs);
    if (snap.jbTargetMs !== null) s.target.push(snap.jbTargetMs);
    if (snap.jbLevelMs !== null) s.level.push(snap.jbLevelMs);
    if (snap.mos) s.mos.push(snap.mos.mosCQ);
  }

  /** Commit the files; returns the file names written. */
  finish(p: { endMs: number; room: string; listener: MemberInfo; effective: EffectiveSettings; legs: RecordedLeg[] }): string[] {
    this.done = true;
    this.heardWav.commit();
    const files = ['heard.wav'];
    for (const s of this.spokenWavs.values()) {
      s.wav.commit();
      files.push(s.file);
    }
    const legs = p.legs.map((l) => {
      const w3c = diff(l.countersAtStart, l.countersAtEnd);
      w3c.jitter = l.countersAtEnd.jitter;
      const ch = diff(l.channelAtStart, l.channelAtEnd);
      const s = this.samples.get(l.speaker.id) ?? emptySamples();
      const net = summarize(s.net);
      const target = summarize(s.target);
      const concealedFrames = w3c.concealedSamples / (this.sampleRate * l.config.codec.frameMs * 1e-3);
      const playedFrames = w3c.totalSamplesReceived / (this.sampleRate * l.config.codec.frameMs * 1e-3);
      const mos: LiveMos | null = liveMos({
        lost: s.lost,
        codec: l.config.codec,
        networkDelayMs: net.mean ?? 0,
        jitterBufferMs: target.mean ?? 0,
        deviceBufferMs: l.config.deviceBufferMs,
      });
      return {
        speaker: l.speaker,
        preset: l.config.preset,
        buffer: l.config.bufferLabel,
        w3c,
        channel: ch,
        concealedFrames: Math.round(concealedFrames),
        playedFrames: Math.round(playedFrames),
        effectiveLossPct: playedFrames > 0 ? (100 * concealedFrames) / playedFrames : null,
        networkDelayMs: nullable(net),
        jitterBufferTargetMs: nullable(target),
        jitterBufferLevelMs: nullable(summarize(s.level)),
        mosCqWindows: nullable(summarize(s.mos)),
        emodel: mos ? { mosCQ: mos.mosCQ, mosLQ: mos.mosLQ, R: mos.R, pplPercent: mos.pplPercent, burstR: mos.burstR, mouthToEarMs: mos.mouthToEarMs, bandwidth: mos.bandwidth } : null,
      };
    });
    const first = [...this.spokenWavs.values()][0];
    const firstLeg = p.legs[0];
    if (first && firstLeg) {
      writeFileAtomic(join(this.dir, 'scenario.yaml'), this.scenarioYaml(first.file, first.wav.sampleCount, firstLeg.config));
      files.push('scenario.yaml');
    }
    const results = {
      kind: LIVE_RESULTS_KIND,
      schemaVersion: 1,
      tool: { name: 'jitterlab', version: TOOL_VERSION },
      session: this.session,
      room: p.room,
      listener: p.listener,
      durationS: (p.endMs - this.startMs) / 1000,
      heardSeconds: this.heardWav.sampleCount / this.sampleRate,
      sampleRate: this.sampleRate,
      effective: p.effective,
      legs,
      files: [...files, 'results.json'],
    };
    writeFileAtomic(join(this.dir, 'results.json'), `${JSON.stringify(results, null, 1)}\n`);
    files.push('results.json');
    return files;
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    this.heardWav.abort();
    for (const s of this.spokenWavs.values()) s.wav.abort();
  }

  private scenarioYaml(sourceFile: string, samples: number, cfg: LegConfig): string {
    const durationS = Math.max(0.02, Math.floor((samples / this.sampleRate) * 100) / 100);
    const doc = {
      name: `live-${safe(this.session)}`,
      description: `Offline re-run of live session ${this.session} (preset ${cfg.preset}, buffer ${cfg.bufferLabel})`,
      seed: cfg.seed,
      durationS,
      source: { file: sourceFile, loop: false },
      sender: { codec: cfg.codec },
      channel: cfg.channel,
      receiver: { jitterBuffer: cfg.jitterBufferConfig, plc: cfg.plc, fec: cfg.fec, deviceBufferMs: cfg.deviceBufferMs },
    };
    return `# Written by jitterlab serve. Re-run: jitterlab run ${join(this.dir, 'scenario.yaml')}\n${stringify(doc)}`;
  }
}
