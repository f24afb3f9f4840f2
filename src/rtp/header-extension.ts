/**
 * RFC 8285 general mechanism for RTP header extensions, carried in the RFC 3550 section 5.3.1
 * header extension:
 *
 * - one-byte header (profile 0xBEDE, section 4.2): elements | ID (4) | L (4) = length − 1 | data |,
 *   IDs 1..14, 1..16 data bytes; ID 15 is reserved (stop parsing), ID 0 is padding.
 * - two-byte header (profile 0x100 | appbits, section 4.3): elements | ID (8) | length (8) | data |,
 *   IDs 1..255, 0..255 data bytes; a zero byte in place of an ID is padding.
 *
 * And the transport-wide sequence number element of draft-holmer-rmcat-transport-wide-cc-
 * extensions-01 section 2 (a 16-bit counter over every packet the sender puts on the transport),
 * which the TWCC feedback of rtcp-twcc.ts refers to.
 */
import { checkRtpInt, RtpFieldError, RtpParseError } from './errors.ts';
import type { RtpHeaderExtension, RtpPacket } from './header.ts';
import { parseRtp, serializeRtp } from './packet.ts';

export const ONE_BYTE_PROFILE = 0xbede;
/** Two-byte profile: 0x100 in the top 12 bits, 4 application bits below (RFC 8285 4.3). */
export const TWO_BYTE_PROFILE_BASE = 0x1000;
/** SDP extmap URI of the transport-wide sequence number (draft-holmer-...-01 section 2). */
export const TRANSPORT_CC_URI = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
/** The extmap ID jitterlab uses for it (any 1..14 works with the one-byte form). */
export const DEFAULT_TRANSPORT_CC_ID = 5;

export interface HeaderExtensionElement {
  id: number;
  data: Uint8Array;
}

function pad4(bytes: number[]): Uint8Array {
  while (bytes.length % 4 !== 0) bytes.push(0);
  return Uint8Array.from(bytes);
}

/** Builds the header extension; the one-byte form when every element fits it, else the two-byte form. */
export function encodeHeaderExtensions(elements: readonly HeaderExtensionElement[]): RtpHeaderExtension {
  const oneByte = elements.every((e) => e.id >= 1 && e.id <= 14 && e.data.length >= 1 && e.data.length <= 16);
  const out: number[] = [];
  for (const e of elements) {
    if (oneByte) {
      out.push((e.id << 4) | (e.data.length - 1));
    } else {
      checkRtpInt('extension.id', e.id, 1, 255);
      checkRtpInt('extension.length', e.data.length, 0, 255);
      out.push(e.id, e.data.length);
    }
    for (const b of e.data) out.push(b);
  }
  const data = pad4(out);
  if (data.length / 4 > 0xffff) throw new RtpFieldError('extension', data.length, 'longer than 65535 words');
  return { profile: oneByte ? ONE_BYTE_PROFILE : TWO_BYTE_PROFILE_BASE, data };
}

/**
 * The elements of a header extension. Returns [] for a profile that is neither RFC 8285 form
 * (such an extension is someone else's, not an error). Throws `RtpParseError` when an element
 * runs past the end.
 */
export function decodeHeaderExtensions(ext: RtpHeaderExtension): HeaderExtensionElement[] {
  const d = ext.data;
  const out: HeaderExtensionElement[] = [];
  if (ext.profile === ONE_BYTE_PROFILE) {
    let o = 0;
    while (o < d.length) {
      const b = d[o];
      if (b === 0) {
        o++;
        continue;
      }
      const id = b >> 4;
      if (id === 15) break; // reserved: stop processing (RFC 8285 4.2)
      const len = (b & 15) + 1;
      if (o + 1 + len > d.length) throw new RtpParseError('extension', o, `one-byte element ${id} of ${len} bytes runs past the extension`);
      out.push({ id, data: d.subarray(o + 1, o + 1 + len) });
      o += 1 + len;
    }
    return out;
  }
  if ((ext.profile & 0xfff0) === TWO_BYTE_PROFILE_BASE) {
    let o = 0;
    while (o < d.length) {
      const id = d[o];
      if (id === 0) {
        o++;
        continue;
      }
      if (o + 2 > d.length) throw new RtpParseError('extension', o, `two-byte element ${id} has no length byte`);
      const len = d[o + 1];
      if (o + 2 + len > d.length) throw new RtpParseError('extension', o, `two-byte element ${id} of ${len} bytes runs past the extension`);
      out.push({ id, data: d.subarray(o + 2, o + 2 + len) });
      o += 2 + len;
    }
    return out;
  }
  return [];
}

/** `p` with the transport-wide sequence number element (id) set to `seq`, other elements kept. */
export function withTransportSeq(p: RtpPacket, seq: number, id = DEFAULT_TRANSPORT_CC_ID): RtpPacket {
  checkRtpInt('transportSeq', seq, 0, 0xffff);
  checkRtpInt('transportSeq.id', id, 1, 14);
  const others = p.extension ? decodeHeaderExtensions(p.extension).filter((e) => e.id !== id) : [];
  const elem: HeaderExtensionElement = { id, data: Uint8Array.of(seq >>> 8, seq & 0xff) };
  return { ...p, extension: encodeHeaderExtensions([...others, elem]) };
}

/** Serialized RTP bytes re-written with the transport-wide sequence number (parse → add → serialize). */
export function stampTransportSeq(bytes: Uint8Array, seq: number, id = DEFAULT_TRANSPORT_CC_ID): Uint8Array {
  return serializeRtp(withTransportSeq(parseRtp(bytes), seq, id));
}

/** The transport-wide sequence number of `p`, or null when it carries none (or it is malformed). */
export function readTransportSeq(p: RtpPacket, id = DEFAULT_TRANSPORT_CC_ID): number | null {
  if (!p.extension) return null;
  let elems: HeaderExtensionElement[];
  try {
    elems = decodeHeaderExtensions(p.extension);
  } catch (e) {
    if (e instanceof RtpParseError) return null;
    throw e;
  }
  const el = elems.find((e) => e.id === id);
  if (!el || el.data.length !== 2) return null;
  return (el.data[0] << 8) | el.data[1];
}
