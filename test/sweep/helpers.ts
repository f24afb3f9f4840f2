import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `jitterlab-${prefix}-`));
}

/** A short two-variant scenario (2 s calls keep sweeps fast). */
export function writeSweepScenario(dir: string, extra = ''): string {
  const f = join(dir, 'grid.yaml');
  writeFileSync(
    f,
    `name: grid
description: test grid
seed: 9
durationS: 2
source: { file: fixtures/speech-48k.wav }
channel:
  delay: { baseMs: 30, jitterMs: 0, distribution: uniform }
  loss: { model: bernoulli, rate: 0 }
variants:
  - { name: fixed40, receiver: { jitterBuffer: { type: fixed, delayMs: 40 } } }
  - { name: fixed80, receiver: { jitterBuffer: { type: fixed, delayMs: 80 } } }
${extra}`,
  );
  return f;
}
