/**
 * call.pcap: the simulated call as the receiver's network interface would have captured it, so
 * Wireshark's RTP stream analysis can be compared with the report (loss, RFC 3550 jitter).
 *
 * - A SIP INVITE with an SDP offer (RFC 3261 / RFC 4566, `a=rtpmap:<pt> opus/48000/2` per
 *   RFC 7587) at time 0, sent by the receiver, so Wireshark decodes the m= port as Opus RTP.
 * - Every received copy of every packet (duplicates included) at its ARRIVAL time, IPv4/UDP/RTP.
 *   Media packets carry their real RTP bytes (rebuilt with the sender's packetizer from the
 *   encoded call); redundancy packets (FEC/RTX kinds) go to a separate port with their size only.
 *
 * The second copy of a duplicated packet is timed by replaying the (deterministic, seed-keyed)
 * channel over the recorded sends, RTCP records included (they share the path's queue); a
 * packet's replayed copies are used only when the replay reproduces its recorded first arrival
 * exactly, otherwise its duplicate is left out and counted in `duplicatesOmitted`.
 * RTCP records are replayed but not written (the records do not keep their bytes).
 */
import { Channel } from '../channel/channel.ts';
import type { Lane } from '../channel/types.ts';
import { PcapWriter, sipInviteWithSdp } from '../pcap/index.ts';
import { serializeRtp } from '../rtp/packet.ts';
import type { EncodedStream } from '../sender/encoded-stream.ts';
import { MediaSender } from '../sender/media-sender.ts';
import type { PacketRecord } from '../sim/records.ts';
import type { ScenarioRun } from '../sim/run-scenario.ts';

/** Capture clock origin: 2024-01-01T00:00:00Z, fixed so the file is reproducible. */
export const PCAP_EPOCH_MS = 1_704_067_200_000;
export const SENDER_IP = '10.0.0.1';
export const RECEIVER_IP = '10.0.0.2';
export const SENDER_RTP_PORT = 50000;
export const RECEIVER_RTP_PORT = 40000;
/** Redundancy packets (FEC/RTX records) are written to this port, not declared in the SDP. */
export const RECEIVER_REDUNDANCY_PORT = 40002;
/** DSCP EF (RFC 3246), the usual marking for voice. */
const DSCP_EF = 46;

export interface CallPcap {
  bytes: Uint8Array;
  /** UDP packets written (the INVITE included). */
  packets: number;
  /** Extra copies written for duplicated packets. */
  duplicates: number;
  /** Duplicated packets whose second copy could not be timed (replay disagreed) and was left out. */
  duplicatesOmitted: number;
  /** Media packets whose payload could not be rebuilt byte-exactly (written with zero payload of the right size). */
  syntheticPayloads: number;
}

interface Copy {
  arrivalMs: number;
  bytes: Uint8Array;
}

/** Media packets rebuilt by the sender's packetizer, by RTP sequence number. */
function rebuildMedia(run: ScenarioRun, vi: number, encoded: EncodedStream | undefined): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  if (!encoded) return out;
  const v = run.variants[vi];
  const sender = new MediaSender({ ...run.rtp, payloadType: v.variant.sender.rtp.payloadType }, encoded.frameTs);
  const frames = v.run.frameOutcome.length;
  for (let i = 0; i < frames && i < encoded.payloads.length; i++) {
    for (const p of sender.packetsForFrame(i, encoded.payloads.at(i))) if (p.kind === 'media') out.set(p.seq, p.bytes);
  }
  return out;
}

function zeroPayloadRtp(r: PacketRecord, ssrc: number, payloadType: number): Uint8Array {
  return serializeRtp({
    version: 2,
    padding: 0,
    marker: false,
    payloadType,
    sequenceNumber: r.seq & 0xffff,
    timestamp: r.timestamp >>> 0,
    ssrc,
    csrcs: [],
    extension: null,
    payload: new Uint8Array(Math.max(0, r.sizeBytes - 12)),
  });
}

const laneOf = (r: PacketRecord): Lane => (r.kind === 'media' ? 'media' : r.kind);

/**
 * Every delivered copy of each packet by channel replay: per record, the replayed copies when the
 * replay reproduces the recorded first arrival exactly, else null (the caller then writes the
 * recorded arrival only). The replay drifts from the run where the run put packets on the path
 * that have no record (cross traffic).
 */
