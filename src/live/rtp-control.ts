/**
 * What the page and the API can do with RTP streams: change their settings (one stream, or all
 * of them and the ones to come: preset, buffer, loss and jitter, as for a room member) and record
 * them like a page session (heard.wav = the stream's playout after the channel, source.wav = its
 * packets decoded as they arrived, results.json, scenario.yaml), under the same recording limits.
 * With `recordAll` (--record-rtp) every stream is recorded from its first packet.
 */
import { join } from 'node:path';
import type { LiveCatalog, SettingsPatch } from './catalog.ts';
import { effectiveSettings, LIVE_SAMPLE_RATE, type LegConfig, type ListenerSettings } from './leg-config.ts';
import type { LiveMetrics } from './live-metrics.ts';
import { LiveRecorder } from './recorder.ts';
import type { RecordingQuota } from './recording-quota.ts';
import type { RtpIngress } from './rtp-ingress.ts';
import { ssrcHex, type RtpStream } from './rtp-stream.ts';
import type { TimerWheel } from './timer-wheel.ts';
import type { RtpControl } from './http-app.ts';

export interface RtpControlOptions {
  catalog: LiveCatalog;
  clock: TimerWheel;
  metrics: LiveMetrics;
  quota: RecordingQuota;
  reportsDir: string;
  /** Session (folder) name of a stream's recording. */
  sessionName(s: RtpStream): string;
  recordAll: boolean;
  log(line: string): void;
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

  streams(): unknown[] {
    return this.ingress?.streams() ?? [];
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
    return { applied: ing?.reconfigure(cfg, ssrc) ?? 0, settings: { ...next, effective: effectiveSettings(cfg) } };
  }

  /** A recorder for a stream, or why not (the recording limits). */
  recorderFor(s: RtpStream): LiveRecorder | string {
    const session = this.o.sessionName(s).replace(/[^A-Za-z0-9_.-]/g, '_');
    const rec = LiveRecorder.open({
      dir: join(this.o.reportsDir, session),
      session,
      sampleRate: LIVE_SAMPLE_RATE,
      startMs: this.o.clock.now(),
      quota: this.o.quota,
      sourceFileName: () => 'source.wav',
      onLimit: (reason) =>
        void this.o.clock.schedule(this.o.clock.now(), () => {
          if (typeof rec !== 'string' && s.recordingDir === rec.dir) this.ingress?.stopRecording(s.ssrc, reason);
        }),
    });
    return rec;
  }

  autoRecord(s: RtpStream): LiveRecorder | string | null {
    return this.o.recordAll ? this.recorderFor(s) : null;
  }

  /** A stream's recording was saved (on request, at a limit, or because the stream ended). */
  saved(s: RtpStream, r: { dir: string; files: string[]; reason: string | null } | { error: string }): void {
    this.o.quota.release();
    if ('error' in r) {
      this.o.log(`rtp ${ssrcHex(s.ssrc)}: recording failed: ${r.error}`);
      return;
    }
    this.o.metrics.recordings.inc();
    this.o.log(`recording saved: ${r.dir} (${r.files.join(', ')})${r.reason ? `: ${r.reason}` : ''}`);
  }

  record(ssrc: number, on: boolean): { ok: true; dir: string; files?: string[] } | { error: string; status: number } {
    const ing = this.ingress;
    const s = ing?.stream(ssrc);
    if (!ing || !s) return { error: `no running RTP stream ${ssrcHex(ssrc)}`, status: 404 };
    if (on) {
      if (s.recordingDir !== null) return { ok: true, dir: s.recordingDir };
      const rec = this.recorderFor(s);
      if (typeof rec === 'string') return { error: rec, status: 409 };
      ing.startRecording(ssrc, rec);
      return { ok: true, dir: rec.dir };
    }
    const r = ing.stopRecording(ssrc);
    if (!r) return { error: `RTP stream ${ssrcHex(ssrc)} is not being recorded`, status: 409 };
    if ('error' in r) return { error: r.error, status: 500 };
    return { ok: true, dir: r.dir, files: r.files };
  }
}
