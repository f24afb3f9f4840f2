/**
 * The page inside the headless browser that receives a jitterlab call over WebRTC. Node drives it
 * through playwright (`window.jitterlabReceiver`): it answers Node's offer, plays the remote track
 * into an <audio> element (without a sink Chromium never pulls audio from its jitter buffer),
 * captures what is played with an AudioWorklet, and samples getStats() inbound-rtp at a fixed
 * interval. Node collects both with drain().
 */
import { INBOUND_COUNTERS, type PageDrain, type PageStatSample, type ReceiverPageApi, type SelectedPair } from '../page-api.ts';

declare const CAPTURE_WORKLET_SOURCE: string;


let pc: RTCPeerConnection | null = null;
let ctx: AudioContext | null = null;
let stats: PageStatSample[] = [];
let blocks: Int16Array[] = [];
let capturedSamples = 0;
let captureStartEpochMs: number | null = null;
let errors: string[] = [];
let statsTimer: number | undefined;
let statsBusy = false;

const epochNow = (): number => performance.timeOrigin + performance.now();

async function startCapture(stream: MediaStream, capture: boolean): Promise<void> {
  const audio = document.createElement('audio');
  audio.autoplay = true;
  audio.muted = true;
  audio.srcObject = stream;
  document.body.appendChild(audio);
  void audio.play().catch((e: unknown) => errors.push(`audio element: ${String(e)}`));
  if (!capture) return;
  ctx = new AudioContext({ sampleRate: 48000 });
  const url = URL.createObjectURL(new Blob([CAPTURE_WORKLET_SOURCE], { type: 'application/javascript' }));
  await ctx.audioWorklet.addModule(url);
  const node = new AudioWorkletNode(ctx, 'jitterlab-capture', { numberOfInputs: 1, numberOfOutputs: 0 });
  node.port.onmessage = (m: MessageEvent<Int16Array>) => {
    if (captureStartEpochMs === null) captureStartEpochMs = epochNow() - 20;
    blocks.push(m.data);
    capturedSamples += m.data.length;
  };
  ctx.createMediaStreamSource(stream).connect(node);
  await ctx.resume();
}

async function sampleStats(): Promise<void> {
  if (!pc || statsBusy) return;
  statsBusy = true;
  try {
    const report = await pc.getStats();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type !== 'inbound-rtp' || s.kind !== 'audio') return;
      const sample: PageStatSample = { timestamp: Number(s.timestamp) };
      for (const k of INBOUND_COUNTERS) if (typeof s[k] === 'number') sample[k] = s[k] as number;
      stats.push(sample);
    });
  } catch (e) {
    errors.push(`getStats: ${String(e)}`);
  } finally {
    statsBusy = false;
  }
}

function toBase64(pcm: Int16Array): string {
  const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

const api: ReceiverPageApi = {
  async answer(offer, opts) {
    pc = new RTCPeerConnection();
    const tracked = new Promise<void>((resolve) => {
      pc!.ontrack = (e) => {
        const stream = e.streams[0] ?? new MediaStream([e.track]);
        startCapture(stream, opts.capture).then(resolve, (err: unknown) => {
          errors.push(`capture: ${String(err)}`);
          resolve();
        });
      };
    });
    await pc.setRemoteDescription({ type: 'offer', sdp: offer });
    await pc.setLocalDescription(await pc.createAnswer());
    await new Promise<void>((resolve) => {
      if (pc!.iceGatheringState === 'complete') return resolve();
      pc!.onicegatheringstatechange = () => {
        if (pc!.iceGatheringState === 'complete') resolve();
      };
    });
    await tracked;
    statsTimer = window.setInterval(() => void sampleStats(), opts.statsIntervalMs);
    return pc.localDescription!.sdp;
  },

  drain(): PageDrain {
    let n = 0;
    for (const b of blocks) n += b.length;
    const pcm = new Int16Array(n);
    let off = 0;
    for (const b of blocks) {
      pcm.set(b, off);
      off += b.length;
    }
    const out: PageDrain = { stats, pcmBase64: toBase64(pcm), samples: n, captureStartEpochMs, errors, connectionState: pc?.connectionState ?? 'new' };
    stats = [];
    blocks = [];
    errors = [];
    return out;
  },

  async selectedPair(): Promise<SelectedPair | null> {
    if (!pc) return null;
    const report = await pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
    for (const s of byId.values()) {
      if (s.type !== 'transport' || typeof s.selectedCandidatePairId !== 'string') continue;
      const pair = byId.get(s.selectedCandidatePairId);
      const local = pair && byId.get(String(pair.localCandidateId));
      const remote = pair && byId.get(String(pair.remoteCandidateId));
      if (!local || !remote) return null;
      return { local: `${String(local.address)}:${String(local.port)}`, remote: `${String(remote.address)}:${String(remote.port)}` };
    }
    return null;
  },

  async stop() {
    window.clearInterval(statsTimer);
    await sampleStats();
    pc?.close();
    await ctx?.close();
    pc = null;
    ctx = null;
  },
};

(window as unknown as { jitterlabReceiver: ReceiverPageApi }).jitterlabReceiver = api;
(window as unknown as { jitterlabCaptured: () => number }).jitterlabCaptured = () => capturedSamples;
