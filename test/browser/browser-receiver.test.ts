/**
 * A real browser as the receiver (Debian's Chromium over WebRTC on loopback), end to end: short
 * calls in real time, so this file is bounded (about 30 s) and runs its calls one after another.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runToReport } from '../../src/report/write-run.ts';
import { scenarioFromObject } from '../../src/scenario/load.ts';
import { CHROMIUM, hasChromium } from '../headless-chromium.ts';

if (!hasChromium) console.warn(`${CHROMIUM} not installed: skipping the real-browser receiver tests`);
const run = hasChromium ? describe : describe.skip;
const tmp = mkdtempSync(join(tmpdir(), 'jl-browser-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function scenario(variants: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  return scenarioFromObject(
    {
      name: 'browser-test',
      seed: 5,
      durationS: 7,
      source: { file: 'fixtures/speech-48k.wav' },
      sender: { codec: { bitrateKbps: 32, fec: true } },
      channel: { delay: { baseMs: 60 } },
      receiver: { jitterBuffer: { type: 'neteq' } },
      variants,
      report: { visqol: false },
      ...extra,
    },
    '<browser-test>',
  );
}

type W3c = Record<string, number>;
const perEmitted = (w: W3c, k: string) => (w[k] / w.jitterBufferEmittedCount) * 1000;

run('browser receiver', () => {
  it('plays the call: loss and jitter move its W3C counters as they must, its audio follows the reference, ICE stays on loopback', { timeout: 150_000 }, async () => {
    const clean = scenario([{ name: 'clean', receiver: { browser: {} } }]);
    // Without in-band FEC, so that lost packets are concealed (with it, a deep buffer repairs most).
    const impaired = scenario([{ name: 'impaired', sender: { codec: { fec: false } }, receiver: { browser: {} } }], {
      channel: { delay: { baseMs: 60, jitterMs: 40, distribution: 'uniform', order: 'allow' }, loss: { model: 'bernoulli', rate: 0.1 } },
    });
    const a = (await runToReport(clean, { outDir: join(tmp, 'clean') })).results.variants[0];
    const b = (await runToReport(impaired, { outDir: join(tmp, 'impaired') })).results.variants[0];
    const wa = a.w3c as W3c;
    const wb = b.w3c as W3c;

    // Loss: the browser counts the packets the network dropped (RFC 3550 expected - received;
    // losses after its last received packet are not yet "expected") and conceals them.
    const lost = (b.network as unknown as { lostInNetwork: number }).lostInNetwork;
    expect(lost).toBeGreaterThan(15);
    expect(wb.packetsLost).toBeLessThanOrEqual(lost);
    expect(wb.packetsLost).toBeGreaterThanOrEqual(lost - 3);
    expect(wa.packetsLost).toBe(0);
    expect(wb.concealedSamples).toBeGreaterThan(wa.concealedSamples + 10 * 960);
    expect(wb.concealmentEvents).toBeGreaterThan(wa.concealmentEvents);
    // Jitter: its target delay rises well above the clean call's.
    expect(perEmitted(wb, 'jitterBufferTargetDelay')).toBeGreaterThan(perEmitted(wa, 'jitterBufferTargetDelay') + 20);

    const info = a.browser as { selectedCandidatePair: { local: string; remote: string }; capture: { correlation: number }; release: { packets: number } };
    expect(info.selectedCandidatePair.local).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.selectedCandidatePair.remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(info.capture.correlation).toBeGreaterThan(0.7);
    expect(info.release.packets).toBe((a.network as unknown as { packetsReceived: number }).packetsReceived);

    // The same shapes as our own variants: timeline, frames, files, report section.
    expect(a.timeline.tMs.length).toBeGreaterThan(50);
    expect(a.timeline.targetDelayMs.length).toBe(a.timeline.tMs.length);
    expect(a.frames.outcome.length).toBe(350);
    for (const f of ['degraded.wav', 'release.csv', 'browser-stats.csv', 'packets.csv', 'index.html']) expect(existsSync(join(tmp, 'clean', f))).toBe(true);
    const release = readFileSync(join(tmp, 'clean', 'release.csv'), 'utf8').trim().split('\n');
    expect(release[0]).toBe('seq,scheduled_ms,released_ms,lateness_ms');
    expect(release.length - 1).toBe(info.release.packets);
    expect(readFileSync(join(tmp, 'clean', 'index.html'), 'utf8')).toContain('Browser receivers');
    const scores = b.scores as { emodel: { pplPercent: number } };
    expect(scores.emodel.pplPercent).toBeGreaterThan(2);
  });

  it('one clear error and no report when there is no Chromium, it never connects, or the browser dies', { timeout: 150_000 }, async () => {
    const fail = async (sc: ReturnType<typeof scenario>, dir: string): Promise<string> => {
      const out = join(tmp, dir);
      const err = await runToReport(sc, { outDir: out }).then(
        () => null,
        (e: Error) => e,
      );
      expect(err).not.toBeNull();
      expect(existsSync(out)).toBe(false);
      const msg = err!.message;
      expect(msg.split('\n').length).toBe(1);
      return msg;
    };
    expect(await fail(scenario([{ name: 'b', receiver: { browser: { executable: '/nonexistent/chromium' } } }]), 'none')).toBe(
      'browser receiver: receiver.browser.executable /nonexistent/chromium is not an executable file',
    );
    // A browser that offers no UDP candidate (this policy switch removes them all) cannot connect.
    const noUdp = scenario([{ name: 'b', receiver: { browser: { flags: ['--webrtc-ip-handling-policy=disable_non_proxied_udp'] } } }]);
    expect(await fail(noUdp, 'never')).toMatch(/^browser receiver: the browser offered no 127\.0\.0\.1 candidate/);
    // The browser killed in the middle of the call.
    const killer = setInterval(() => {
      for (const pid of childChromiumPids()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }
    }, 2500);
    try {
      expect(await fail(scenario([{ name: 'b', receiver: { browser: {} } }], { durationS: 6 }), 'killed')).toMatch(/^browser receiver: the browser exited during the call|^browser receiver: .*(closed|crash)/);
    } finally {
      clearInterval(killer);
    }
    // Nothing reaches the browser: nothing to measure.
    const silent = scenario([{ name: 'b', receiver: { browser: {} } }], { durationS: 3, channel: { loss: { model: 'bernoulli', rate: 1 } } });
    expect(await fail(silent, 'silent')).toMatch(/^browser receiver: the call was too short to measure/);
  });
});

/** Chromium processes started by this test process (direct children). */
function childChromiumPids(): number[] {
  const out: number[] = [];
  for (const d of readdirSafe('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && readFileSync(`/proc/${d}/comm`, 'utf8').trim().startsWith('chrom')) out.push(Number(d));
    } catch {
      // process gone
    }
  }
  return out;
}

function readdirSafe(p: string): string[] {
  try {
    return readdirSync(p);
  } catch {
    return [];
  }
}
