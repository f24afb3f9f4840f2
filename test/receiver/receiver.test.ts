import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { runScenario } from '../../src/sim/run-scenario.ts';
import { FRAME_OUTCOMES } from '../../src/sim/records.ts';

const text = `name: rx
seed: 21
durationS: 6
sender:
  codec: { bitrateKbps: 24, fec: true, expectedLoss: 0.2 }
channel:
  delay: { baseMs: 30 }
  loss: { model: bernoulli, rate: 0.12 }
variants:
  - { name: opus-fec, receiver: { plc: opus, fec: true } }
  - { name: opus-nofec, receiver: { plc: opus, fec: false } }
  - { name: silence-nofec, receiver: { plc: silence, fec: false } }
`;

async function run() {
  const sc = parseScenarioText(text, join(PROJECT_ROOT, 'scenarios', 'rx.yaml'));
  const audio = new Map<string, Int16Array[]>();
  const r = await runScenario(sc, {
    audio: {
      degraded: (v) => {
        const frames: Int16Array[] = [];
        audio.set(v, frames);
        return { write: (pcm) => frames.push(pcm.slice()) };
      },
      reference: () => null,
    },
  });
  return { r, audio };
}

describe('receiver with real libopus', async () => {
  const { r, audio } = await run();
  const byName = Object.fromEntries(r.variants.map((v) => [v.name, v]));
  const concealedIdx = FRAME_OUTCOMES.indexOf('concealed');
  const fecIdx = FRAME_OUTCOMES.indexOf('fec');

  it('every variant met the same losses', () => {
    const lost = r.variants.map((v) => v.aggregates.network.lostInNetwork);
    expect(new Set(lost).size).toBe(1);
    expect(lost[0]).toBeGreaterThan(20);
  });

  it('in-band FEC recovers frames that plain PLC conceals', () => {
    const withFec = byName['opus-fec'].aggregates.playout;
    const without = byName['opus-nofec'].aggregates.playout;
    expect(withFec.recovered.fec).toBeGreaterThan(5);
    expect(without.recovered.fec).toBe(0);
    expect(withFec.effectiveLoss).toBeLessThan(without.effectiveLoss);
    expect(withFec.loss.afterFec).toBeLessThan(withFec.loss.beforeFec);
    expect([...byName['opus-fec'].run.frameOutcome].filter((o) => o === fecIdx).length).toBe(withFec.recovered.fec);
  });

  it('libopus PLC fills lost frames with sound; the silence PLC with zeros', () => {
    const pad = (name: string) => byName[name].run.alignmentPadFrames;
    const frames = (name: string) => audio.get(name)!;
    const outcome = byName['opus-nofec'].run.frameOutcome;
    let opusNonZero = 0;
    let silenceAllZero = 0;
    let concealed = 0;
    for (let i = 0; i < outcome.length; i++) {
      if (outcome[i] !== concealedIdx || byName['silence-nofec'].run.frameOutcome[i] !== concealedIdx) continue;
      concealed++;
      const o = frames('opus-nofec')[i + 0 * pad('opus-nofec')];
      const s = frames('silence-nofec')[i];
      if (o.some((x) => x !== 0)) opusNonZero++;
      if (s.every((x) => x === 0)) silenceAllZero++;
    }
    expect(concealed).toBeGreaterThan(20);
    expect(silenceAllZero).toBe(concealed);
    expect(opusNonZero).toBeGreaterThan(concealed * 0.8);
  });

  it('W3C counters agree with the per-frame records', () => {
    for (const v of r.variants) {
      const w = v.aggregates.w3c;
      const spf = 960;
      const out = [...v.run.frameOutcome];
      const concealedFrames = out.filter((o) => o === concealedIdx).length;
      const decoded = out.filter((o) => o !== concealedIdx && o !== 0).length;
      expect(w.concealedSamples).toBe(concealedFrames * spf);
      expect(w.jitterBufferEmittedCount).toBe(decoded * spf);
      expect(w.totalSamplesReceived).toBe(v.run.emittedSamples);
      expect(w.totalSamplesReceived).toBe((concealedFrames + decoded) * spf);
      let events = 0;
      for (let i = 0; i < out.length; i++) if (out[i] === concealedIdx && (i === 0 || out[i - 1] !== concealedIdx)) events++;
      expect(w.concealmentEvents).toBe(events);
      expect(w.packetsLost).toBe(v.aggregates.network.lostInNetwork - (v.run.packets[v.run.packets.length - 1].arrivalMs === null ? 1 : 0) - (v.run.packets[0].arrivalMs === null ? 1 : 0));
      expect(w.jitterBufferDelay / (w.jitterBufferEmittedCount / 48000)).toBeGreaterThan(0);
    }
  });
});
