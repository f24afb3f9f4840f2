/**
 * Everything a run would build before simulating, without simulating: the source WAV's header,
 * both directions' channel paths (which load delay tables, link traces and replay captures), and
 * each variant's jitter buffer (which imports user modules). `jitterlab validate` runs it, so a
 * file that validates does not fail at `run` for a missing or malformed referenced file.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { WavError } from '../core/errors.ts';
import { resolveJitterBuffer } from '../jitter-buffer/registry.ts';
import { checkRiffWave } from '../source/wav-file.ts';
import type { Scenario } from '../scenario/load.ts';
import { createChannelPath } from './channel-factory.ts';

export async function preflight(scenario: Scenario): Promise<void> {
  checkWavHeader(scenario.sourceFile);
  const cfg = scenario.config;
  const slotMs = cfg.slotMs ?? cfg.sender.codec.frameMs;
  const opts = { seed: cfg.seed, slotMs, baseDir: scenario.baseDir };
  createChannelPath(cfg.channel, scenario.phases.filter((p) => p.direction !== 'bToA'), { ...opts, direction: 'aToB' });
  createChannelPath(cfg.reverseChannel ?? cfg.channel, scenario.phases.filter((p) => p.direction !== 'aToB'), { ...opts, direction: 'bToA' });
  for (const v of scenario.variants) await resolveJitterBuffer(v.receiver.jitterBuffer, scenario.baseDir);
}

function checkWavHeader(file: string): void {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new WavError(file, code === 'ENOENT' ? 'file not found (source.file)' : `cannot read (${code})`);
  }
  const head = Buffer.alloc(12);
  let got: number;
  try {
    got = readSync(fd, head, 0, 12, 0);
  } finally {
    closeSync(fd);
  }
  checkRiffWave(head.subarray(0, got), file);
}
