import { z } from 'zod';
import { integerIn, numberIn } from '../core/number-range.ts';

/** Scenario schema of the Opus encoder (RFC 6716 / libopus CTLs). */
export const CodecConfigSchema = z
  .strictObject({
    name: z.literal('opus').default('opus'),
    sampleRate: z.union([z.literal(8000), z.literal(12000), z.literal(16000), z.literal(24000), z.literal(48000)]).default(48000).describe('Codec (and output WAV) sample rate in Hz; the RTP clock stays 48 kHz (RFC 7587).'),
    frameMs: z.union([z.literal(10), z.literal(20), z.literal(40), z.literal(60)]).default(20).describe('Frame duration = packetization interval (ms).'),
    bitrateKbps: numberIn(6, 510).default(24).describe('Target bitrate (kbit/s), OPUS_SET_BITRATE.'),
    complexity: integerIn(0, 10).default(5).describe('OPUS_SET_COMPLEXITY.'),
    application: z.enum(['voip', 'audio', 'lowdelay']).default('voip').describe('OPUS_SET_APPLICATION.'),
    vbr: z.boolean().default(true).describe('Variable bitrate (OPUS_SET_VBR); false = CBR.'),
    dtx: z.boolean().default(false).describe('Discontinuous transmission (OPUS_SET_DTX): silence is not sent.'),
    fec: z.boolean().default(true).describe('In-band FEC (OPUS_SET_INBAND_FEC).'),
    expectedLoss: numberIn(0, 1).default(0.1).describe('Expected packet loss (0..1) the encoder plans FEC for (OPUS_SET_PACKET_LOSS_PERC, in percent there).'),
  })
  .prefault({});
export type CodecConfig = z.output<typeof CodecConfigSchema>;

/** Opus algorithmic delay beyond the frame itself: lookahead 2.5 ms + 4 ms SILK resampler (RFC 6716 section 2; OPUS_GET_LOOKAHEAD), 2.5 ms in restricted low-delay mode. */
export function opusLookaheadMs(c: CodecConfig): number {
  return c.application === 'lowdelay' ? 2.5 : 6.5;
}
