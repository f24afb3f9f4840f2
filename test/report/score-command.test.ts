import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import type { ScoreReport } from '../../src/cli/score-command.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { resample } from '../../src/scores/index.ts';
import { readWavMono } from '../../src/source/wav-file.ts';
import { wav16 } from './wav16.ts';

let dir: string;
let refStereo48: string;
let degMono48: string;
let degMono16: string;
let degLong: string;
let degShort: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'jl-score-'));
  const speech = readWavMono(join(PROJECT_ROOT, 'fixtures/speech-48k.wav'));
  const clip = Float64Array.from(speech.samples.subarray(0, 4 * speech.sampleRate));
  refStereo48 = join(dir, 'ref-stereo-48k.wav');
  degMono48 = join(dir, 'deg-mono-48k.wav');
  degMono16 = join(dir, 'deg-mono-16k.wav');
  writeFileSync(refStereo48, wav16([clip, clip], 48000));
  writeFileSync(degMono48, wav16([clip], 48000));
  writeFileSync(degMono16, wav16([resample(clip, 48000, 16000)], 16000));
  // Five times the reference: the clip followed by four more seconds of the same speech file.
  degLong = join(dir, 'deg-long.wav');
  writeFileSync(degLong, wav16([Float64Array.from(speech.samples.subarray(0, 20 * speech.sampleRate))], 48000));
  degShort = join(dir, 'deg-short.wav');
  writeFileSync(degShort, wav16([clip.subarray(0, 2 * 48000)], 48000));
  writeFileSync(join(dir, 'not-a-wav.wav'), 'hello, not audio');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => {
    err += String(c);
    return true;
  });
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

describe('jitterlab score', () => {
  it('scores identical audio (stereo reference, mono degraded) as transparent', async () => {
    const r = await run(['score', refStereo48, degMono48, '--json']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const j = JSON.parse(r.out) as ScoreReport;
    expect(j.warnings).toEqual([]);
    expect(j.reference.channels).toBe(2);
    expect(j.degraded.channels).toBe(1);
    expect(j.sampleRate).toBe(16000);
    // The downmix of two identical channels is the mono file up to int16 rounding: NSIM 1.
    expect(j.visqol.vnsim).toBeGreaterThan(0.999);
    expect(j.visqol.mos).toBeGreaterThan(4.95);
    expect(j.visqol.fvnsim).toHaveLength(21);
    expect(j.sanity.lagMs).toBe(0);
    expect(Math.abs(j.sanity.levelOffsetDb)).toBeLessThan(0.01);
    expect(j.sanity.lsdDb).toBeLessThan(0.5);
  });

  it('takes any sample rate (48 kHz vs 16 kHz) and prints a readable summary', async () => {
    const r = await run(['score', refStereo48, degMono16]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/ViSQOL MOS\s+\d\.\d{4}/);
    expect(r.out).toMatch(/NSIM \(vnsim\)\s+0\.9\d+|NSIM \(vnsim\)\s+1\.0000/);
    expect(r.out).toContain('per-band NSIM');
    expect(r.out).toMatch(/lag\s+-?\d+\.\d\d ms/);
    const mos = Number(/ViSQOL MOS\s+(\d\.\d{4})/.exec(r.out)![1]);
    expect(mos).toBeGreaterThan(4.5);
  });

  it('exits 2 with usage on missing arguments', async () => {
    const none = await run(['score']);
    expect(none.code).toBe(2);
    const one = await run(['score', refStereo48]);
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/jitterlab --help/);
  });

  it('exits 1 with a WAV error naming the file when a file is missing or not a WAV', async () => {
    const missing = await run(['score', refStereo48, join(dir, 'nope.wav')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('nope.wav: file not found');
    const bad = await run(['score', join(dir, 'not-a-wav.wav'), degMono48]);
    expect(bad.code).toBe(1);
    expect(bad.err).toContain('not-a-wav.wav: not a WAV file');
  });

  it('warns clearly when the two files differ a lot in length (5x), on stderr, in the summary and in the JSON', async () => {
    const long = await run(['score', refStereo48, degLong]);
    expect(long.code).toBe(0);
    expect(long.out).toMatch(/\nWARNING: the degraded file is 5\.0x as long as the reference \(20\.00 s degraded vs 4\.00 s reference\): .*not scored; are they the same recording\?\n$/);
    const json = await run(['score', refStereo48, degLong, '--json']);
    expect((JSON.parse(json.out) as ScoreReport).warnings).toHaveLength(1);
    expect(json.err).toMatch(/^jitterlab: warning: the degraded file is 5\.0x as long as the reference/);
    const short = await run(['score', refStereo48, degShort, '--json']);
    expect(short.err).toMatch(/warning: the reference file is 2\.0x as long as the degraded \(2\.00 s degraded vs 4\.00 s reference\): .*unmatched/);
  });
});
