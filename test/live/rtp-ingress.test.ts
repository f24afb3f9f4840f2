/**
 * RTP ingress over real UDP loopback. The sender is built from the project's own encoder and
 * packetizer and behaves like real senders do: marker bit on every packet, bursty pacing, an SSRC
 * change, a sequence jump, plus malformed datagrams. With ffmpeg installed, ffmpeg is a sender too.
 */
import { spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { OpusFrameEncoder } from '../../src/codec/opus-encoder.ts';
import type { LiveServer } from '../../src/live/server.ts';
import { OpusPacketizer } from '../../src/rtp/opus-packetizer.ts';
import { serializeRtp } from '../../src/rtp/packet.ts';
import { parseRtcp, serializeRtcp } from '../../src/rtp/rtcp.ts';
import { ntpFromMs, ntpMiddle32FromParts } from '../../src/rtp/rtt.ts';
import { tryParseRtp } from '../../src/rtp/packet.ts';
import type { RtcpReceiverReport } from '../../src/rtp/rtcp-report.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { bestEnvelopeCorrelation, envelope, FIXTURE, fixturePcm, tempDir, testServer, waitFor, writeScenario } from './helpers.ts';

const FFMPEG = '/usr/bin/ffmpeg';
const hasFfmpeg = existsSync(FFMPEG);
if (!hasFfmpeg) console.warn(`live RTP ffmpeg test skipped: ${FFMPEG} not found (apt-get install ffmpeg)`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function udp(): Socket {
  return createSocket('udp4');
}

function bindSock(s: Socket, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.bind(port, '127.0.0.1', () => resolve(true));
  });
}

/** An RTP socket on P and an RTCP socket on P + 1 (the RFC 3550 convention the ingress answers to). */
async function senderPair(): Promise<{ rtp: Socket; rtcp: Socket }> {
  for (let i = 0; i < 20; i++) {
    const rtp = udp();
    await bindSock(rtp, 0);
    const p = rtp.address().port;
    const rtcp = udp();
    if (p < 65535 && (await bindSock(rtcp, p + 1))) return { rtp, rtcp };
    rtp.close();
    rtcp.close();
  }
  throw new Error('no adjacent UDP ports');
}

function collectAudio(): { bySsrc: Map<number, Int16Array[]>; on(ssrc: number, pcm: Int16Array): void } {
  const bySsrc = new Map<number, Int16Array[]>();
  return {
    bySsrc,
    on: (ssrc, pcm) => {
      const l = bySsrc.get(ssrc) ?? [];
      l.push(pcm.slice());
      bySsrc.set(ssrc, l);
    },
  };
}

