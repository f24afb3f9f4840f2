import type { Capture } from './capture.ts';
import { decodeCaptureUdp, type CapturedUdp, type UdpSkipCounts } from './decode-ip-udp.ts';
import { RtpStreamSelectionError, type RtpStreamSummary } from './errors.ts';
import { checkRtp, type RtpHeaderFields } from './rtp-header-check.ts';

/**
 * Pull one RTP stream out of a capture. A stream is identified like Wireshark's RTP streams
 * view: SSRC plus the UDP 5-tuple, so the same SSRC seen on two paths is two streams.
 */
export interface RtpSelection {
  readonly ssrc?: number;
  /** Matches either the source or the destination UDP port. */
  readonly udpPort?: number;
}

export interface RtpStreamPacket {
  /** Raw 16-bit sequence number (not unwrapped). */
  readonly seq: number;
  /** Raw 32-bit RTP timestamp. */
  readonly timestamp: number;
  /** Capture timestamp, float ms since the Unix epoch. */
  readonly arrivalMs: number;
  readonly marker: boolean;
  readonly payloadType: number;
  /** Size of the whole RTP packet (the UDP payload), bytes. */
  readonly sizeBytes: number;
  /** RTP payload without header, CSRCs, extension and padding (view into the capture). */
  readonly payload: Uint8Array;
}

export interface RtpSkipCounts extends UdpSkipCounts {
  /** UDP datagrams that fail the RTP header check. */
  notRtp: number;
  /** RTCP multiplexed with RTP (RFC 5761). */
  rtcp: number;
  /** RTP packets of other streams. */
  otherStreams: number;
}

export interface RtpStream extends RtpStreamSummary {
  readonly packets: readonly RtpStreamPacket[];
  readonly skipped: RtpSkipCounts;
}

/**
 * A stream counts as RTP-looking (for automatic selection and for listings) only with at least
 * this many packets and more than one sequence number: stray UDP whose first bits happen to read
 * as version 2 (DNS ids, retransmitted queries) then does not qualify.
 */
export const MIN_RTP_STREAM_PACKETS = 3;

interface StreamAcc {
  summary: { ssrc: number; src: string; srcPort: number; dst: string; dstPort: number; packetCount: number };
  firstSeq: number;
  seqVaries: boolean;
  members: { udp: CapturedUdp; header: RtpHeaderFields }[];
}

function keyOf(u: CapturedUdp, ssrc: number): string {
  return `${ssrc}|${u.src}|${u.srcPort}|${u.dst}|${u.dstPort}`;
}

function scan(capture: Capture): { streams: StreamAcc[]; skipped: RtpSkipCounts } {
  const { datagrams, skipped: udpSkipped } = decodeCaptureUdp(capture);
  const skipped: RtpSkipCounts = { ...udpSkipped, notRtp: 0, rtcp: 0, otherStreams: 0 };
  const byKey = new Map<string, StreamAcc>();
  for (const udp of datagrams) {
    const check = checkRtp(udp.payload);
    if (check.kind !== 'rtp') {
      skipped[check.kind]++;
      continue;
    }
    const h = check.header;
    const key = keyOf(udp, h.ssrc);
    let acc = byKey.get(key);
    if (acc === undefined) {
      acc = {
        summary: { ssrc: h.ssrc, src: udp.src, srcPort: udp.srcPort, dst: udp.dst, dstPort: udp.dstPort, packetCount: 0 },
        firstSeq: h.seq,
        seqVaries: false,
        members: [],
      };
      byKey.set(key, acc);
    }
    acc.summary.packetCount++;
    if (h.seq !== acc.firstSeq) acc.seqVaries = true;
    acc.members.push({ udp, header: h });
  }
  return { streams: [...byKey.values()], skipped };
}

const looksLikeRtp = (s: StreamAcc): boolean => s.summary.packetCount >= MIN_RTP_STREAM_PACKETS && s.seqVaries;

/** Summaries of the RTP-looking streams, largest first. */
function rtpLooking(streams: readonly StreamAcc[]): RtpStreamSummary[] {
  return streams
    .filter(looksLikeRtp)
    .map((s) => ({ ...s.summary }))
    .sort((a, b) => b.packetCount - a.packetCount);
}

/** The RTP-looking streams of a capture, largest first. */
export function listRtpStreams(capture: Capture): RtpStreamSummary[] {
  return rtpLooking(scan(capture).streams);
}

function describe(sel: RtpSelection): string {
  const parts: string[] = [];
  if (sel.ssrc !== undefined) parts.push(`SSRC 0x${(sel.ssrc >>> 0).toString(16).padStart(8, '0')}`);
  if (sel.udpPort !== undefined) parts.push(`UDP port ${sel.udpPort}`);
  return parts.join(' and ');
}

function narrowingHint(sel: RtpSelection): string {
  if (sel.ssrc === undefined) return 'select one by SSRC';
  if (sel.udpPort === undefined) return 'also give a UDP port';
  return 'they differ only in IP addresses; filter the capture first';
}

export function extractRtpStream(capture: Capture, selection: RtpSelection = {}): RtpStream {
  const { streams, skipped } = scan(capture);
  const explicit = selection.ssrc !== undefined || selection.udpPort !== undefined;
  // An explicit selection may pick a stream of any size; automatic selection only RTP-looking ones.
  const candidates = explicit
    ? streams.filter(
        (s) =>
          (selection.ssrc === undefined || s.summary.ssrc === selection.ssrc >>> 0) &&
          (selection.udpPort === undefined || s.summary.srcPort === selection.udpPort || s.summary.dstPort === selection.udpPort),
      )
    : streams.filter(looksLikeRtp);
  if (candidates.length !== 1) {
    let detail: string;
    if (explicit) {
      detail =
        candidates.length === 0
          ? `no RTP stream with ${describe(selection)}`
          : `${candidates.length} RTP streams match ${describe(selection)}; ${narrowingHint(selection)}`;
    } else {
      detail = candidates.length === 0 ? 'no RTP stream found' : `${candidates.length} RTP streams found; select one by SSRC or UDP port`;
    }
    // List the ambiguous candidates themselves when there are several, else everything seen.
    const shown = explicit && candidates.length > 1 ? candidates.map((s) => ({ ...s.summary })) : rtpLooking(streams);
    throw new RtpStreamSelectionError(capture.file, detail, shown);
  }
  const chosen = candidates[0]!;
  let others = 0;
  for (const s of streams) if (s !== chosen) others += s.summary.packetCount;
  skipped.otherStreams = others;
  return {
    ...chosen.summary,
    packets: chosen.members.map(({ udp, header }) => ({
      seq: header.seq,
      timestamp: header.timestamp,
      arrivalMs: udp.tsMs,
      marker: header.marker,
      payloadType: header.payloadType,
      sizeBytes: udp.payload.length,
      payload: udp.payload.subarray(header.headerLength, header.headerLength + header.payloadLength),
    })),
    skipped,
  };
}
