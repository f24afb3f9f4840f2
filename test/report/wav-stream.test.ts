/**
 * The report's WAV writer past 4 GiB (durationS may be 86400; 4 GiB is 12.4 h of 48 kHz mono):
 * RF64 per EBU Tech 3306, read back by our own reader and by ffprobe. The > 4 GiB file is real
 * but sparse: the writer's silence is a hole, so the test writes a few kilobytes, not 4 GiB.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openWav, pcm16Layout } from '../../src/source/pcm16-wav.ts';
import { readWavSegment, wavInfo } from '../../src/report/wav-segment.ts';
import { WAV_HEADER_BYTES, WavStreamWriter, wavHeader } from '../../src/report/wav-stream.ts';
import { readWavMono } from '../../src/source/wav-file.ts';

const FFPROBE = '/usr/bin/ffprobe';
const FFMPEG = '/usr/bin/ffmpeg';
const dir = mkdtempSync(join(tmpdir(), 'jitterlab-wav-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ramp = (n: number, from: number): Int16Array => Int16Array.from({ length: n }, (_, i) => from + i);

function head(file: string, n = WAV_HEADER_BYTES): Buffer {
  const b = Buffer.alloc(n);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, b, 0, n, 0);
  } finally {
    closeSync(fd);
  }
  return b;
}

function ffprobe(file: string): { codec: string; sampleRate: number; durationS: number } {
  const out = execFileSync(FFPROBE, ['-v', 'error', '-show_entries', 'stream=codec_name,sample_rate,duration', '-of', 'json', file], { encoding: 'utf8' });
  const s = (JSON.parse(out) as { streams: Array<{ codec_name: string; sample_rate: string; duration: string }> }).streams[0];
  return { codec: s.codec_name, sampleRate: Number(s.sample_rate), durationS: Number(s.duration) };
}

describe('WavStreamWriter', () => {
  it('writes a RIFF WAV with a JUNK chunk reserved for ds64 below 4 GiB, read back by our readers', () => {
    const f = join(dir, 'small.wav');
    const w = new WavStreamWriter(f, 16000, 1000);
    w.write(ramp(2500, -1000));
    w.commit();
    const h = head(f);
    expect(h.toString('latin1', 0, 4)).toBe('RIFF');
    expect(h.readUInt32LE(4)).toBe(WAV_HEADER_BYTES - 8 + 5000);
    expect(h.toString('latin1', 8, 16)).toBe('WAVEJUNK');
    expect(h.readUInt32LE(16)).toBe(28);
    expect(h.toString('latin1', 72, 76)).toBe('data');
    expect(h.readUInt32LE(76)).toBe(5000);
    expect(statSync(f).size).toBe(WAV_HEADER_BYTES + 5000);
    const m = readWavMono(f);
    expect(m.samples.length).toBe(2500);
    expect(Array.from(m.samples.subarray(0, 3), (x) => Math.round(x * 32768))).toEqual([-1000, -999, -998]);
    const seg = readWavSegment(f, 0.1, 0.01);
    expect(Array.from(seg.samples.subarray(0, 2), (x) => Math.round(x * 32768))).toEqual([600, 601]);
    if (existsSync(FFPROBE)) expect(ffprobe(f)).toEqual({ codec: 'pcm_s16le', sampleRate: 16000, durationS: 2500 / 16000 });
  });

  it('switches to RF64 exactly when the RIFF size no longer fits 32 bits', () => {
    // RIFF size = header - 8 + 2 x samples.
    const last = Math.floor((0xffffffff - (WAV_HEADER_BYTES - 8)) / 2);
    expect(Buffer.from(wavHeader(48000, last)).toString('latin1', 0, 4)).toBe('RIFF');
    const h = Buffer.from(wavHeader(48000, last + 1));
    expect(h.toString('latin1', 0, 4)).toBe('RF64');
    expect(h.readUInt32LE(4)).toBe(0xffffffff);
    expect(h.toString('latin1', 12, 16)).toBe('ds64');
    expect(h.readBigUInt64LE(20)).toBe(BigInt(WAV_HEADER_BYTES - 8 + 2 * (last + 1)));
    expect(WAV_HEADER_BYTES - 8 + 2 * (last + 1)).toBeGreaterThan(0xffffffff);
    expect(h.readBigUInt64LE(28)).toBe(BigInt(2 * (last + 1)));
    expect(h.readBigUInt64LE(36)).toBe(BigInt(last + 1));
    expect(h.readUInt32LE(76)).toBe(0xffffffff);
  });

  it('writes RF64 (EBU Tech 3306) past 4 GiB, and reads the audio after the 4 GiB mark back', () => {
    const f = join(dir, 'long.wav');
    const rate = 48000;
    const silence = 2 ** 31 + 12_345; // 12.4 h of 48 kHz mono: 4 GiB of samples and then some
    const w = new WavStreamWriter(f, rate);
    w.write(ramp(100, 1));
    w.writeSilence(silence);
    w.write(ramp(4800, -2400));
    w.commit();
    const samples = 100 + silence + 4800;
    const dataBytes = 2 * samples;
    expect(statSync(f).size).toBe(WAV_HEADER_BYTES + dataBytes);
    const h = head(f);
    expect(h.toString('latin1', 0, 4)).toBe('RF64');
    expect(h.readUInt32LE(4)).toBe(0xffffffff);
    expect(h.toString('latin1', 8, 16)).toBe('WAVEds64');
    expect(h.readBigUInt64LE(20)).toBe(BigInt(WAV_HEADER_BYTES - 8 + dataBytes));
    expect(h.readBigUInt64LE(28)).toBe(BigInt(dataBytes));
    expect(h.readBigUInt64LE(36)).toBe(BigInt(samples));
    expect(h.readUInt32LE(76)).toBe(0xffffffff);

    const fd = openWav(f);
    try {
      expect(pcm16Layout(fd, f)).toEqual({ sampleRate: rate, channels: 1, dataOffset: WAV_HEADER_BYTES, dataBytes, frames: samples });
    } finally {
      closeSync(fd);
    }
    expect(wavInfo(f)).toEqual({ sampleRate: rate, durationS: samples / rate });
    const startS = (100 + silence) / rate;
    const tail = readWavSegment(f, startS, 0.1);
    expect(tail.samples.length).toBe(4800);
    expect(Math.round(tail.samples[0] * 32768)).toBe(-2400);
    expect(Math.round(tail.samples[4799] * 32768)).toBe(2399);
    expect(Array.from(readWavSegment(f, startS - 0.001, 0.001).samples.subarray(0, 3))).toEqual([0, 0, 0]);
    expect(Array.from(readWavSegment(f, 0, 100 / rate).samples, (x) => Math.round(x * 32768))).toEqual(Array.from(ramp(100, 1)));
    if (existsSync(FFPROBE)) {
      const p = ffprobe(f);
      expect(p.codec).toBe('pcm_s16le');
      expect(p.durationS).toBeCloseTo(samples / rate, 3);
    }
    // Too large for a whole-file read: a clear error, not an internal one.
    expect(() => readWavMono(f)).toThrow(/long\.wav: too large to read whole/);
  });

  it.runIf(existsSync(FFMPEG))('reads an RF64 file that ffmpeg wrote (-rf64 always), whole and by segment', () => {
    const f = join(dir, 'ffmpeg-rf64.wav');
    execFileSync(FFMPEG, ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', '-rf64', 'always', f]);
    expect(head(f, 4).toString('latin1')).toBe('RF64');
    const whole = readWavMono(f);
    expect(whole.sampleRate).toBe(16000);
    expect(whole.samples.length).toBe(16000);
    expect(wavInfo(f)).toEqual({ sampleRate: 16000, durationS: 1 });
    expect(Array.from(readWavSegment(f, 0.5, 0.01).samples)).toEqual(Array.from(whole.samples.subarray(8000, 8160)));
  });
});
