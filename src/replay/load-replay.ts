/** The replay source a scenario's `channel.replay` names, read and turned into per-packet fates. */
import type { ChannelConfig } from '../channel/config.ts';
import { traceFromCsvFile } from './csv-source.ts';
import type { ReplayTrace } from './replay-trace.ts';
import { traceFromCaptureFile } from './rtp-source.ts';

export type ReplayConfig = NonNullable<ChannelConfig['replay']>;

/**
 * `file` must already be resolved. For captures, `baseMs` is added to the relative delays
 * (rtp-source.ts); CSV delays are absolute (recv_ms - send_ms) and used as they are.
 * format 'pcap' reads pcapng as well (the format is recognised from the file's first bytes).
 */
export function loadReplayTrace(cfg: ReplayConfig, file: string, baseMs: number): ReplayTrace {
  if (cfg.format === 'csv') return traceFromCsvFile(file);
  return traceFromCaptureFile(file, { ...(cfg.ssrc !== null ? { ssrc: cfg.ssrc } : {}), ...(cfg.udpPort !== null ? { udpPort: cfg.udpPort } : {}) }, baseMs);
}
