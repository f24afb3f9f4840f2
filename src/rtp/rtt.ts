/**
 * NTP time helpers and round-trip time from receiver reports, RFC 3550 sections 4 and 6.4.1.
 *
 * `ntpMs` everywhere is wall-clock time as milliseconds since the NTP epoch (1900-01-01); in
 * the simulator any monotonic ms clock offset into that range works, since only differences
 * modulo 65536 s matter for LSR/DLSR.
 */
import { checkRtcpInt, RtcpFieldError } from './errors.ts';

const NTP_SHORT_WRAP_MS = 65536 * 1000;

/** 64-bit NTP timestamp of `ntpMs`, split into the two 32-bit SR fields (seconds mod 2^32). */
export function ntpFromMs(ntpMs: number): { seconds: number; fraction: number } {
  if (!Number.isFinite(ntpMs) || ntpMs < 0) throw new RtcpFieldError('ntpMs', ntpMs, 'must be finite and ≥ 0');
  const whole = Math.floor(ntpMs / 1000);
  const fraction = Math.floor(((ntpMs - whole * 1000) / 1000) * 0x100000000);
  return { seconds: whole % 0x100000000, fraction: Math.min(fraction, 0xffffffff) };
}

/** ms value of an NTP timestamp (seconds taken as given, no era handling). */
export function ntpToMs(seconds: number, fraction: number): number {
  return seconds * 1000 + (fraction / 0x100000000) * 1000;
}

/** Middle 32 bits of the NTP timestamp of `ntpMs` (RFC 3550 LSR format), units of 1/65536 s. */
export function ntpMiddle32(ntpMs: number): number {
  if (!Number.isFinite(ntpMs) || ntpMs < 0) throw new RtcpFieldError('ntpMs', ntpMs, 'must be finite and ≥ 0');
  // Reduce modulo 65536 s first so the multiply stays exact; ms × 65536/1000 = ms × 8192/125.
  const m = ntpMs % NTP_SHORT_WRAP_MS;
  return Math.floor((m * 8192) / 125) >>> 0;
}

/** Middle 32 bits of an SR's NTP timestamp fields (the LSR value a receiver echoes). */
export function ntpMiddle32FromParts(seconds: number, fraction: number): number {
  checkRtcpInt('ntpSeconds', seconds, 0, 0xffffffff);
  checkRtcpInt('ntpFraction', fraction, 0, 0xffffffff);
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}

/** ms → units of 1/65536 s (rounded), e.g. for DLSR. */
export function msToNtpShort(ms: number): number {
  return Math.round((ms * 8192) / 125);
}

/** Units of 1/65536 s → ms. */
export function ntpShortToMs(units: number): number {
  return (units * 125) / 8192;
}

/**
 * RFC 3550 6.4.1: RTT = A − LSR − DLSR (mod 2^32), in units of 1/65536 s, where A is the
 * middle 32 bits of the NTP time the report arrived. Returns null when LSR is 0 (no SR received
 * yet). The result is read as a signed 32-bit value: a negative one means the peer's DLSR is
 * inconsistent with our clock and is returned as is for the caller to reject.
 */
export function rttFromReport(arrivalNtpMiddle: number, lsr: number, dlsr: number): number | null {
  checkRtcpInt('arrivalNtpMiddle', arrivalNtpMiddle, 0, 0xffffffff);
  checkRtcpInt('lsr', lsr, 0, 0xffffffff);
  checkRtcpInt('dlsr', dlsr, 0, 0xffffffff);
  if (lsr === 0) return null;
  return (arrivalNtpMiddle - lsr - dlsr) | 0;
}
