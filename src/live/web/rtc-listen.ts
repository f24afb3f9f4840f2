/**
 * WebRTC listening on the page: the server offers one connection per speaker this member hears,
 * carrying that speaker's packets after the simulated network; the page answers, plays each
 * remote track through an <audio> element (this browser's own NetEq, decoder and concealment
 * play them), and samples getStats() inbound-rtp once a second for the chart beside the
 * server's channel figures.
 */
export interface BrowserNetEqSample {
  leg: number;
  tMs: number;
  packetsReceived: number;
  packetsLost: number;
  /** Per interval, from the W3C cumulative counters (ms). */
  targetDelayMs: number | null;
  bufferDelayMs: number | null;
  /** Concealed samples of the interval over its samples (%). */
  concealedPct: number | null;
  totalSamplesReceived: number;
  totalAudioEnergy: number;
}

type Counters = Record<string, number>;

export class RtcListen {
  private readonly pcs = new Map<number, { pc: RTCPeerConnection; audio: HTMLAudioElement; last: Counters | null }>();
  private timer: number | undefined;

  constructor(
    private readonly answer: (leg: number, sdp: string) => void,
    private readonly onSample: (s: BrowserNetEqSample) => void,
    private readonly log: (line: string) => void,
  ) {}

  async offer(leg: number, sdp: string): Promise<void> {
    this.close(leg);
    const pc = new RTCPeerConnection();
    const audio = document.createElement('audio');
    audio.autoplay = true;
    document.body.appendChild(audio);
    this.pcs.set(leg, { pc, audio, last: null });
    pc.ontrack = (e) => {
      audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      void audio.play().catch((err: unknown) => this.log(`audio: ${String(err)}`));
    };
    await pc.setRemoteDescription({ type: 'offer', sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise<void>((resolve) => {
      if (pc.iceGatheringState === 'complete') return resolve();
      pc.onicegatheringstatechange = () => {
        if (pc.iceGatheringState === 'complete') resolve();
      };
    });
    this.answer(leg, pc.localDescription!.sdp);
    this.timer ??= window.setInterval(() => void this.sample(), 1000);
  }

  close(leg: number): void {
    const c = this.pcs.get(leg);
    if (!c) return;
    c.pc.close();
    c.audio.remove();
    this.pcs.delete(leg);
  }

  closeAll(): void {
    for (const leg of [...this.pcs.keys()]) this.close(leg);
    window.clearInterval(this.timer);
    this.timer = undefined;
  }

  private async sample(): Promise<void> {
    for (const [leg, c] of this.pcs) {
      const report = await c.pc.getStats();
      report.forEach((s: Record<string, unknown>) => {
        if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
        const now = s as unknown as Counters;
        const prev = c.last;
        c.last = now;
        const d = (k: string) => (prev ? (now[k] ?? 0) - (prev[k] ?? 0) : (now[k] ?? 0));
        const emitted = d('jitterBufferEmittedCount');
        const samples = d('totalSamplesReceived');
        this.onSample({
          leg,
          tMs: now.timestamp,
          packetsReceived: now.packetsReceived ?? 0,
          packetsLost: now.packetsLost ?? 0,
          targetDelayMs: emitted > 0 ? (d('jitterBufferTargetDelay') / emitted) * 1000 : null,
          bufferDelayMs: emitted > 0 ? (d('jitterBufferDelay') / emitted) * 1000 : null,
          concealedPct: samples > 0 ? (d('concealedSamples') / samples) * 100 : null,
          totalSamplesReceived: now.totalSamplesReceived ?? 0,
          totalAudioEnergy: now.totalAudioEnergy ?? 0,
        });
      });
    }
  }
}
