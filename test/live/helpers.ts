/** Shared helpers of the live tests: a loopback server, audio envelopes, fixture slices. */
import { createSocket } from 'node:dgram';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { startLiveServer, type LiveServer, type LiveServerOptions } from '../../src/live/server.ts';
import { readWavMono } from '../../src/source/wav-file.ts';
import { WavStreamWriter } from '../../src/report/wav-stream.ts';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';
import { OpusPacketizer } from '../../src/rtp/opus-packetizer.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';
import { serializeRtcp } from '../../src/rtp/rtcp.ts';
import { ntpFromMs } from '../../src/rtp/rtt.ts';
import WebSocket from 'ws';
import { AUDIO_IN, AUDIO_OUT, decodeAudioFrame, encodeAudioFrame, type ServerEvent } from '../../src/live/protocol.ts';

export const TOKEN = 'live-test-token-0123';
export const FIXTURE = join(PROJECT_ROOT, 'fixtures', 'speech-48k.wav');

export function tempDir(prefix: string): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `jitterlab-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A scenario file for a test: one preset with a known network. */
export function writeScenario(dir: string, name: string, body: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, `name: ${name}\nseed: 5\ndurationS: 20\n${body}`);
  return file;
}

/**
 * A live server for a test. Its legs run on one worker thread unless the test asks otherwise:
 * the same messages cross the same thread boundary as with more engines, and each further
 * engine costs every server start 0.5-0.8 s of CPU (engines.test.ts and the rooms tests run two).
 */
export async function testServer(dir: string, o: Partial<LiveServerOptions> = {}): Promise<LiveServer> {
  let n = 0;
  return startLiveServer({
    token: TOKEN,
    port: 0,
    rtpPort: null,
    reportsDir: join(dir, 'reports'),
    sessionName: (room, m) => `${room}-${m.name}-${++n}`,
    workers: 1,
    ...o,
  });
}

/** The fixture's samples [fromS, fromS + seconds) as Int16. */
export function fixturePcm(fromS: number, seconds: number): Int16Array {
  const a = readWavMono(FIXTURE);
  const start = Math.round(fromS * a.sampleRate);
  const n = Math.round(seconds * a.sampleRate);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.max(-32768, Math.min(32767, Math.round((a.samples[start + i] ?? 0) * 32767)));
  return out;
}

export function writeWav(file: string, pcm: Int16Array, rate = 48000): void {
  const w = new WavStreamWriter(file, rate);
  w.write(pcm);
  w.commit();
}

/** RMS envelope in windows of `winMs`. */
export function envelope(pcm: ArrayLike<number>, rate = 48000, winMs = 20): Float64Array {
  const w = Math.round((rate * winMs) / 1000);
  const n = Math.floor(pcm.length / w);
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let s = 0;
    for (let i = k * w; i < (k + 1) * w; i++) s += pcm[i] * pcm[i];
    out[k] = Math.sqrt(s / w);
  }
  return out;
}

function pearson(a: ArrayLike<number>, b: ArrayLike<number>, n: number, offA: number, offB: number): number {
  let sa = 0;
  let sb = 0;
  for (let i = 0; i < n; i++) {
    sa += a[offA + i];
    sb += b[offB + i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let num = 0;
  let da = 0;
  let db = 0;
  for (let i = 0; i < n; i++) {
    const x = a[offA + i] - ma;
    const y = b[offB + i] - mb;
    num += x * y;
    da += x * x;
    db += y * y;
  }
  return da > 0 && db > 0 ? num / Math.sqrt(da * db) : 0;
}

/**
 * Best Pearson correlation between the envelopes over relative shifts of -maxLag..maxLag windows
 * (positive: the received audio is later than the reference; it may also start inside the
 * reference when capture began before sending). At least `minOverlap` windows must overlap.
 */
export function bestEnvelopeCorrelation(received: Float64Array, reference: Float64Array, maxLag: number, minOverlap = 100): { r: number; lag: number } {
  let best = { r: -1, lag: 0 };
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    const offRx = Math.max(0, lag);
    const offRef = Math.max(0, -lag);
    const n = Math.min(reference.length - offRef, received.length - offRx);
    if (n < minOverlap) continue;
    const r = pearson(received, reference, n, offRx, offRef);
    if (r > best.r) best = { r, lag };
  }
  return best;
}

export function int16FromBase64(b64: string): Int16Array {
  const buf = Buffer.from(b64, 'base64');
  const out = new Int16Array(buf.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = buf.readInt16LE(2 * i);
  return out;
}

export async function waitFor(pred: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface RtpSendOptions {
  port: number;
  seconds: number;
  ssrc: number;
  payloadType?: number;
  initialSeq?: number;
  /** Where in the fixture the speech starts (s). */
  fromS?: number;
  /** How the stream ends: just stop, an RTCP BYE, or a final sender report (to `rtcpPort`). */
  end?: 'stop' | 'bye' | 'sr';
  rtcpPort?: number;
  /** Frames not sent (lost before the ingress): their sequence numbers are spent anyway. */
  drop?: (frame: number) => boolean;
  /** After this frame, an RTCP sender report (to `rtcpPort`) with that frame's timestamp and the packets sent so far: the sender is still sending. */
  srAfter?: number;
  /** After this frame the sender stalls for `ms`, then sends what it owes at once (as a process the machine did not run for a while). */
  stall?: { afterFrame: number; ms: number };
}

/** Opus payloads of the fixture from `fromS`, 20 ms each, with the project's encoder. */
export function opusPayloads(fromS: number, frames: number): Uint8Array[] {
  const enc = new OpusFrameEncoder(CodecConfigSchema.parse({}));
  const src = fixturePcm(fromS, (frames * 960) / 48000);
  const out: Uint8Array[] = [];
  for (let i = 0; i < frames; i++) out.push(enc.encode(src.subarray(i * 960, (i + 1) * 960)));
  return out;
}

/** One RTP/Opus stream over UDP loopback in real time (20 ms packets), like a real sender. */
export async function sendRtpStream(o: RtpSendOptions): Promise<{ sent: number; frames: number }> {
  const frames = Math.round((o.seconds * 1000) / 20);
  const payloads = opusPayloads(o.fromS ?? 0, frames);
  const pt = o.payloadType ?? 111;
  const pk = new OpusPacketizer({ payloadType: pt, ssrc: o.ssrc, initialSeq: o.initialSeq ?? 1000, initialTimestamp: 123_456 });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  let sent = 0;
  const t0 = performance.now();
  for (let k = 0; k < frames; k++) {
    const bytes = serializeRtp(pk.packetize({ payload: payloads[k], timestampOffset48k: k * 960, talkspurtStart: k === 0 }));
    if (!o.drop?.(k)) {
      sock.send(bytes, o.port, '127.0.0.1');
      sent++;
    }
    if (k === o.srAfter) {
      const ntp = ntpFromMs(3_900_000_000_000 + k * 20);
      const sr = { type: 'sr' as const, ssrc: o.ssrc, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: (123_456 + k * 960) >>> 0, packetCount: sent, octetCount: 0, reports: [], profileExtension: new Uint8Array(0) };
      sock.send(serializeRtcp([sr]), o.rtcpPort!, '127.0.0.1');
    }
    if (k === o.stall?.afterFrame) await new Promise((r) => setTimeout(r, o.stall!.ms));
    const wait = t0 + (k + 1) * 20 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  if (o.end === 'bye' || o.end === 'sr') {
    // RTCP from the sender's host (another port, as ffmpeg does), after the last packet.
    const ntp = ntpFromMs(3_900_000_000_000 + frames * 20);
    const sr = { type: 'sr' as const, ssrc: o.ssrc, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: (123_456 + (frames + 3) * 960) >>> 0, packetCount: frames, octetCount: 0, reports: [], profileExtension: new Uint8Array(0) };
    const bye = { type: 'unknown' as const, packetType: 203, countOrFmt: 1, body: Uint8Array.of(o.ssrc >>> 24, (o.ssrc >>> 16) & 255, (o.ssrc >>> 8) & 255, o.ssrc & 255) };
    await new Promise((r) => setTimeout(r, 60));
    sock.send(serializeRtcp(o.end === 'bye' ? [bye] : [sr]), o.rtcpPort!, '127.0.0.1');
  }
  await new Promise((r) => setTimeout(r, 20));
  sock.close();
  return { sent, frames };
}

/** A WebSocket member of a room (Node, no browser): keeps the events and the audio it gets. */
export class Client {
  readonly ws: WebSocket;
  readonly events: ServerEvent[] = [];
  readonly audio: Int16Array[] = [];
  closeCode: number | null = null;
  private frameNo = 0;

  constructor(url: string, opts: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, opts);
    this.ws.on('message', (data, isBinary) => {
      if (!isBinary) {
        this.events.push(JSON.parse(String(data)) as ServerEvent);
        return;
      }
      const f = decodeAudioFrame(new Uint8Array(data as Buffer));
      if (f.ok && f.type === AUDIO_OUT) this.audio.push(f.pcm);
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
    });
    this.ws.on('error', () => undefined);
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      this.ws.once('error', reject);
    });
  }

  sendFrame(pcm: Int16Array): void {
    this.ws.send(encodeAudioFrame(AUDIO_IN, this.frameNo++, pcm));
  }

  /** Speak `pcm` in real time, 20 ms frames. */
  async speak(pcm: Int16Array): Promise<void> {
    const t0 = performance.now();
    for (let i = 0; (i + 1) * 960 <= pcm.length; i++) {
      this.sendFrame(pcm.subarray(i * 960, (i + 1) * 960));
      const wait = t0 + (i + 1) * 20 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  }

  of<T extends ServerEvent['type']>(type: T): Array<Extract<ServerEvent, { type: T }>> {
    return this.events.filter((e): e is Extract<ServerEvent, { type: T }> => e.type === type);
  }
}

