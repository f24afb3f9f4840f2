/**
 * RTT from RTCP over the simulated paths (base delays only, no jitter, no bottleneck): at the
 * sender from RR LSR/DLSR (RFC 3550 6.4.1), at the receiver from XR RRTR/DLRR (RFC 3611 4.4/4.5),
 * both equal to the simulated round trip; and the receiver's estimate is what its jitter buffer
 * sees as host.rttMs().
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChannelConfigSchema } from '../../src/channel/config.ts';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { createFixed } from '../../src/jitter-buffer/fixed.ts';
import type { JitterBuffer, JitterBufferHost } from '../../src/jitter-buffer/types.ts';
import { PROJECT_ROOT } from '../../src/scenario/load.ts';
import { SourceSchema } from '../../src/scenario/schema.ts';
import { encodeStream } from '../../src/sender/encoded-stream.ts';
import type { ReceiverReportEvent } from '../../src/sender/rtcp-agent.ts';
import { runVariant } from '../../src/sim/run-variant.ts';
import { AudioSource } from '../../src/source/audio-source.ts';
import { runYaml, variant } from './helpers.ts';

describe('RTT from RTCP over the simulated channels', () => {
  it('equals forward + reverse base delay at both ends', async () => {
    const run = await runYaml(`
seed: 9
durationS: 6
source: { file: fixtures/speech-48k.wav }
channel: { delay: { baseMs: 30 } }
reverseChannel: { delay: { baseMs: 50 } }
receiver: { rtcpIntervalMs: 500 }
report: { html: false, visqol: false }
`);
    const v = variant(run, 'default');
    expect(v.run.rtt.receiverSamples).toBeGreaterThan(5);
    // NTP short format has 1/65536 s units: the estimate is exact to about 0.03 ms.
    expect(Math.abs(v.run.rtt.receiverMs! - 80)).toBeLessThan(0.05);
    expect(Math.abs(v.run.rtt.senderMs! - 80)).toBeLessThan(0.05);
    // Reports really travelled: both directions carried RTCP.
    expect(v.aggregates.network.byKind.rtcp.packets).toBeGreaterThan(5);
    expect(v.aggregates.network.reverse.packetsSent).toBeGreaterThan(5);
  });

  it('feeds the jitter buffer host and the sender-side report hook', () => {
    const codec = CodecConfigSchema.parse({ fec: false });
    const src = AudioSource.fromWav(join(PROJECT_ROOT, 'fixtures/speech-48k.wav'), SourceSchema.parse({}), codec.sampleRate);
    const frames = 200;
    const encoded = encodeStream(src, codec, frames);
    const seen: Array<{ t: number; rtt: number | null }> = [];
    const reports: ReceiverReportEvent[] = [];
    const probe = (host: JitterBufferHost): JitterBuffer => {
      const jb = createFixed({ type: 'fixed', delayMs: 60, capacityFrames: 200 }, host);
      return {
        kind: 'probe',
        insert: (f, now) => jb.insert(f, now),
        next: (now, ctx) => {
          seen.push({ t: now, rtt: host.rttMs() });
          return jb.next(now, ctx);
        },
        state: (now) => jb.state(now),
      };
    };
    runVariant({
      encoded,
      totalFrames: frames,
      seed: 4,
      slotMs: 20,
      channel: ChannelConfigSchema.parse({ delay: { baseMs: 15 } }),
      reverseChannel: ChannelConfigSchema.parse({ delay: { baseMs: 25 } }),
      phases: [],
      rtp: { payloadType: 111, ssrc: 0x1234, initialSeq: 65500, initialTimestamp: 0xffffff00 },
      sampleRate: codec.sampleRate,
      jitterBuffer: probe,
      plc: 'opus',
      useInbandFec: false,
      clockDriftPpm: 0,
      rtcpIntervalMs: 300,
      onReceiverReport: (r) => reports.push(r),
    });
    expect(seen[0].rtt).toBeNull(); // before the first DLRR answer
    const last = seen[seen.length - 1].rtt;
    expect(last).not.toBeNull();
    expect(Math.abs(last! - 40)).toBeLessThan(0.05);
    expect(reports.length).toBeGreaterThan(5);
    const withRtt = reports.filter((r) => r.rttMs !== null);
    expect(withRtt.length).toBeGreaterThan(3);
    for (const r of withRtt) expect(Math.abs(r.rttMs! - 40)).toBeLessThan(0.05);
    // No loss on this path: the reports say so, and the highest sequence number wrapped past 65535.
    expect(reports.every((r) => r.fractionLost === 0 && r.block.cumulativeLost === 0)).toBe(true);
    expect(reports[reports.length - 1].block.extendedHighestSeq).toBeGreaterThan(65536);
  });
});
