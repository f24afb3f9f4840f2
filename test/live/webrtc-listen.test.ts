/**
 * WebRTC listening on the live page, in Debian's Chromium: a member joins with listen=webrtc,
 * speaks a fixture slice (fake microphone), and hears it through the browser's own NetEq: the
 * server writes each impaired packet to a WebRTC connection to the page instead of sending PCM.
 * The page's getStats chart is fed, and the server's channel figures still come.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium } from '../headless-chromium.ts';
import type { LiveServer } from '../../src/live/server.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { fixturePcm, tempDir, testServer, TOKEN, writeWav } from './helpers.ts';

if (!hasChromium) console.warn(`WebRTC listening test skipped: ${CHROMIUM} not found (apt-get install chromium)`);

interface Probe {
  joined: boolean;
  received: { samples: number };
  events: Array<{ type: string; listen?: string; code?: string; legs?: Array<{ netDelayMs: number | null }> }>;
  browserNetEq: Array<{ leg: number; packetsReceived: number; packetsLost: number; targetDelayMs: number | null; totalSamplesReceived: number; totalAudioEnergy: number }>;
}
declare const window: { __jitterlab: Probe };

describe.runIf(hasChromium)('live page: listening through the browser (WebRTC)', () => {
  const tmp = tempDir('webrtc-listen');
  let server: LiveServer;
  let browser: Browser;

  beforeAll(async () => {
    const slice = join(tmp.dir, 'speech-6s.wav');
    writeWav(slice, fixturePcm(0, 6));
    server = await testServer(tmp.dir, { scenarioFile: join(PROJECT_ROOT, 'scenarios', 'quickstart.yaml') });
    browser = await launchChromium(['--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${slice}%noloop`]);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tmp.cleanup();
  });

  it("plays the impaired packets through the browser's NetEq, and charts its getStats beside the server's figures", async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/?token=${TOKEN}&room=rtc&name=listener&aec=0&listen=webrtc`);
    await page.click('#join');
    await page.waitForFunction(() => window.__jitterlab.joined, undefined, { timeout: 10_000 });
    // About five seconds of speech come back through the path (40 ms, jitter, 2% bursty loss).
    await page.waitForFunction(() => window.__jitterlab.browserNetEq.some((s) => s.packetsReceived > 200), undefined, { timeout: 20_000, polling: 200 });
    await page.click('#record');
    await page.waitForFunction(() => window.__jitterlab.events.some((e) => e.type === 'error' && e.code === 'recording-refused'), undefined, { timeout: 5000 });
    const probe = await page.evaluate(() => ({ ...window.__jitterlab, received: { samples: window.__jitterlab.received.samples } }));
    const chartVisible = await page.isVisible('#browser-chart');
    await page.close();
    expect(errors).toEqual([]);

    expect(probe.events.find((e) => e.type === 'welcome')?.listen).toBe('webrtc');
    // No decoded PCM from the server: the browser plays.
    expect(probe.received.samples).toBe(0);
    const last = probe.browserNetEq[probe.browserNetEq.length - 1];
    expect(last.packetsReceived).toBeGreaterThan(200);
    expect(last.totalSamplesReceived).toBeGreaterThan(48000 * 3);
    // Speech, not silence, came out of its decoder.
    expect(last.totalAudioEnergy).toBeGreaterThan(0.01);
    expect(probe.browserNetEq.some((s) => s.targetDelayMs !== null && s.targetDelayMs >= 20)).toBe(true);
    expect(chartVisible).toBe(true);
    // The server's channel figures still come for the same leg.
    const withDelay = probe.events.filter((e) => e.type === 'stats' && e.legs?.[0]?.netDelayMs != null);
    expect(withDelay.length).toBeGreaterThan(3);
  }, 45_000);
});
