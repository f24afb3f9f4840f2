/**
 * Everything a run would build before simulating, without simulating: both directions' channel
 * paths (which load delay tables, link traces and replay captures), and each variant's jitter
 * buffer (which imports user modules). The source WAV's header is checked when the scenario is
 * loaded (scenario/load.ts). `jitterlab validate` runs it, so a file that validates does not fail
 * at `run` for a missing or malformed referenced file.
 */
import { resolveJitterBuffer } from '../jitter-buffer/registry.ts';
import type { Scenario } from '../scenario/load.ts';
import { createChannelPath } from './channel-factory.ts';

export async function preflight(scenario: Scenario): Promise<void> {
  const cfg = scenario.config;
  const slotMs = cfg.slotMs ?? cfg.sender.codec.frameMs;
  const opts = { seed: cfg.seed, slotMs, baseDir: scenario.baseDir };
  createChannelPath(cfg.channel, scenario.phases.filter((p) => p.direction !== 'bToA'), { ...opts, direction: 'aToB' });
  createChannelPath(cfg.reverseChannel ?? cfg.channel, scenario.phases.filter((p) => p.direction !== 'aToB'), { ...opts, direction: 'bToA' });
  for (const v of scenario.variants) await resolveJitterBuffer(v.receiver.jitterBuffer, scenario.baseDir);
}
