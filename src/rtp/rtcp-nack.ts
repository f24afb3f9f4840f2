/**
 * RFC 4585 section 6.2.1 generic NACK: RTPFB (PT 205), FMT 1, FCI items of
 * PID (16, first lost seq) | BLP (16, bit i set ⇒ PID+i+1 also lost).
 */
import { checkRtcpInt, RtcpParseError } from './errors.ts';
import { rtcpPacket, RTCP_PT_RTPFB, RTPFB_FMT_NACK, type BodyView } from './rtcp-header.ts';
import { seqAdd, SeqUnwrapper } from './wrap.ts';

export interface NackItem {
  pid: number;
  blp: number;
}

export interface RtcpGenericNack {
  type: 'nack';
  senderSsrc: number;
  mediaSsrc: number;
  items: NackItem[];
}

/**
 * Packs missing sequence numbers into the fewest PID/BLP items, greedily in wrap-aware order
 * (the list is unwrapped in the order given, so it must span less than half the 16-bit circle).
 * Duplicates are merged.
 */
export function nackItemsFromSeqs(seqs: readonly number[]): NackItem[] {
  const unwrapper = new SeqUnwrapper();
  const ext = [...new Set(seqs.map((s) => unwrapper.unwrap(s)))].sort((a, b) => a - b);
  const items: NackItem[] = [];
  let i = 0;
  while (i < ext.length) {
    const pid = ext[i];
    let blp = 0;
    i++;
    while (i < ext.length && ext[i] - pid <= 16) {
      blp |= 1 << (ext[i] - pid - 1);
      i++;
    }
    items.push({ pid: seqAdd(pid, 0), blp });
  }
  return items;
}

/** Expands items into sequence numbers (item order, ascending within an item), without duplicates. */
export function seqsFromNackItems(items: readonly NackItem[]): number[] {
  const out: number[] = [];
  const seen = new Set<number>();
  const add = (s: number): void => {
    if (!seen.has(s)) {
      seen.add(s);
      out.push(s);
    }
  };
  for (const { pid, blp } of items) {
    add(pid);
    for (let b = 0; b < 16; b++) if (blp & (1 << b)) add(seqAdd(pid, b + 1));
  }
  return out;
}

export function serializeGenericNack(n: RtcpGenericNack): Uint8Array {
  checkRtcpInt('nack.senderSsrc', n.senderSsrc, 0, 0xffffffff);
  checkRtcpInt('nack.mediaSsrc', n.mediaSsrc, 0, 0xffffffff);
  const body = new Uint8Array(8 + 4 * n.items.length);
  const dv = new DataView(body.buffer);
  dv.setUint32(0, n.senderSsrc);
  dv.setUint32(4, n.mediaSsrc);
  n.items.forEach((it, i) => {
    checkRtcpInt('nack.pid', it.pid, 0, 0xffff);
    checkRtcpInt('nack.blp', it.blp, 0, 0xffff);
    dv.setUint16(8 + 4 * i, it.pid);
    dv.setUint16(10 + 4 * i, it.blp);
  });
  return rtcpPacket(RTPFB_FMT_NACK, RTCP_PT_RTPFB, body);
}

export function parseGenericNackBody(v: BodyView): RtcpGenericNack {
  if (v.bytes.length < 8 || v.bytes.length % 4 !== 0) {
    throw new RtcpParseError('length', v.base, `NACK body of ${v.bytes.length} bytes (needs 8 + 4n)`);
  }
  const items: NackItem[] = [];
  for (let o = 8; o < v.bytes.length; o += 4) items.push({ pid: v.dv.getUint16(o), blp: v.dv.getUint16(o + 2) });
  return { type: 'nack', senderSsrc: v.dv.getUint32(0), mediaSsrc: v.dv.getUint32(4), items };
}
