/**
 * Opus packet framing (RFC 6716 section 3) and in-band FEC (LBRR) detection.
 *
 * TOC byte (3.1): | config (5) | s (1) | c (2) |. Config selects mode, audio bandwidth and
 * frame duration; c is the frame-count code (0: one frame, 1: two equal, 2: two of different
 * sizes, 3: an arbitrary number, with a frame-count byte).
 */
import { RtpParseError } from './errors.ts';

export type OpusMode = 'silk' | 'hybrid' | 'celt';
export type OpusBandwidth = 'nb' | 'mb' | 'wb' | 'swb' | 'fb';

export interface OpusToc {
  config: number;
  mode: OpusMode;
  bandwidth: OpusBandwidth;
  /** Duration of each frame: 2.5, 5, 10, 20, 40 or 60 ms. */
  frameSizeMs: number;
  stereo: boolean;
  /** Frame-count code 0..3. */
  code: number;
}

export interface OpusPacketInfo {
  toc: OpusToc;
  /** The compressed frames (views into the input); a 0-length frame is DTX/lost (3.2.1). */
  frames: Uint8Array[];
  /** Code-3 padding bytes at the end. */
  paddingBytes: number;
  durationMs: number;
}

/** Table 2 of RFC 6716 section 3.1. */
export function parseOpusToc(toc: number): OpusToc {
  const config = (toc >> 3) & 0x1f;
  const stereo = (toc & 0x04) !== 0;
  const code = toc & 0x03;
  let mode: OpusMode;
  let bandwidth: OpusBandwidth;
  let frameSizeMs: number;
  if (config < 12) {
    mode = 'silk';
    bandwidth = (['nb', 'mb', 'wb'] as const)[config >> 2];
    frameSizeMs = [10, 20, 40, 60][config & 3];
  } else if (config < 16) {
    mode = 'hybrid';
    bandwidth = config < 14 ? 'swb' : 'fb';
    frameSizeMs = [10, 20][config & 1];
  } else {
    mode = 'celt';
    bandwidth = (['nb', 'wb', 'swb', 'fb'] as const)[(config - 16) >> 2];
    frameSizeMs = [2.5, 5, 10, 20][config & 3];
  }
  return { config, mode, bandwidth, frameSizeMs, stereo, code };
}

const MAX_FRAME_BYTES = 1275;

/** Reads a 1- or 2-byte frame length (3.2.1) at `o`; returns [length, bytes used]. */
function readFrameLength(b: Uint8Array, o: number, end: number): [number, number] {
  if (o >= end) throw new RtpParseError('opus', o, 'frame length byte missing');
  const first = b[o];
  if (first < 252) return [first, 1];
  if (o + 1 >= end) throw new RtpParseError('opus', o, 'second frame length byte missing');
  return [first + 4 * b[o + 1], 2];
}