function replayDeliveries(run: ScenarioRun, vi: number, bytesOf: (r: PacketRecord) => Uint8Array): Array<Copy[] | null> {
  const v = run.variants[vi];
  const sc = run.scenario;
  let channel: Channel;
  try {
    channel = new Channel(sc.config.channel, sc.phases, { seed: run.seed, direction: 'aToB', slotMs: run.slotMs });
  } catch {
    return v.run.packets.map(() => null);
  }
  return v.run.packets.map((r) => {
    const d = channel.send({ sendMs: r.sendMs, sizeBytes: r.sizeBytes, lane: laneOf(r), payload: bytesOf(r) });
    const first = d.deliveries.reduce((m, x) => Math.min(m, x.arrivalMs), Infinity);
    const recorded = r.arrivalMs ?? Infinity;
    if (first !== recorded && !(Math.abs(first - recorded) < 1e-9)) return null;
    return d.deliveries.map((x) => ({ arrivalMs: x.arrivalMs, bytes: x.payload ?? bytesOf(r) }));
  });
}

export function buildCallPcap(run: ScenarioRun, vi: number, encoded: EncodedStream | undefined): CallPcap {
  const v = run.variants[vi];
  const pt = v.variant.sender.rtp.payloadType;
  const rebuilt = rebuildMedia(run, vi, encoded);
  let synthetic = 0;
  const bytesCache = new Map<PacketRecord, Uint8Array>();
  const bytesOf = (r: PacketRecord): Uint8Array => {
    let b = bytesCache.get(r);
    if (b) return b;
    const m = r.kind === 'media' ? rebuilt.get(r.seq & 0xffff) : undefined;
    if (m && m.length === r.sizeBytes) b = m;
    else if (r.kind === 'media') {
      synthetic++;
      b = zeroPayloadRtp(r, run.rtp.ssrc, pt);
    } else b = new Uint8Array(r.sizeBytes);
    bytesCache.set(r, b);
    return b;
  };

  const replay = replayDeliveries(run, vi, bytesOf);
  const events: Array<{ arrivalMs: number; order: number; rec: PacketRecord; bytes: Uint8Array }> = [];
  let duplicates = 0;
  let duplicatesOmitted = 0;
  v.run.packets.forEach((r, k) => {
    if (r.kind === 'rtcp') return;
    const replayed = replay[k];
    const copies = replayed ?? (r.arrivalMs !== null ? [{ arrivalMs: r.arrivalMs, bytes: bytesOf(r) }] : []);
    if (!replayed && r.duplicated) duplicatesOmitted++;
    if (copies.length > 1) duplicates += copies.length - 1;
    for (const c of copies) events.push({ arrivalMs: c.arrivalMs, order: events.length, rec: r, bytes: c.bytes });
  });
  // Capture order is arrival order (ties keep send order).
  events.sort((a, b) => a.arrivalMs - b.arrivalMs || a.order - b.order);

  const w = new PcapWriter();
  const invite = sipInviteWithSdp({
    callId: `${run.scenario.name}-${v.name}-${run.seed}@jitterlab`,
    fromIp: RECEIVER_IP,
    toIp: SENDER_IP,
    rtpPort: RECEIVER_RTP_PORT,
    payloadType: pt,
    ptimeMs: v.frameMs,
  });
  w.addUdp({ tsMs: PCAP_EPOCH_MS, srcIp: RECEIVER_IP, dstIp: SENDER_IP, srcPort: 5060, dstPort: 5060, payload: new TextEncoder().encode(invite) });
  for (const e of events) {
    w.addUdp({
      tsMs: PCAP_EPOCH_MS + e.arrivalMs,
      srcIp: SENDER_IP,
      dstIp: RECEIVER_IP,
      srcPort: SENDER_RTP_PORT,
      dstPort: e.rec.kind === 'media' ? RECEIVER_RTP_PORT : RECEIVER_REDUNDANCY_PORT,
      payload: e.bytes,
      dscp: DSCP_EF,
    });
  }
  return { bytes: w.toBytes(), packets: w.packetCount, duplicates, duplicatesOmitted, syntheticPayloads: synthetic };
}
