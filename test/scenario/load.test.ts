import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError } from '../../src/core/errors.ts';
import { loadScenario, parseScenarioText, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { MAX_SCENARIO_BYTES, MAX_VARIANTS } from '../../src/scenario/schema.ts';
import { scenarioJsonSchema } from '../../src/scenario/json-schema.ts';

function err(text: string, file = 'bad.yaml'): ScenarioError {
  try {
    parseScenarioText(text, file);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('scenario loading', () => {
  it('fills every default from an empty file', () => {
    const sc = parseScenarioText('{}', 'empty.yaml');
    expect(sc.name).toBe('empty');
    expect(sc.config.durationS).toBe(20);
    expect(sc.config.channel.overheadBytes).toBe(28);
    expect(sc.config.receiver.jitterBuffer).toEqual({ type: 'fixed', delayMs: 60, capacityFrames: 200 });
    expect(sc.variants.map((v) => v.name)).toEqual(['default']);
  });

  it('names file, key path and line of an unknown key (a typo never becomes a default)', () => {
    const e = err('seed: 1\nchannel:\n  delay:\n    baseMs: 10\n    jiterMs: 5\n');
    expect(e.file).toBe('bad.yaml');
    expect(e.keyPath).toBe('channel.delay');
    expect(e.line).toBe(5);
    expect(e.message).toMatch(/^bad\.yaml:5: channel\.delay: unknown key 'jiterMs'/);
  });

  it('rejects an out-of-range probability with the expected range', () => {
    const e = err('channel:\n  loss:\n    model: bernoulli\n    rate: 1.5\n');
    expect(e.keyPath).toBe('channel.loss.rate');
    expect(e.line).toBe(4);
    expect(e.detail).toBe('must be in 0..1, got 1.5');
  });

  it('rejects a negative delay and a wrong type, with the range', () => {
    expect(err('channel: { delay: { baseMs: -5 } }').detail).toBe('must be in 0..10000, got -5');
    const t = err('durationS: ten\n');
    expect(t.keyPath).toBe('durationS');
    expect(t.detail).toBe('must be a number in 0.1..86400, got "ten"');
    expect(err('sender: { codec: { complexity: 2.5 } }').detail).toBe('must be an integer in 0..10, got 2.5');
    expect(err('channel: { loss: { model: chaos } }').detail).toBe('expected one of "none", "bernoulli", "gilbert", "gilbertElliott", "markov4", got "chaos"');
  });

  it('names source.file and its line when the source WAV is missing or not a WAV', () => {
    const missing = err('durationS: 2\nsource:\n  file: nothere.wav\n', join(tmpdir(), 'src.yaml'));
    expect(missing.keyPath).toBe('source.file');
    expect(missing.line).toBe(3);
    expect(missing.detail).toMatch(/^file not found: .*nothere\.wav$/);
    const d = mkdtempSync(join(tmpdir(), 'jitterlab-load-'));
    try {
      writeFileSync(join(d, 'voice.mp3'), 'ID3\x04\x00\x00\x00\x00\x00\x00');
      const mp3 = err('source: { file: voice.mp3 }\n', join(d, 's.yaml'));
      expect(mp3.line).toBe(1);
      expect(mp3.detail).toMatch(/voice\.mp3 is not a WAV file \(no RIFF\/WAVE header\); convert it \(e\.g\. ffmpeg -i \S*voice\.mp3 \S*voice\.wav\) and set source\.file to the WAV$/);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('caps the file size (bounded read, also of a device) and the variant count before validating variants', () => {
    const d = mkdtempSync(join(tmpdir(), 'jitterlab-load-'));
    try {
      const big = join(d, 'big.yaml');
      writeFileSync(big, `# ${'x'.repeat(MAX_SCENARIO_BYTES)}\n`);
      expect(() => loadScenario(big)).toThrow(`${big}: too large (${MAX_SCENARIO_BYTES + 3} bytes); a scenario file may have at most 256 KiB (262144 bytes)`);
      expect(() => loadScenario('/dev/zero')).toThrow('/dev/zero: too large (more than 262144 bytes)');
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
    expect(MAX_VARIANTS).toBe(256);
    // Every variant is invalid (no name): the count is refused first, at the first variant too many.
    const many = err(`durationS: 1\nvariants:\n${'  - { nome: x }\n'.repeat(MAX_VARIANTS + 1)}`);
    expect(many.keyPath).toBe('variants[256]');
    expect(many.line).toBe(3 + MAX_VARIANTS);
    expect(many.detail).toBe('257 variants; a scenario may have at most 256 (for a grid of settings use sweep:, which runs each point on its own)');
    const ok = parseScenarioText(`durationS: 1\nvariants:\n${Array.from({ length: MAX_VARIANTS }, (_, i) => `  - { name: v${i} }\n`).join('')}`, 'ok.yaml');
    expect(ok.variants).toHaveLength(MAX_VARIANTS);
  });

  it('rejects a phase outside the call', () => {
    const e = err('durationS: 10\nphases:\n  - { at: 12s, for: 1s, set: { delay: { baseMs: 100 } } }\n');
    expect(e.keyPath).toBe('phases[0].at');
    expect(e.line).toBe(3);
    expect(e.detail).toMatch(/after the call ends/);
    expect(err('durationS: 10\nphases:\n  - { at: 9s, for: 2s, set: {} }\n').keyPath).toBe('phases[0].for');
    expect(err('phases:\n  - { at: soon, for: 2s, set: {} }\n').detail).toMatch(/duration/);
  });

  it('reports YAML syntax errors with their line', () => {
    const e = err('seed: 1\nchannel: [\n');
    expect(e.line).not.toBeNull();
    expect(e.detail).toMatch(/invalid YAML/);
  });

  it('reads JSON scenario files too, with lines', () => {
    const e = err('{\n  "seed": 1,\n  "channel": { "loss": { "model": "bogus" } }\n}\n', 'x.json');
    expect(e.keyPath).toBe('channel.loss.model');
    expect(e.line).toBe(3);
    expect(e.detail).toMatch(/expected one of/);
  });

  it('resolves phases to milliseconds, linear ramps default to 20% of the phase', () => {
    const sc = parseScenarioText('durationS: 60\nphases:\n  - { at: 30s, for: 5s, set: { delay: { baseMs: 100 } }, transition: linear }\n', 'p.yaml');
    expect(sc.phases[0]).toMatchObject({ atMs: 30000, forMs: 5000, rampMs: 1000, transition: 'linear', direction: 'aToB' });
  });

  it('merges variants over the scenario: codec keys merge, receiver keys replace', () => {
    const sc = parseScenarioText(
      'sender: { codec: { bitrateKbps: 32, fec: true } }\nreceiver: { plc: pitch }\nvariants:\n  - { name: a }\n  - { name: b, sender: { codec: { fec: false } }, receiver: { jitterBuffer: { type: fixed, delayMs: 100 } } }\n',
      'v.yaml',
    );
    const [a, b] = sc.variants;
    expect(a.sender.codec.bitrateKbps).toBe(32);
    expect(b.sender.codec).toMatchObject({ bitrateKbps: 32, fec: false });
    expect(b.receiver.plc).toBe('pitch');
    expect(b.receiver.jitterBuffer).toMatchObject({ type: 'fixed', delayMs: 100 });
  });

  it('rejects duplicate variant names and bad variant keys with their path', () => {
    expect(err('variants:\n  - { name: a }\n  - { name: a }\n').keyPath).toBe('variants[1].name');
    const e = err('variants:\n  - name: a\n    receiver:\n      plc: magic\n');
    expect(e.keyPath).toBe('variants[0].receiver.plc');
    expect(e.line).toBe(4);
  });

  it('the committed JSON Schema is the one the code emits', () => {
    const committed = JSON.parse(readFileSync(join(PROJECT_ROOT, 'scenarios', 'scenario.schema.json'), 'utf8'));
    expect(committed).toEqual(JSON.parse(JSON.stringify(scenarioJsonSchema())));
  });
});
