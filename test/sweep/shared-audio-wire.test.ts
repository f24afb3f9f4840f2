/**
 * The shared encodings and source audio as the bytes a queued sweep keeps in Redis
 * (src/sweep/shared-audio-wire.ts): the same caches after the round trip, and keys moved to a
 * worker's own project root when its checkout lives elsewhere.
 */
import { describe, expect, it } from 'vitest';
import { encodeShared, unpackShared } from '../../src/sweep/shared-encodings.ts';
import { planSweep, pointScenario } from '../../src/sweep/plan.ts';
import { rebaseSharedAudio, sharedAudioFromBytes, sharedAudioToBytes } from '../../src/sweep/shared-audio-wire.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { tempDir, writeSweepScenario } from './helpers.ts';

const bytesOf = (b: SharedArrayBuffer): number[] => [...new Uint8Array(b)];

describe('shared audio on the wire', () => {
  const plan = planSweep(writeSweepScenario(tempDir('wire')), { vary: ['sender.codec.bitrateKbps=16,32'] });
  const shared = encodeShared(plan.points.map((p) => pointScenario(plan.scenarioFile, plan.raw, p.params)));

  it('comes back byte for byte: every encoding, offset and source sample', () => {
    expect(shared.encodings).toHaveLength(2);
    const back = sharedAudioFromBytes(sharedAudioToBytes(shared));
    expect(back.encodings.map((e) => ({ ...e, data: bytesOf(e.data), offsets: bytesOf(e.offsets) }))).toEqual(
      shared.encodings.map((e) => ({ ...e, data: bytesOf(e.data), offsets: bytesOf(e.offsets) })),
    );
    expect(back.sources.map((s) => ({ ...s, pcm: bytesOf(s.pcm) }))).toEqual(shared.sources.map((s) => ({ ...s, pcm: bytesOf(s.pcm) })));
    expect(back.encodings[0].data).toBeInstanceOf(SharedArrayBuffer);
    const { encodings } = unpackShared(back);
    expect(encodings.get(shared.encodings[1].key)!.payloads.length).toBe(unpackShared(shared).encodings.get(shared.encodings[1].key)!.payloads.length);
  });

  it('re-keys sources under the planner root to the worker root, and leaves others alone', () => {
    // fixtures/speech-48k.wav is found under the project root (the scenario sits in a temp dir).
    expect(shared.sources[0].file.startsWith(`${PROJECT_ROOT}/`)).toBe(true);
    const moved = rebaseSharedAudio(shared, PROJECT_ROOT, '/elsewhere/jitterlab');
    expect(moved.sources[0].file).toBe('/elsewhere/jitterlab/fixtures/speech-48k.wav');
    expect(moved.sources[0].key.startsWith('/elsewhere/jitterlab/fixtures/speech-48k.wav@48000@')).toBe(true);
    expect(JSON.parse(moved.encodings[0].key)[0]).toBe('/elsewhere/jitterlab/fixtures/speech-48k.wav');
    expect(JSON.parse(moved.encodings[0].key).slice(1)).toEqual(JSON.parse(shared.encodings[0].key).slice(1));
    expect(rebaseSharedAudio(shared, '/some/other/root', '/elsewhere')).toEqual(shared);
    expect(rebaseSharedAudio(shared, PROJECT_ROOT, PROJECT_ROOT)).toBe(shared);
  });
});
