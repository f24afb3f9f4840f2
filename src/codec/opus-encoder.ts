import { createRequire } from 'node:module';
import { JitterlabError } from '../core/errors.ts';
import type { CodecConfig } from './config.ts';

const require = createRequire(import.meta.url);

interface DiscordOpusEncoder {
  encode(pcm: Buffer): Buffer;
  applyEncoderCTL(ctl: number, value: number): void;
  setBitrate(bps: number): void;
}

/** libopus CTL request codes (opus_defines.h). */
const CTL = {
  SET_APPLICATION: 4000,
  SET_BITRATE: 4002,
  SET_VBR: 4006,
  SET_COMPLEXITY: 4010,
  SET_INBAND_FEC: 4012,
  SET_PACKET_LOSS_PERC: 4014,
  SET_DTX: 4016,
} as const;
const APPLICATION = { voip: 2048, audio: 2049, lowdelay: 2051 } as const;

/** The real libopus encoder through @discordjs/opus, configured by the scenario's codec section. */
export class OpusFrameEncoder {
  private readonly enc: DiscordOpusEncoder;
  readonly frameSamples: number;

  constructor(readonly config: CodecConfig) {
    const { OpusEncoder } = require('@discordjs/opus') as { OpusEncoder: new (rate: number, channels: number) => DiscordOpusEncoder };
    this.enc = new OpusEncoder(config.sampleRate, 1);
    this.frameSamples = (config.sampleRate * config.frameMs) / 1000;
    try {
      this.enc.applyEncoderCTL(CTL.SET_APPLICATION, APPLICATION[config.application]);
      this.enc.setBitrate(Math.round(config.bitrateKbps * 1000));
      this.enc.applyEncoderCTL(CTL.SET_VBR, config.vbr ? 1 : 0);
      this.enc.applyEncoderCTL(CTL.SET_COMPLEXITY, config.complexity);
      this.enc.applyEncoderCTL(CTL.SET_INBAND_FEC, config.fec ? 1 : 0);
      this.enc.applyEncoderCTL(CTL.SET_PACKET_LOSS_PERC, Math.round(config.expectedLoss * 100));
      this.enc.applyEncoderCTL(CTL.SET_DTX, config.dtx ? 1 : 0);
    } catch (e) {
      throw new JitterlabError('codec', `cannot configure the Opus encoder: ${(e as Error).message}`);
    }
  }

  /** Change the bitrate mid-call (sender adaptation). */
  setBitrateKbps(kbps: number): void {
    this.enc.setBitrate(Math.round(kbps * 1000));
  }

  /** Change the planned loss / FEC switch mid-call (sender adaptation). */
  setFec(enabled: boolean, expectedLoss: number): void {
    this.enc.applyEncoderCTL(CTL.SET_INBAND_FEC, enabled ? 1 : 0);
    this.enc.applyEncoderCTL(CTL.SET_PACKET_LOSS_PERC, Math.round(Math.min(1, Math.max(0, expectedLoss)) * 100));
  }

  /** Encode exactly one frame of mono PCM. */
  encode(frame: Int16Array): Uint8Array {
    if (frame.length !== this.frameSamples) throw new JitterlabError('internal', `encoder frame of ${frame.length} samples, expected ${this.frameSamples}`);
    const buf = Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
    return this.enc.encode(buf);
  }
}