/** Splits an Opus packet into frames, enforcing requirements R1-R7 of RFC 6716 section 3.4. */
export function parseOpusPacket(packet: Uint8Array): OpusPacketInfo {
  if (packet.length < 1) throw new RtpParseError('short', 0, 'empty Opus packet (R1)');
  const toc = parseOpusToc(packet[0]);
  const n = packet.length;
  const frames: Uint8Array[] = [];
  let paddingBytes = 0;
  const check = (len: number, at: number): void => {
    if (len > MAX_FRAME_BYTES) throw new RtpParseError('opus', at, `frame of ${len} bytes exceeds 1275 (R2)`);
  };
  if (toc.code === 0) {
    check(n - 1, 1);
    frames.push(packet.subarray(1));
  } else if (toc.code === 1) {
    if ((n - 1) % 2 !== 0) throw new RtpParseError('opus', 0, 'code 1 needs an even payload (R3)');
    const half = (n - 1) / 2;
    check(half, 1);
    frames.push(packet.subarray(1, 1 + half), packet.subarray(1 + half));
  } else if (toc.code === 2) {
    const [len1, used] = readFrameLength(packet, 1, n);
    const start = 1 + used;
    if (start + len1 > n) throw new RtpParseError('opus', 1, `first frame of ${len1} bytes runs past the end (R4)`);
    check(len1, 1);
    check(n - start - len1, start + len1);
    frames.push(packet.subarray(start, start + len1), packet.subarray(start + len1));
  } else {
    if (n < 2) throw new RtpParseError('opus', 1, 'code 3 needs a frame-count byte (R6)');
    const fc = packet[1];
    const vbr = (fc & 0x80) !== 0;
    const hasPadding = (fc & 0x40) !== 0;
    const m = fc & 0x3f;
    if (m === 0 || m * toc.frameSizeMs > 120) throw new RtpParseError('opus', 1, `${m} frames exceed 120 ms or are 0 (R5)`);
    let o = 2;
    if (hasPadding) {
      // Each 255 means 254 padding bytes plus another length byte (3.2.5).
      for (;;) {
        if (o >= n) throw new RtpParseError('opus', o, 'padding length runs past the end');
        const p = packet[o++];
        paddingBytes += p === 255 ? 254 : p;
        if (p !== 255) break;
      }
    }
    const end = n - paddingBytes;
    if (end < o) throw new RtpParseError('opus', o, `padding of ${paddingBytes} bytes exceeds the packet (R6/R7)`);
    if (!vbr) {
      if ((end - o) % m !== 0) throw new RtpParseError('opus', o, 'CBR frames do not divide the payload (R6)');
      const len = (end - o) / m;
      check(len, o);
      for (let i = 0; i < m; i++) frames.push(packet.subarray(o + i * len, o + (i + 1) * len));
    } else {
      const lens: number[] = [];
      for (let i = 0; i < m - 1; i++) {
        const [len, used] = readFrameLength(packet, o, end);
        check(len, o);
        lens.push(len);
        o += used;
      }
      let total = 0;
      for (const l of lens) total += l;
      if (o + total > end) throw new RtpParseError('opus', o, 'VBR frame lengths exceed the packet (R7)');
      lens.push(end - o - total);
      check(lens[m - 1], o + total);
      for (const l of lens) {
        frames.push(packet.subarray(o, o + l));
        o += l;
      }
    }
  }
  return { toc, frames, paddingBytes, durationMs: frames.length * toc.frameSizeMs };
}

/** SILK frames per Opus frame (RFC 6716 4.2.2): one for 10/20 ms, two for 40, three for 60. */
export function silkFramesPerOpusFrame(frameSizeMs: number): number {
  return frameSizeMs <= 20 ? 1 : frameSizeMs / 20;
}

/**
 * Whether the first Opus frame of the packet carries LBRR (in-band FEC) data, which is what a
 * decoder uses to conceal the previous packet (opus_decode with decode_fec=1 reads frame 0).
 *
 * RFC 6716 4.2.3-4.2.4: the SILK layer starts, per channel, with one VAD flag per SILK frame and
 * then the LBRR flag; each is range-coded with probability 1/2 and so they are the top bits of
 * the first byte: mid channel VAD bits, mid LBRR, then (stereo) side VAD bits, side LBRR.
 * CELT-only packets have no LBRR. Malformed packets and empty (DTX) frames report false.
 */
export function opusPacketHasFec(payload: Uint8Array): boolean {
  const info = tryParseOpusPacket(payload);
  return info !== null && opusInfoHasFec(info);
}

/** parseOpusPacket, or null for a packet that breaks RFC 6716 section 3.4. */
export function tryParseOpusPacket(payload: Uint8Array): OpusPacketInfo | null {
  try {
    return parseOpusPacket(payload);
  } catch (e) {
    if (e instanceof RtpParseError) return null;
    throw e;
  }
}

/** opusPacketHasFec for a packet already split by parseOpusPacket. */
export function opusInfoHasFec(info: OpusPacketInfo): boolean {
  if (info.toc.mode === 'celt') return false;
  const frame = info.frames[0];
  if (frame.length === 0) return false;
  const nb = silkFramesPerOpusFrame(info.toc.frameSizeMs);
  const b = frame[0];
  if ((b >> (7 - nb)) & 1) return true;
  return info.toc.stereo && ((b >> (6 - 2 * nb)) & 1) === 1;
}