function concat(chunks: Int16Array[]): Int16Array {
  const out = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

const servers: LiveServer[] = [];
const tmp = tempDir('rtp');
afterAll(async () => {
  for (const s of servers) await s.close();
  tmp.cleanup();
});

describe('RTP ingress with the project sender', () => {
  it('impairs, decodes, measures, forwards and reports on real senders', async () => {
    const scenario = writeScenario(
      tmp.dir,
      'rtp-test',
      'channel:\n  delay: { baseMs: 30 }\n  loss: { model: bernoulli, rate: 0.1 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 60 }\n  rtcpIntervalMs: 500\n',
    );
    const fwd = udp();
    await bindSock(fwd, 0);
    const forwarded: Uint8Array[] = [];
    fwd.on('message', (m) => forwarded.push(Uint8Array.from(m)));
    const audio = collectAudio();
    const server = await testServer(tmp.dir, { scenarioFile: scenario, rtpPort: 0, rtpIdleMs: 1500, forward: { host: '127.0.0.1', port: fwd.address().port }, onRtpAudio: audio.on });
    servers.push(server);
    const port = server.rtpPort!;
    const { rtp, rtcp } = await senderPair();
    const reports: RtcpReceiverReport[] = [];
    rtcp.on('message', (m) => {
      for (const p of parseRtcp(Uint8Array.from(m))) if (p.type === 'rr') reports.push(p);
    });

    const enc = new OpusFrameEncoder(CodecConfigSchema.parse({}));
    const src = fixturePcm(0, 4);
    const payloads: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) payloads.push(enc.encode(src.subarray(i * 960, (i + 1) * 960)));
    const PT = 100;
    const A = 0x1111aaaa;
    const B = 0x2222bbbb;
    const pA = new OpusPacketizer({ payloadType: PT, ssrc: A, initialSeq: 65500, initialTimestamp: 1000 });
    const pB = new OpusPacketizer({ payloadType: PT, ssrc: B, initialSeq: 10, initialTimestamp: 5000 });
    const pBJumped = new OpusPacketizer({ payloadType: PT, ssrc: B, initialSeq: 20_060, initialTimestamp: 5000 });
    const send = (b: Uint8Array) => rtp.send(b, port, '127.0.0.1');
    const markEvery = (b: Uint8Array) => {
      b[1] |= 0x80; // a sender that sets the marker on every packet
      return b;
    };

    // Stream A: 2 s, marker on every packet, sent in bursts of 5 packets every 100 ms.
    for (let i = 0; i < 100; i += 5) {
      for (let k = i; k < i + 5; k++) send(markEvery(serializeRtp(pA.packetize({ payload: payloads[k], timestampOffset48k: k * 960, talkspurtStart: k === 0 }))));
      if (i === 20) {
        // An RTCP sender report for A: the receiver reports must echo it (LSR) with a DLSR.
        const ntp = ntpFromMs(3_900_000_000_000 + 123.456);
        rtcp.send(serializeRtcp([{ type: 'sr', ssrc: A, ntpSeconds: ntp.seconds, ntpFraction: ntp.fraction, rtpTimestamp: 1000, packetCount: 25, octetCount: 2000, reports: [], profileExtension: new Uint8Array(0) }]), server.rtcpPort!, '127.0.0.1');
      }
      if (i === 40) {
        send(Uint8Array.of(0x80, 0x64, 0, 1, 2)); // short
        send(new Uint8Array(40)); // version 0
        send(serializeRtp({ version: 2, padding: 0, marker: false, payloadType: 0, sequenceNumber: 1, timestamp: 1, ssrc: A, csrcs: [], extension: null, payload: Uint8Array.of(1) })); // PCMU after the lock
        send(Uint8Array.of(0x8f, PT, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9, 1, 2)); // 15 CSRCs announced, none there
        // Valid RTP for stream A whose Opus framing is broken (code 3, zero frames; RFC 6716 R5):
        send(serializeRtp({ version: 2, padding: 0, marker: false, payloadType: PT, sequenceNumber: (65500 + i) % 65536, timestamp: 1000, ssrc: A, csrcs: [], extension: null, payload: Uint8Array.of(0x03, 0x00) }));
      }
      await sleep(100);
    }
    // Stream B (a new SSRC): 2 s paced at 20 ms, with a sequence jump of 20 000 after 1 s.
    for (let k = 100; k < 200; k++) {
      const p = k < 150 ? pB : pBJumped;
      if (k === 150) for (let j = 0; j < 50; j++) pBJumped.packetize({ payload: payloads[0], timestampOffset48k: 0, talkspurtStart: false }); // align seq
      send(serializeRtp(p.packetize({ payload: payloads[k], timestampOffset48k: (k - 100) * 960, talkspurtStart: k === 100 })));
      await sleep(20);
    }
    await sleep(400);

    const streams = await server.ingress!.streams();
    const a = streams.find((s) => s.ssrc === A)!;
    const bs = streams.filter((s) => s.ssrc === B).sort((x, y) => x.generation - y.generation);
    expect(a.payloadType).toBe(PT);
    expect(a.packetsIn).toBe(100);
    expect(bs.map((s) => s.generation)).toEqual([0, 1]);
    // The jump: the first packet after it is held back (dropped), the second one restarts the stream.
    expect(bs[0].packetsIn).toBe(50);
    expect(bs[1].packetsIn).toBe(49);

    // Channel: Bernoulli 10% loss; the receiver got exactly what the channel delivered.
    const sent = a.channel.sent + bs[0].channel.sent + bs[1].channel.sent;
    const lost = a.channel.lost + bs[0].channel.lost + bs[1].channel.lost;
    expect(sent).toBe(199);
    expect(lost).toBeGreaterThanOrEqual(6); // binomial(199, 0.1): mean 19.9, sd 4.2
    expect(lost).toBeLessThanOrEqual(36);
    for (const s of [a, ...bs]) expect(s.counters.packetsReceived).toBe(s.channel.delivered);
    // Markers: A had one on every packet; only the first delivered one starts a talkspurt.
    expect(a.markersCleared).toBe(a.channel.delivered - 1);
    expect(bs[0].markersCleared).toBe(0);

    // Forwarded after impairment: exactly the delivered packets, as valid RTP.
    await waitFor(() => forwarded.length >= a.channel.delivered + bs[0].channel.delivered + bs[1].channel.delivered, 2000, 'forwarded packets');
    expect(forwarded.length).toBe(a.channel.delivered + bs[0].channel.delivered + bs[1].channel.delivered);
    expect(forwarded.every((b) => tryParseRtp(b).ok)).toBe(true);

    // Malformed datagrams were counted by reason; the streams went on.
    const m = server.metrics;
    expect(m.malformedRtp.get({ reason: 'short' })).toBe(1);
    expect(m.malformedRtp.get({ reason: 'version' })).toBe(1);
    expect(m.malformedRtp.get({ reason: 'payload-type' })).toBe(1);
    expect(m.malformedRtp.get({ reason: 'csrc' })).toBe(1);
    expect(m.malformedRtp.get({ reason: 'seq-jump' })).toBe(1);
    expect(m.malformedRtp.get({ reason: 'opus' })).toBe(1);
    expect(m.internalErrors.total()).toBe(0);

    // RTCP receiver reports came back to port + 1, from the project's serializer, consistent with the channel.
    const forA = reports.flatMap((r) => r.reports).filter((b) => b.ssrc === A);
    expect(forA.length).toBeGreaterThanOrEqual(2);
    const last = forA[forA.length - 1];
    expect(last.cumulativeLost).toBeGreaterThanOrEqual(0);
    expect(last.cumulativeLost).toBeLessThanOrEqual(a.channel.lost);
    expect(last.extendedHighestSeq).toBeGreaterThan(65535); // A wrapped from 65500
    const ntp = ntpFromMs(3_900_000_000_000 + 123.456);
    expect(forA.some((b) => b.lsr === ntpMiddle32FromParts(ntp.seconds, ntp.fraction) && b.dlsr > 0)).toBe(true);

    // Decoded through jitter buffer, FEC and PLC: the audio of A follows the source.
    const decodedA = concat(audio.bySsrc.get(A) ?? []);
    expect(decodedA.length).toBeGreaterThan(48000 * 1.5);
    const r = bestEnvelopeCorrelation(envelope(decodedA), envelope(src.subarray(0, 96000)), 50, 75);
    expect(r.r).toBeGreaterThan(0.75);
    rtp.close();
    rtcp.close();
    fwd.close();
  }, 30_000);
});

