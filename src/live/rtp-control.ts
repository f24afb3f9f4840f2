/**
 * What the page and the API can do with RTP streams: change their settings (one stream, or all
 * of them and the ones to come: preset, buffer, loss and jitter, as for a room member) and record
 * them like a page session (heard.wav = the stream's playout after the channel, source.wav = its
 * packets decoded as they arrived, results.json, scenario.yaml), under the same recording limits.
 * With `recordAll` (--record-rtp) every stream is recorded from its first packet. The recordings
 * themselves are made on the stream's leg engine (engine.ts); this names them.
 */
import type { LiveCatalog, SettingsPatch } from './catalog.ts';
import type { RecordResult } from './engine-protocol.ts';
import { effectiveSettings, type LegConfig, type ListenerSettings } from './leg-config.ts';
import type { RtpIngress, RtpStreamInfo } from './rtp-ingress.ts';
import { ssrcHex } from './rtp-stream.ts';
import type { RtpControl } from './http-app.ts';

export interface RtpControlOptions {
  catalog: LiveCatalog;
  /** Session (folder) name of a stream's recording. */
  sessionName(ssrc: number): string;
  recordAll: boolean;
}

export class RtpStreamControl implements RtpControl {
  private current: ListenerSettings;
  private cfg: LegConfig;
  ingress: RtpIngress | null = null;

  constructor(private readonly o: RtpControlOptions) {
    this.current = o.catalog.defaultSettings();
    this.cfg = o.catalog.resolve(this.current);
  }

  /** The configuration new streams get. */
  config(): LegConfig {
    return this.cfg;
  }

  /** The settings new streams get, and what they resolve to. */
  streamSettings(): { settings: ListenerSettings; config: LegConfig } {
    return { settings: this.current, config: this.cfg };
  }

  async streams(limit: number | null): Promise<{ streams: RtpStreamInfo[]; total: number }> {
    return this.ingress ? this.ingress.page(limit) : { streams: [], total: 0 };
  }

  /** New settings for one running stream, or for all of them and the ones to come (ssrc null). */
  settings(ssrc: number | null, patch: SettingsPatch): { applied: number; settings: unknown } | { error: string } {
    const ing = this.ingress;
    if (ssrc !== null && !ing?.stream(ssrc)) return { error: `no running RTP stream ${ssrcHex(ssrc)}` };
    const next = this.o.catalog.apply(this.current, patch);
    if ('error' in next) return next;
    const cfg = this.o.catalog.resolve(next);
    if (ssrc === null) {
      this.current = next;
      this.cfg = cfg;
    }
    return { applied: ing?.reconfigure(next, ssrc) ?? 0, settings: { ...next, effective: effectiveSettings(cfg) } };
  }

  /** The recording session of a new stream, when every stream is recorded. */
  autoRecord(ssrc: number): string | null {
    return this.o.recordAll ? this.o.sessionName(ssrc) : null;
  }

  async record(ssrc: number, on: boolean): Promise<RecordResult> {
    const ing = this.ingress;
    if (!ing?.stream(ssrc)) return { error: `no running RTP stream ${ssrcHex(ssrc)}`, status: 404 };
    return ing.record(ssrc, on, on ? this.o.sessionName(ssrc) : '');
  }
}
