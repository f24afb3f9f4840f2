import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OpusFrameDecoder } from '../../src/codec/opus-decoder.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { opusNative } from '../../src/codec/opus-native.ts';
import { opusPacketHasFec } from '../../src/rtp/opus-toc.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { AudioSource } from '../../src/source/audio-source.ts';

const speech = AudioSource.fromWav(join(PROJECT_ROOT, 'fixtures/speech-48k.wav'), { file: '', loop: true, offsetS: 0, gainDb: 0 }, 48000);

function encodeFrames(n: number, cfg: object = {}): Uint8Array[] {
  const enc = new OpusFrameEncoder(CodecConfigSchema.parse({ bitrateKbps: 24, fec: true, expectedLoss: 0.2, ...cfg }));
  const pcm = new Int16Array(enc.frameSamples);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(enc.encode(speech.frame(i, pcm)));
  return out;
}

const energy = (x: Int16Array) => x.reduce((s, v) => s + v * v, 0);
const differ = (a: Int16Array, b: Int16Array) => a.some((v, i) => v !== b[i]);

describe('real libopus', () => {
  it('is the libopus bundled by @discordjs/opus', () => {
    expect(opusNative().versionString()).toMatch(/^libopus \d/);
  });

  it('decodes exactly one frame per call, for every frame size', () => {
    for (const frameMs of [10, 20, 40, 60] as const) {
      const enc = new OpusFrameEncoder(CodecConfigSchema.parse({ frameMs }));
      const dec = new OpusFrameDecoder(48000, enc.frameSamples);
      const pcm = new Int16Array(enc.frameSamples);
      const p = enc.encode(speech.frame(30, pcm));
      expect(dec.decode(p).length).toBe(enc.frameSamples);
      expect(dec.conceal().length).toBe(enc.frameSamples);
      dec.destroy();
    }
  });

  it('in-band FEC is present with FEC on and absent with it off', () => {
    expect(encodeFrames(100).filter(opusPacketHasFec).length).toBeGreaterThan(30);
    expect(encodeFrames(100, { fec: false }).filter(opusPacketHasFec).length).toBe(0);
  });

  it('one-frame PLC is not silence, and FEC recovery differs from PLC and is closer to the lost frame', () => {
    const frames = encodeFrames(120);
    // Find a voiced frame whose successor carries FEC.
    const ref = new OpusFrameDecoder(48000, 960);
    const refOut: Int16Array[] = frames.map((p) => ref.decode(p).slice());
    let k = -1;
    for (let i = 40; i < 110; i++) if (opusPacketHasFec(frames[i + 1]) && energy(refOut[i]) > 1e9) k = k < 0 ? i : k;
    expect(k).toBeGreaterThan(0);
    const a = new OpusFrameDecoder(48000, 960);
    const b = new OpusFrameDecoder(48000, 960);
    for (let i = 0; i < k; i++) {
      a.decode(frames[i]);
      b.decode(frames[i]);
    }
    const plc = a.conceal().slice();
    const fec = b.decodeFec(frames[k + 1]).slice();
    expect(energy(plc)).toBeGreaterThan(0);
    expect(differ(plc, fec)).toBe(true);
    const err = (x: Int16Array) => x.reduce((s, v, i) => s + (v - refOut[k][i]) ** 2, 0);
    expect(err(fec)).toBeLessThan(err(plc));
  });

  it('DTX turns silence into 1-2 byte packets, with a comfort-noise refresh every 400 ms', () => {
    const enc = new OpusFrameEncoder(CodecConfigSchema.parse({ dtx: true }));
    const silence = new Int16Array(enc.frameSamples);
    const sizes = Array.from({ length: 60 }, () => enc.encode(silence).length);
    const tail = sizes.slice(12);
    expect(tail.filter((s) => s <= 2).length).toBeGreaterThanOrEqual(tail.length - 3);
    expect(tail.some((s) => s > 2)).toBe(true);
    const plain = new OpusFrameEncoder(CodecConfigSchema.parse({ dtx: false }));
    expect(Array.from({ length: 30 }, () => plain.encode(silence).length).every((s) => s > 2)).toBe(true);
  });
});
