/**
 * What one live leg runs: the channel and receiver settings of a scenario preset, with the
 * page's overrides (buffer type, loss and jitter sliders) applied. The live codec is the preset's
 * codec at 48 kHz in 20 ms frames, because that is what the page's AudioWorklet captures.
 */
import type { ChannelConfig, Phase } from '../channel/config.ts';
import type { CodecConfig } from '../codec/config.ts';
import type { JitterBufferConfig } from '../jitter-buffer/config.ts';
import type { JitterBufferMaker } from '../jitter-buffer/registry.ts';
import type { PlcKind } from '../receiver/receiver.ts';
import type { EffectiveSettings } from './protocol.ts';

export const LIVE_SAMPLE_RATE = 48000;
export const LIVE_FRAME_MS = 20;
export const LIVE_FRAME_SAMPLES = (LIVE_SAMPLE_RATE * LIVE_FRAME_MS) / 1000;

export interface LegConfig {
  preset: string;
  seed: number;
  slotMs: number;
  channel: ChannelConfig;
  phases: Phase[];
  jitterBufferConfig: JitterBufferConfig;
  jitterBuffer: JitterBufferMaker;
  /** Label of the buffer (its type, or "module"). */
  bufferLabel: string;
  plc: PlcKind;
  fec: boolean;
  codec: CodecConfig;
  deviceBufferMs: number;
  rtcpIntervalMs: number;
  /** The preset's sender RTP settings (payload type; null fields drawn from the seed). */
  senderRtp: { payloadType: number; ssrc: number | null; initialSeq: number | null; initialTimestamp: number | null };
}

/** A listener's choices on the page; null = the preset's own value. */
export interface ListenerSettings {
  preset: string;
  buffer: string | null;
  lossPct: number | null;
  jitterMs: number | null;
}

/**
 * The loss slider: keeps a Gilbert model's burst length and sets its rate; any other model
 * becomes Bernoulli at that rate (a single number cannot parametrise Gilbert-Elliott or markov4).
 */
export function withLossPct(loss: ChannelConfig['loss'], pct: number): ChannelConfig['loss'] {
  const rate = Math.min(1, Math.max(0, pct / 100));
  if (loss.model === 'gilbert') return { ...loss, rate };
  return { ...loss, model: rate > 0 ? 'bernoulli' : 'none', rate };
}

export function withJitterMs(delay: ChannelConfig['delay'], jitterMs: number): ChannelConfig['delay'] {
  return { ...delay, jitterMs: Math.max(0, jitterMs) };
}

/** The loss percentage the page shows for a channel (the long-run rate where one number says it). */
export function nominalLossPct(loss: ChannelConfig['loss']): number | null {
  if (loss.model === 'none') return 0;
  if (loss.model === 'bernoulli' || loss.model === 'gilbert') return loss.rate * 100;
  return null;
}

/** What the page shows as in force for a configuration. */
export function effectiveSettings(cfg: LegConfig): EffectiveSettings {
  return {
    preset: cfg.preset,
    buffer: cfg.bufferLabel,
    lossPct: nominalLossPct(cfg.channel.loss),
    jitterMs: cfg.channel.delay.jitterMs,
    baseDelayMs: cfg.channel.delay.baseMs,
    lossModel: cfg.channel.loss.model,
  };
}