describe.runIf(hasFfmpeg)('RTP ingress with ffmpeg as the sender', () => {
  it('receives, decodes and measures an ffmpeg RTP/Opus stream (PT 97, marker on every packet)', async () => {
    const audio = collectAudio();
    const server = await testServer(tmp.dir, { scenarioFile: join(PROJECT_ROOT, 'scenarios', 'clean.yaml'), rtpPort: 0, onRtpAudio: audio.on });
    servers.push(server);
    const code = await new Promise<number>((resolve, reject) => {
      const ff = spawn(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-re', '-t', '3', '-i', FIXTURE, '-c:a', 'libopus', '-f', 'rtp', `rtp://127.0.0.1:${server.rtpPort}`], { stdio: ['ignore', 'ignore', 'pipe'] });
      const t = setTimeout(() => ff.kill('SIGKILL'), 15_000);
      ff.on('error', reject);
      ff.on('exit', (c) => {
        clearTimeout(t);
        resolve(c ?? -1);
      });
    });
    expect(code).toBe(0);
    await sleep(300);
    const streams = await server.ingress!.streams();
    expect(streams.length).toBe(1);
    const s = streams[0];
    expect(s.payloadType).toBe(97);
    expect(s.packetsIn).toBeGreaterThanOrEqual(145);
    expect(s.packetsIn).toBeLessThanOrEqual(152);
    expect(s.channel.lost).toBe(0);
    expect(s.counters.packetsReceived).toBe(s.packetsIn);
    expect(s.counters.packetsLost).toBe(0);
    expect(s.window.netDelayMs).toBeCloseTo(20, 0); // clean.yaml: 20 ms one-way
    expect(s.markersCleared).toBeGreaterThan(100); // ffmpeg marks every packet
    const decoded = concat(audio.bySsrc.get(s.ssrc) ?? []);
    const r = bestEnvelopeCorrelation(envelope(decoded), envelope(fixturePcm(0, 3)), 50, 100);
    expect(r.r).toBeGreaterThan(0.8);
  }, 30_000);
});
