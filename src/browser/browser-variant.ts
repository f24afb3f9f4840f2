/**
 * A variant whose receiver is a real browser. Its packets are planned by the same simulation as
 * every other variant (sender, both channel directions, RTCP; the simulated receiver stands in on
 * B's side only for the RTCP that shapes the reverse path), so the media packets meet exactly the
 * network realization the other variants meet. Then they are released to the browser at their
 * simulated arrival instants, in real time, and the browser's own jitter buffer, decoder, FEC and
 * concealment play them. Its counters, timeline and audio come back in our shapes.
 */
import { referencePcm } from '../sim/reference-decode.ts';
import type { PacketRecord } from '../sim/records.ts';
import { runVariant, type VariantRun, type VariantRunInput } from '../sim/run-variant.ts';
import { runBrowserCall, type BrowserCallResult, type CallProgress } from './browser-call.ts';
import { browserVariantRun, type BrowserRunInfo } from './browser-run.ts';
import type { BrowserReceiverConfig } from './config.ts';
import { alignCapture } from './capture-alignment.ts';
import { releaseLateness } from './release-lateness.ts';

export interface BrowserVariantInput {
  run: VariantRunInput;
  config: BrowserReceiverConfig;
  executableHint?: string;
  codec: { fec: boolean; dtx: boolean };
  progress?: CallProgress;
}

export interface Deliveries {
  atMs: Float64Array;
  packets: Uint8Array[];
  records: PacketRecord[];
}

/** The simulated network's output for this variant: media packets as they reach B, in arrival order. */
export function planDeliveries(input: VariantRunInput): { plan: VariantRun; deliveries: Deliveries } {
  const at: number[] = [];
  const packets: Uint8Array[] = [];
  const records: PacketRecord[] = [];
  const plan = runVariant({
    ...input,
    onAudio: undefined,
    onDelivery: (bytes, t, rec) => {
      if (rec.kind !== 'media') return;
      at.push(t);
      packets.push(bytes.slice());
      records.push(rec);
    },
  });
  return { plan, deliveries: { atMs: Float64Array.from(at), packets, records } };
}

export async function runBrowserVariant(input: BrowserVariantInput): Promise<VariantRun & { browser: BrowserRunInfo }> {
  const { plan, deliveries } = planDeliveries(input.run);
  const call = await runBrowserCall(
    { atMs: deliveries.atMs, packets: deliveries.packets, payloadType: input.run.rtp.payloadType, inbandFec: input.codec.fec, dtx: input.codec.dtx },
    input.config,
    input.progress,
  );
  const lateness = releaseLateness(call.release, input.config.trustLimitP99Ms);
  const run = browserVariantRun(plan, call, {
    totalFrames: input.run.totalFrames,
    frameMs: input.run.encoded.frameMs,
    lateness,
    config: input.config,
    seqs: Uint16Array.from(deliveries.records, (r) => r.seq),
  });
  if (input.config.capture) writeAlignedAudio(call, input.run, run);
  return run;
}

/** degraded.wav of the browser: its played audio aligned to the reference, as long as the call it played. */
function writeAlignedAudio(call: BrowserCallResult, input: VariantRunInput, run: VariantRun & { browser: BrowserRunInfo }): void {
  const rate = input.sampleRate;
  const reference = referencePcm(input.encoded, rate);
  const frame = input.encoded.frameSamples;
  const frames = Math.max(input.totalFrames, run.frameOutcome.length);
  const aligned = alignCapture(call.pcm, reference, rate, frames * frame);
  run.browser.capture = {
    samples48k: call.pcm.length,
    offsetMs: Math.round(aligned.offsetMs * 1000) / 1000,
    correlation: Math.round(aligned.correlation * 1e4) / 1e4,
  };
  if (!input.onAudio) return;
  for (let k = 0; k < frames; k++) input.onAudio(aligned.pcm.subarray(k * frame, (k + 1) * frame));
}
