/**
 * Loss accounting on real runs: a frame that was sent but played as comfort noise (its packet lost
 * at a talkspurt start under DTX) is lost to the listener; a packet that arrived corrupted and
 * failed to parse did not arrive; DTX frames that were never sent are not loss.
 */
import { describe, expect, it } from 'vitest';
import { FRAME_OUTCOMES } from '../../src/sim/records.ts';
import { runYaml, variant } from './helpers.ts';

const idx = (n: (typeof FRAME_OUTCOMES)[number]) => FRAME_OUTCOMES.indexOf(n);

describe('frame fates in the aggregates', () => {
  it('comfort noise over a sent frame counts as effective loss; unsent DTX frames do not count', async () => {
    const run = await runYaml(`name: dtxloss
seed: 8
durationS: 60
sender: { codec: { dtx: true, fec: false } }
channel:
  delay: { baseMs: 30 }
  loss: { model: bernoulli, rate: 0.3 }
receiver: { fec: false, jitterBuffer: { type: fixed, delayMs: 5 } }
`);
    const v = variant(run, 'default');
    const sent = new Set(v.run.packets.filter((p) => p.kind === 'media').map((p) => p.frameIndex));
    const out = v.run.frameOutcome;
    let lostToListener = 0;
    let unsent = 0;
    for (let i = 0; i < out.length; i++) {
      if (!sent.has(i)) {
        unsent++;
        continue;
      }
      expect(out[i]).not.toBe(idx('dtx')); // 'dtx' is reserved for frames never sent
      if (out[i] === idx('concealed') || out[i] === idx('unplayed')) lostToListener++;
    }
    for (let i = 0; i < out.length; i++) if (!sent.has(i)) expect(out[i]).toBe(idx('dtx'));
    expect(unsent).toBeGreaterThan(100); // the fixture has pauses: DTX suppresses frames
    const p = v.aggregates.playout;
    expect(p.dtxFrames).toBe(unsent);
    expect(p.loss.frames).toBe(out.length - unsent);
    expect(p.effectiveLoss).toBeCloseTo(lostToListener / (out.length - unsent), 12);
    expect(p.effectiveLoss).toBeGreaterThanOrEqual(p.loss.afterFec);
  });

  it('a packet that arrived corrupted and failed to parse did not arrive', async () => {
    const run = await runYaml(`name: corrupt
seed: 4
durationS: 6
channel:
  delay: { baseMs: 30 }
  corrupt: { prob: 0.3 }
`);
    const v = variant(run, 'default');
    const media = v.run.packets.filter((p) => p.kind === 'media');
    const malformed = media.filter((p) => p.fate === 'malformed').length;
    const lost = media.filter((p) => p.arrivalMs === null).length;
    expect(malformed).toBeGreaterThan(0);
    expect(v.aggregates.playout.loss.beforeFec).toBeCloseTo((malformed + lost) / media.length, 12);
  });
});
