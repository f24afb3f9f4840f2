import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { RtpParseError, opusPacketHasFec, parseOpusPacket, parseOpusToc } from '../../src/rtp/index.ts';

interface OpusEncoderLike {
  encode(pcm: Buffer): Buffer;
  applyEncoderCTL(ctl: number, value: number): void;
  setBitrate(bps: number): void;
}
const { OpusEncoder } = createRequire(import.meta.url)('@discordjs/opus') as {
  OpusEncoder: new (rate: number, channels: number) => OpusEncoderLike;
};
const OPUS_SET_APPLICATION = 4000;
const OPUS_APPLICATION_VOIP = 2048;
const OPUS_APPLICATION_RESTRICTED_LOWDELAY = 2051;
const OPUS_SET_INBAND_FEC = 4012;
const OPUS_SET_PACKET_LOSS_PERC = 4014;

/** 20 ms of a voiced, speech-like signal: gliding pitch, 10 harmonics, syllable-rate envelope. */
function speechFrame(k: number): Buffer {
  const pcm = Buffer.alloc(960 * 2);
  for (let i = 0; i < 960; i++) {
    const t = (k * 960 + i) / 48000;
    const env = 0.5 + 0.5 * Math.sin(2 * Math.PI * 3 * t);
    const f0 = 120 + 30 * Math.sin(2 * Math.PI * 0.7 * t);
    let s = 0;
    for (let h = 1; h <= 10; h++) s += Math.sin(2 * Math.PI * f0 * h * t) / h;
    pcm.writeInt16LE(Math.round(6000 * env * s), i * 2);
  }
  return pcm;
}

function encodeSpeech(fec: boolean, application: number, frames: number): Uint8Array[] {
  const enc = new OpusEncoder(48000, 1);
  enc.applyEncoderCTL(OPUS_SET_INBAND_FEC, fec ? 1 : 0);
  enc.applyEncoderCTL(OPUS_SET_PACKET_LOSS_PERC, 20);
  enc.applyEncoderCTL(OPUS_SET_APPLICATION, application);
  enc.setBitrate(24000);
  return Array.from({ length: frames }, (_, k) => new Uint8Array(enc.encode(speechFrame(k))));
}

describe('Opus TOC (RFC 6716 3.1)', () => {
  it('maps every config to the mode, bandwidth and frame size of table 2', () => {
    const table: [number, string, string, number][] = [
      [0, 'silk', 'nb', 10], [1, 'silk', 'nb', 20], [2, 'silk', 'nb', 40], [3, 'silk', 'nb', 60],
      [4, 'silk', 'mb', 10], [7, 'silk', 'mb', 60], [8, 'silk', 'wb', 10], [11, 'silk', 'wb', 60],
      [12, 'hybrid', 'swb', 10], [13, 'hybrid', 'swb', 20], [14, 'hybrid', 'fb', 10], [15, 'hybrid', 'fb', 20],
      [16, 'celt', 'nb', 2.5], [19, 'celt', 'nb', 20], [20, 'celt', 'wb', 2.5], [24, 'celt', 'swb', 2.5],
      [28, 'celt', 'fb', 2.5], [31, 'celt', 'fb', 20],
    ];
    for (const [config, mode, bw, ms] of table) {
      const toc = parseOpusToc((config << 3) | 0x04 | 2);
      expect([toc.config, toc.mode, toc.bandwidth, toc.frameSizeMs, toc.stereo, toc.code]).toEqual([config, mode, bw, ms, true, 2]);
    }
  });

  it('splits code 0-3 packets into frames and enforces R1-R7', () => {
    const toc = (code: number): number => (9 << 3) | code; // SILK WB 20 ms
    expect(parseOpusPacket(Uint8Array.of(toc(0), 1, 2, 3)).frames.map((f) => Array.from(f))).toEqual([[1, 2, 3]]);
    expect(parseOpusPacket(Uint8Array.of(toc(1), 1, 2, 3, 4)).frames.map((f) => Array.from(f))).toEqual([[1, 2], [3, 4]]);
    expect(() => parseOpusPacket(Uint8Array.of(toc(1), 1, 2, 3))).toThrow(RtpParseError); // R3
    expect(parseOpusPacket(Uint8Array.of(toc(2), 1, 9, 7, 7)).frames.map((f) => Array.from(f))).toEqual([[9], [7, 7]]);
    expect(() => parseOpusPacket(Uint8Array.of(toc(2), 5, 9))).toThrow(RtpParseError); // R4
    // Code 3 CBR, 3 frames, with 2 bytes of padding.
    const cbr = parseOpusPacket(Uint8Array.of(toc(3), 0x43, 2, 1, 1, 2, 2, 3, 3, 0, 0));
    expect(cbr.frames.map((f) => Array.from(f))).toEqual([[1, 1], [2, 2], [3, 3]]);
    expect([cbr.paddingBytes, cbr.durationMs]).toEqual([2, 60]);
    // Code 3 VBR, 2 frames, first of 1 byte, padding length coded as 255 + 0 → 254 bytes.
    const vbr = parseOpusPacket(Uint8Array.of(toc(3), 0xc2, 255, 0, 1, 5, 6, 6, ...new Array<number>(254).fill(0)));
    expect(vbr.frames.map((f) => Array.from(f))).toEqual([[5], [6, 6]]);
    expect(vbr.paddingBytes).toBe(254);
    // Two-byte frame length: 252 + 4·1 = 256.
    const long = parseOpusPacket(Uint8Array.of(toc(2), 252, 1, ...new Array<number>(256 + 3).fill(8)));
    expect(long.frames.map((f) => f.length)).toEqual([256, 3]);
    expect(() => parseOpusPacket(Uint8Array.of(toc(3), 0x07, 0))).toThrow(RtpParseError); // R5: 7 × 20 ms > 120 ms
    expect(() => parseOpusPacket(Uint8Array.of(toc(3), 0x00))).toThrow(RtpParseError); // R5: 0 frames
    expect(() => parseOpusPacket(new Uint8Array(0))).toThrow(RtpParseError); // R1
  });
});

