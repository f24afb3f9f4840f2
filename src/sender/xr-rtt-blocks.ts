/**
 * RFC 3611 section 4.4 Receiver Reference Time (RRTR, BT 4) and section 4.5 DLRR (BT 5)
 * blocks: how a receiver that sends no SR learns the round-trip time. B sends its NTP time in an
 * RRTR; A echoes its middle 32 bits (LRR) with the delay since then (DLRR, 1/65536 s) in a
 * DLRR sub-block; B computes RTT = arrival − LRR − DLRR exactly as RFC 3550 6.4.1 does for SR/RR.
 *
 * src/rtp/rtcp-xr.ts keeps these block types opaque (XrUnknownBlock); this file gives them
 * their layout on top of it.
 *
 *   RRTR: |BT=4|reserved|block length=2| NTP timestamp, most significant word | least significant word |
 *   DLRR: |BT=5|reserved|block length=3n| n × (SSRC | last RR (LRR) | delay since last RR (DLRR)) |
 */
import { RtcpFieldError } from '../rtp/errors.ts';
import type { XrBlock, XrUnknownBlock } from '../rtp/rtcp-xr.ts';

export const XR_BT_RRTR = 4;
export const XR_BT_DLRR = 5;

export interface DlrrSubBlock {
  ssrc: number;
  lrr: number;
  dlrr: number;
}

function u32(name: string, v: number): number {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RtcpFieldError(name, v, 'must be a 32-bit unsigned integer');
  return v;
}

export function rrtrBlock(ntpSeconds: number, ntpFraction: number): XrUnknownBlock {
  const body = new Uint8Array(8);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, u32('rrtr.ntpSeconds', ntpSeconds));
  dv.setUint32(4, u32('rrtr.ntpFraction', ntpFraction));
  return { kind: 'unknown', blockType: XR_BT_RRTR, typeSpecific: 0, body };
}

export function dlrrBlock(subs: readonly DlrrSubBlock[]): XrUnknownBlock {
  const body = new Uint8Array(12 * subs.length);
  const dv = new DataView(body.buffer);
  subs.forEach((s, i) => {
    dv.setUint32(12 * i, u32('dlrr.ssrc', s.ssrc));
    dv.setUint32(12 * i + 4, u32('dlrr.lrr', s.lrr));
    dv.setUint32(12 * i + 8, u32('dlrr.dlrr', s.dlrr));
  });
  return { kind: 'unknown', blockType: XR_BT_DLRR, typeSpecific: 0, body };
}

/** The NTP timestamp of an RRTR block, or null when the block is not a well-formed RRTR. */
export function readRrtr(b: XrBlock): { ntpSeconds: number; ntpFraction: number } | null {
  if (b.kind !== 'unknown' || b.blockType !== XR_BT_RRTR || b.body.length !== 8) return null;
  const dv = new DataView(b.body.buffer, b.body.byteOffset, 8);
  return { ntpSeconds: dv.getUint32(0), ntpFraction: dv.getUint32(4) };
}

/** The sub-blocks of a DLRR block, or null when the block is not a well-formed DLRR. */
export function readDlrr(b: XrBlock): DlrrSubBlock[] | null {
  if (b.kind !== 'unknown' || b.blockType !== XR_BT_DLRR || b.body.length % 12 !== 0) return null;
  const dv = new DataView(b.body.buffer, b.body.byteOffset, b.body.length);
  const out: DlrrSubBlock[] = [];
  for (let o = 0; o < b.body.length; o += 12) out.push({ ssrc: dv.getUint32(o), lrr: dv.getUint32(o + 4), dlrr: dv.getUint32(o + 8) });
  return out;
}
