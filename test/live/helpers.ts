/** Shared helpers of the live tests: a loopback server, audio envelopes, fixture slices. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { startLiveServer, type LiveServer, type LiveServerOptions } from '../../src/live/server.ts';
import { readWavMono } from '../../src/source/wav-file.ts';
import { WavStreamWriter } from '../../src/report/wav-stream.ts';

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

export async function testServer(dir: string, o: Partial<LiveServerOptions> = {}): Promise<LiveServer> {
  let n = 0;
  return startLiveServer({
    token: TOKEN,
    port: 0,
    rtpPort: null,
    reportsDir: join(dir, 'reports'),
    sessionName: (room, m) => `${room}-${m.name}-${++n}`,
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

export async function waitFor(pred: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