describe('opusPacketHasFec (LBRR flag, RFC 6716 4.2.3-4.2.4)', () => {
  it('reads the LBRR bit after the VAD bits of the first frame', () => {
    const silk20 = (9 << 3) | 0; // mono, 1 SILK frame: VAD bit 7, LBRR bit 6
    expect(opusPacketHasFec(Uint8Array.of(silk20, 0b0100_0000, 0))).toBe(true);
    expect(opusPacketHasFec(Uint8Array.of(silk20, 0b1011_1111, 0))).toBe(false);
    const silk60 = (11 << 3) | 0; // 3 SILK frames: VAD bits 7..5, LBRR bit 4
    expect(opusPacketHasFec(Uint8Array.of(silk60, 0b0001_0000))).toBe(true);
    expect(opusPacketHasFec(Uint8Array.of(silk60, 0b1110_1111))).toBe(false);
    const stereo20 = (9 << 3) | 0x04; // mid VAD 7, mid LBRR 6, side VAD 5, side LBRR 4
    expect(opusPacketHasFec(Uint8Array.of(stereo20, 0b0001_0000))).toBe(true);
    expect(opusPacketHasFec(Uint8Array.of(stereo20, 0b1010_1111))).toBe(false);
    expect(opusPacketHasFec(Uint8Array.of((31 << 3) | 0, 0xff))).toBe(false); // CELT-only
    expect(opusPacketHasFec(Uint8Array.of(silk20))).toBe(false); // empty (DTX) frame
    expect(opusPacketHasFec(Uint8Array.of((9 << 3) | 1, 1, 2, 3))).toBe(false); // malformed
  });

  it('detects in-band FEC in real libopus VoIP packets, and none when FEC is off', () => {
    const withFec = encodeSpeech(true, OPUS_APPLICATION_VOIP, 60);
    const nonCelt = withFec.filter((p) => parseOpusToc(p[0]).mode !== 'celt');
    const flagged = withFec.filter(opusPacketHasFec).length;
    expect(nonCelt.length).toBeGreaterThan(30);
    expect(flagged).toBeGreaterThan(nonCelt.length / 3);
    // The first packet has no previous frame to protect.
    expect(opusPacketHasFec(withFec[0])).toBe(false);
    const without = encodeSpeech(false, OPUS_APPLICATION_VOIP, 60);
    expect(without.filter(opusPacketHasFec).length).toBe(0);
  });

  it('reports no FEC for CELT-only (restricted low-delay) packets', () => {
    const celt = encodeSpeech(true, OPUS_APPLICATION_RESTRICTED_LOWDELAY, 20);
    expect(celt.every((p) => parseOpusToc(p[0]).mode === 'celt')).toBe(true);
    expect(celt.filter(opusPacketHasFec).length).toBe(0);
  });
});
