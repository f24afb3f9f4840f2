/**
 * The one place a simulated path is made: the channel models (src/channel Channel), or, when the
 * direction's settings name `channel.replay`, a recorded network (src/replay ReplayPath).
 * File paths in the channel settings (replay.file, link.trace.file, delay.tableFile, also inside
 * phases) are resolved here against the scenario's folder, then the project root, like source.file.
 *
 * A replayed direction has no models to change, so a phase that applies to it is an error. The
 * trace records one direction only: the reverse direction (bToA) of a replayed channel uses the
 * same section's models with `replay` set aside.
 */
import { Channel, type ChannelOptions } from '../channel/channel.ts';
import type { ChannelConfig, ChannelOverride, Phase } from '../channel/config.ts';
import { phasesForDirection } from '../channel/phases.ts';
import type { ChannelPath } from '../channel/types.ts';
import { ScenarioError } from '../core/errors.ts';
import { loadReplayTrace } from '../replay/load-replay.ts';
import { ReplayPath } from '../replay/replay-path.ts';
import { resolveFile } from '../scenario/load.ts';

export interface ChannelFactoryOptions extends ChannelOptions {
  /** Folder of the scenario file, for relative file paths (default: the working directory). */
  baseDir?: string;
}

function resolvePaths<T extends ChannelConfig | ChannelOverride>(c: T, baseDir: string): T {
  const out: ChannelOverride = { ...c };
  if (c.delay?.tableFile) out.delay = { ...c.delay, tableFile: resolveFile(c.delay.tableFile, baseDir) };
  if (c.link?.trace) out.link = { ...c.link, trace: { ...c.link.trace, file: resolveFile(c.link.trace.file, baseDir) } };
  if (c.replay) out.replay = { ...c.replay, file: resolveFile(c.replay.file, baseDir) };
  return out as T;
}

export function createChannelPath(config: ChannelConfig, phases: readonly Phase[], opts: ChannelFactoryOptions): ChannelPath {
  const baseDir = opts.baseDir ?? process.cwd();
  const cfg = resolvePaths(config, baseDir);
  const ph = phases.map((p) => ({ ...p, set: resolvePaths(p.set, baseDir) }));
  const channelOpts: ChannelOptions = { seed: opts.seed, direction: opts.direction, slotMs: opts.slotMs };
  if (cfg.replay === null) return new Channel(cfg, ph, channelOpts);
  if (opts.direction === 'bToA') return new Channel({ ...cfg, replay: null }, ph, channelOpts);
  const mine = phasesForDirection(ph, 'aToB');
  if (mine.length > 0) throw new ScenarioError('<scenario>', 'phases', null, `phase "${mine[0].label}" applies to a replayed channel (channel.replay); a recording cannot be changed by phases`);
  return new ReplayPath(loadReplayTrace(cfg.replay, cfg.replay.file, cfg.delay.baseMs), opts.slotMs);
}
