/**
 * A whole scenario offline: the source is read once, each distinct sender setting is encoded
 * once, and every variant runs against the same network realization (same seed, same slots).
 */
import { opusLookaheadMs } from '../codec/config.ts';
import { SeedTree } from '../core/rng.ts';
import { resolveJitterBuffer, type JitterBufferMaker } from '../jitter-buffer/registry.ts';
import type { ResolvedVariant, Scenario } from '../scenario/load.ts';
import { encodeStream, encodingKey, type EncodedStream } from '../sender/encoded-stream.ts';
import type { RtpInit } from '../sender/media-sender.ts';
import { AudioSource } from '../source/audio-source.ts';
import { aggregateVariant, type VariantAggregates } from './aggregate.ts';
import { streamIdsFor } from './redundancy.ts';
import { decodeReference } from './reference-decode.ts';
import { runVariant, type VariantRun, type VariantRunInput } from './run-variant.ts';
import { simAdaptationInput } from '../sender/adaptation/sim-adaptation.ts';

export interface AudioSink {
  /** Called once per variant before the run; returns where the degraded audio goes. */
  degraded(variant: string, sampleRate: number): { write(pcm: Int16Array): void };
  /** The loss-free decode of an encoding (reference), once per distinct encoding. */
  reference(variant: string, sampleRate: number): { write(pcm: Int16Array): void } | null;
}

export interface VariantResult {
  name: string;
  description: string;
  variant: ResolvedVariant;
  encodingIndex: number;
  run: VariantRun;
  aggregates: VariantAggregates;
  frameMs: number;
  sampleRate: number;
  /** Leading silence written so degraded audio lines up with the reference frame by frame. */
  alignmentPadFrames: number;
}

export interface ScenarioRun {
  scenario: Scenario;
  seed: number;
  rtp: RtpInit;
  slotMs: number;
  variants: VariantResult[];
  encodings: Array<{ key: string; frames: number; bytes: number; bitrateKbps: number }>;
  timing: { encodeMs: number; variantsMs: number };
}

export interface RunOptions {
  seed?: number;
  audio?: AudioSink;
  /** Reuse encodings across runs (sweeps): key → stream. */
  encodingCache?: Map<string, EncodedStream>;
  /** Source cache across runs: file+rate → source. */
  sourceCache?: Map<string, AudioSource>;
  /** Progress of a browser variant, which runs in real time (call ms done / total). */
  browserProgress?: (variant: string, doneMs: number, totalMs: number) => void;
  /** Called as each variant finishes (its audio written); the next one runs when it has returned (or resolved). */
  onVariant?: (result: VariantResult, index: number) => void | Promise<void>;
}

export function rtpInitFor(seed: number, rtp: { payloadType: number; ssrc: number | null; initialSeq: number | null; initialTimestamp: number | null }): RtpInit {
  // RFC 3550 section 5.1 / 8: random initial sequence number, timestamp and SSRC, from the seed.
  const s = new SeedTree(seed).stream('rtp.init');
  const ssrc = s.nextUint32();
  const seq = s.nextUint32() & 0xffff;
  const ts = s.nextUint32();
  return { payloadType: rtp.payloadType, ssrc: rtp.ssrc ?? ssrc, initialSeq: rtp.initialSeq ?? seq, initialTimestamp: rtp.initialTimestamp ?? ts };
}

