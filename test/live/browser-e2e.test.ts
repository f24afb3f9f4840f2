/**
 * End to end with Debian's Chromium (headless, fake microphone playing a fixture slice): the
 * page joins a room alone, speaks, and hears itself back through the quickstart network (jitter,
 * bursty loss, fixed 60 ms buffer) run live on the server; the envelope of what it receives must
 * follow the fixture. It also records and checks the saved session, checks that the token left
 * the address bar at once, and sees an RTP stream in the page's RTP panel.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { CHROMIUM, hasChromium, launchChromium } from '../headless-chromium.ts';
import type { LiveServer } from '../../src/live/server.ts';
import { loadScenario, PROJECT_ROOT } from '../../src/scenario/load.ts';
import { readWavMono } from '../../src/source/wav-file.ts';
import { bestEnvelopeCorrelation, envelope, fixturePcm, int16FromBase64, sendRtpStream, tempDir, testServer, TOKEN, writeWav } from './helpers.ts';

if (!hasChromium) console.warn(`live e2e skipped: ${CHROMIUM} not found (apt-get install chromium)`);

interface Probe {
  joined: boolean;
  received: { samples: number };
  sent: { samples: number };
  events: Array<{ type: string; legs?: Array<{ netDelayMs: number | null; jbTargetMs: number | null; mosCQ: number | null }>; dir?: string; files?: string[]; on?: boolean }>;
  receivedBase64(): string;
}
declare const window: { __jitterlab: Probe };

describe.runIf(hasChromium)('live page in headless Chromium', () => {
  const tmp = tempDir('e2e');
  let server: LiveServer;
  let browser: Browser;
  const SPEECH_S = 5;

  beforeAll(async () => {
    const slice = join(tmp.dir, 'speech-5s.wav');
    writeWav(slice, fixturePcm(0, SPEECH_S));
    server = await testServer(tmp.dir, { scenarioFile: join(PROJECT_ROOT, 'scenarios', 'quickstart.yaml'), rtpPort: 0 });
    browser = await launchChromium([
      '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream',
      `--use-file-for-fake-audio-capture=${slice}%noloop`,
    ]);
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tmp.cleanup();
  });

  it('speaks the fixture and hears it back through the live channel and jitter buffer', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/?token=${TOKEN}&room=e2e&name=tester&aec=0`);
    // The token leaves the address (and this history entry) as soon as the page has it.
    expect(page.url()).toBe(`${server.url}/?room=e2e&name=tester&aec=0`);
    expect(await page.inputValue('#token')).toBe(TOKEN);
    // An RTP stream shows in the page's RTP panel.
    const rtp = sendRtpStream({ port: server.rtpPort!, seconds: 1.5, ssrc: 0xe2e0e2e0 });
    await page.waitForFunction(() => document.getElementById('rtp')!.textContent!.includes('0xe2e0e2e0'), undefined, { timeout: 10_000 });
    await rtp;
    await page.click('#join');
    await page.waitForFunction(() => window.__jitterlab.joined, undefined, { timeout: 10_000 });
    await page.click('#record');
    await page.waitForFunction(() => window.__jitterlab.events.some((e) => e.type === 'recording' && e.on), undefined, { timeout: 5000 });
    // The fixture plays once; wait for it plus path and buffer delay to come back.
    await page.waitForFunction((n) => window.__jitterlab.received.samples >= n, 48000 * (SPEECH_S + 0.8), { timeout: 20_000, polling: 100 });
    await page.click('#record');
    await page.waitForFunction(() => window.__jitterlab.events.some((e) => e.type === 'recording' && !e.on), undefined, { timeout: 5000 });
    const received = int16FromBase64(await page.evaluate(() => window.__jitterlab.receivedBase64()));
    const events = await page.evaluate(() => window.__jitterlab.events);
    await page.close();
    expect(errors).toEqual([]);

    // The envelope of what came back follows the fixture (capture starts before the first frame
    // is sent, so the best shift may be negative)...
    const ref = envelope(fixturePcm(0, SPEECH_S));
    const got = envelope(received);
    const best = bestEnvelopeCorrelation(got, ref, 100);
    expect(best.r).toBeGreaterThan(0.8);
    // ...and not some other speech of the same talker (the test can fail).
    const other = bestEnvelopeCorrelation(got, envelope(fixturePcm(12, SPEECH_S)), 100);
    expect(other.r).toBeLessThan(best.r - 0.25);

    // The charts were fed: network delay near the quickstart base of 40 ms, buffer target 60 ms, a MOS.
    const stats = events.filter((e) => e.type === 'stats' && e.legs && e.legs.length === 1).map((e) => e.legs![0]);
    const withDelay = stats.filter((l) => l.netDelayMs !== null);
    expect(withDelay.length).toBeGreaterThan(5);
    const meanDelay = withDelay.reduce((s, l) => s + l.netDelayMs!, 0) / withDelay.length;
    expect(meanDelay).toBeGreaterThan(25);
    expect(meanDelay).toBeLessThan(60);
    expect(stats.some((l) => l.jbTargetMs === 60)).toBe(true);
    expect(stats.some((l) => l.mosCQ !== null && l.mosCQ > 1 && l.mosCQ <= 5)).toBe(true);

    // The recording: heard.wav, the speaker's clean capture, results.json, and a scenario that loads.
    const rec = events.find((e) => e.type === 'recording' && !e.on)!;
    const dir = rec.dir!;
    expect(rec.files).toEqual(expect.arrayContaining(['heard.wav', 'results.json', 'scenario.yaml']));
    const heard = readWavMono(join(dir, 'heard.wav'));
    expect(heard.sampleRate).toBe(48000);
    expect(heard.samples.length).toBeGreaterThan(48000 * 3);
    const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as {
      kind: string;
      legs: Array<{ w3c: { packetsReceived: number; totalSamplesReceived: number }; channel: { sent: number; delivered: number; lost: number } }>;
    };
    expect(results.kind).toBe('jitterlab-live-session');
    const leg = results.legs[0];
    expect(leg.channel.sent).toBe(leg.channel.delivered + leg.channel.lost);
    expect(leg.w3c.packetsReceived).toBeGreaterThan(100);
    const sc = loadScenario(join(dir, 'scenario.yaml'));
    expect(existsSync(sc.sourceFile)).toBe(true);
    expect(sc.config.channel.loss.model).toBe('gilbert');

    const metrics = await (await fetch(`${server.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(Number(/jitterlab_live_frames_played_total\{kind="ws"\} (\d+)/.exec(metrics)?.[1])).toBeGreaterThan(200);
  }, 45_000);
});
