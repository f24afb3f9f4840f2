/**
 * One person in a room: a speaker (their captured audio, encoded and packetized) and a listener
 * (one leg per speaker they hear, a playout tick that mixes the legs' frames like one audio
 * device, and optionally a recording of what they hear).
 */
import type { TimerHandle } from '../core/clock.ts';
import type { LegConfig, ListenerSettings } from './leg-config.ts';
import type { LiveLeg } from './leg.ts';
import { AUDIO_OUT, encodeAudioFrame, FRAME_SAMPLES, type ListenMode, type MemberInfo } from './protocol.ts';
import type { RtcListener } from './rtc-listener.ts';
import type { LiveRecorder } from './recorder.ts';
import type { Speaker } from './speaker.ts';

/** How the hub reaches a member's connection. */
export interface MemberConnection {
  /** Queue a message; false when the connection is gone or was dropped. */
  send(data: Uint8Array | string): boolean;
  close(code: number, reason: string): void;
}

export class Member {
  readonly legs = new Map<number, LiveLeg>();
  tick: TimerHandle | null = null;
  framesOut = 0;
  recording: LiveRecorder | null = null;
  left = false;
  /** WebRTC listening: the connections to the page, one per leg (null: the server plays). */
  rtc: RtcListener | null = null;
  private readonly mix = new Int32Array(FRAME_SAMPLES);
  private readonly out = new Int16Array(FRAME_SAMPLES);

  constructor(
    readonly id: number,
    readonly name: string,
    readonly room: string,
    readonly conn: MemberConnection,
    public settings: ListenerSettings,
    public config: LegConfig,
    readonly speaker: Speaker,
    readonly listen: ListenMode = 'server',
  ) {}

  get info(): MemberInfo {
    return { id: this.id, name: this.name };
  }

  event(e: object): void {
    this.conn.send(JSON.stringify(e));
  }

  /**
   * One playout tick: every leg plays one frame; the sum (saturated) goes to the page. A WebRTC
   * listener's legs still play (their figures feed the charts), but the browser plays what it
   * hears, so no PCM is sent.
   */
  playout(dueMs: number): void {
    let any = false;
    this.mix.fill(0);
    for (const leg of this.legs.values()) {
      const pcm = leg.tick(dueMs);
      if (!pcm) continue;
      any = true;
      for (let i = 0; i < FRAME_SAMPLES; i++) this.mix[i] += pcm[i];
    }
    if (!any || this.listen === 'webrtc') return;
    for (let i = 0; i < FRAME_SAMPLES; i++) this.out[i] = Math.max(-32768, Math.min(32767, this.mix[i]));
    this.conn.send(encodeAudioFrame(AUDIO_OUT, this.framesOut++, this.out));
    this.recording?.heard(this.out);
  }
}