export async function runScenario(scenario: Scenario, opts: RunOptions = {}): Promise<ScenarioRun> {
  const cfg = scenario.config;
  const seed = opts.seed ?? cfg.seed;
  const durationMs = cfg.durationS * 1000;
  const baseFrameMs = cfg.sender.codec.frameMs;
  const slotMs = cfg.slotMs ?? baseFrameMs;
  const rtp = rtpInitFor(seed, cfg.sender.rtp);
  const sources = opts.sourceCache ?? new Map<string, AudioSource>();
  const encodings = opts.encodingCache ?? new Map<string, EncodedStream>();
  const usedKeys: string[] = [];
  const results: VariantResult[] = [];
  let encodeMs = 0;
  let variantsMs = 0;

  for (const v of scenario.variants) {
    const codec = v.sender.codec;
    const frames = Math.ceil(durationMs / codec.frameMs);
    const srcKey = `${scenario.sourceFile}@${codec.sampleRate}@${JSON.stringify(cfg.source)}`;
    let source = sources.get(srcKey);
    if (!source) {
      source = AudioSource.fromWav(scenario.sourceFile, cfg.source, codec.sampleRate);
      sources.set(srcKey, source);
    }
    const key = encodingKey(scenario.sourceFile, cfg.source, codec, frames);
    let encoded = encodings.get(key);
    const t0 = performance.now();
    if (!encoded) {
      encoded = encodeStream(source, codec, frames);
      encodings.set(key, encoded);
    }
    let encodingIndex = usedKeys.indexOf(key);
    if (encodingIndex < 0) {
      usedKeys.push(key);
      encodingIndex = usedKeys.length - 1;
      const refSink = opts.audio?.reference(v.name, codec.sampleRate) ?? null;
      if (refSink) decodeReference(encoded, codec.sampleRate, refSink);
    }
    encodeMs += performance.now() - t0;

    const t1 = performance.now();
    const jb = await resolveJitterBuffer(v.receiver.jitterBuffer, scenario.baseDir);
    const sink = opts.audio?.degraded(v.name, codec.sampleRate);
    const input = variantRunInput(scenario, v, { encoded, frames, seed, slotMs, rtp, jb, source, onAudio: sink ? (pcm) => sink.write(pcm) : undefined });
    const browser = v.receiver.browser;
    // Loaded only when needed: a browser receiver brings werift and playwright-core.
    const run = browser
      ? await (await import('../browser/browser-variant.ts')).runBrowserVariant({ run: input, config: browser, codec: { fec: codec.fec, dtx: codec.dtx }, progress: opts.browserProgress ? (d, t) => opts.browserProgress!(v.name, d, t) : undefined })
      : runVariant(input);
    variantsMs += performance.now() - t1;
    const aggregates = aggregateVariant(run, {
      frameMs: codec.frameMs,
      lookaheadMs: opusLookaheadMs(codec),
      deviceBufferMs: v.receiver.deviceBufferMs,
      overheadBytes: cfg.channel.overheadBytes,
      reverseOverheadBytes: (cfg.reverseChannel ?? cfg.channel).overheadBytes,
    });
    results.push({
      name: v.name,
      description: v.description,
      variant: v,
      encodingIndex,
      run,
      aggregates,
      frameMs: codec.frameMs,
      sampleRate: codec.sampleRate,
      alignmentPadFrames: run.alignmentPadFrames,
    });
    await opts.onVariant?.(results[results.length - 1], results.length - 1);
  }
  return {
    scenario,
    seed,
    rtp,
    slotMs,
    variants: results,
    encodings: usedKeys.map((k) => {
      const e = encodings.get(k)!;
      return { key: k, frames: e.payloads.length, bytes: e.totalBytes, bitrateKbps: (e.totalBytes * 8) / (e.payloads.length * e.frameMs) };
    }),
    timing: { encodeMs, variantsMs },
  };
}

/** The simulation input of one variant: the same for a simulated receiver and for a browser's plan. */
function variantRunInput(
  scenario: Scenario,
  v: ResolvedVariant,
  x: { encoded: EncodedStream; frames: number; seed: number; slotMs: number; rtp: RtpInit; jb: JitterBufferMaker; source: AudioSource; onAudio?: (pcm: Int16Array) => void },
): VariantRunInput {
  const cfg = scenario.config;
  return {
    baseDir: scenario.baseDir,
    encoded: x.encoded,
    totalFrames: x.frames,
    seed: x.seed,
    slotMs: x.slotMs,
    channel: cfg.channel,
    phases: scenario.phases.filter((p) => p.direction !== 'bToA'),
    rtp: { ...x.rtp, payloadType: v.sender.rtp.payloadType },
    sampleRate: v.sender.codec.sampleRate,
    jitterBuffer: x.jb,
    plc: v.receiver.plc,
    useInbandFec: v.receiver.fec,
    clockDriftPpm: v.receiver.clockDriftPpm,
    redundancy: { red: v.sender.red, parityFec: v.sender.parityFec, rtx: v.sender.rtx, nack: v.receiver.nack },
    streamIds: streamIdsFor(x.seed, x.rtp.ssrc),
    reverseChannel: cfg.reverseChannel ?? cfg.channel,
    reversePhases: scenario.phases.filter((p) => p.direction !== 'aToB'),
    rtcpIntervalMs: v.receiver.rtcpIntervalMs,
    needsTrace: 'type' in v.receiver.jitterBuffer && v.receiver.jitterBuffer.type === 'oracle',
    // Adaptive senders encode online (their bitrate follows the network); `encoded` stays their reference.
    adaptation: simAdaptationInput(v, x.source),
    crossTraffic: cfg.crossTraffic,
    onAudio: x.onAudio,
  };
}
