/**
 * Typed errors of the wire formats (design-notes "Errors"): parsers throw only these on bad input,
 * serializers throw only the *FieldError classes on out-of-range fields.
 */
import { JitterlabError } from '../core/errors.ts';

/** Why an RTP-level parse (RTP header, RED, parity FEC, RTX, Opus TOC) failed. */
export type RtpParseReason =
  | 'short' // fewer bytes than the structure needs
  | 'version' // RTP version field is not 2
  | 'padding' // P bit set with a pad count of 0 or larger than the packet
  | 'csrc' // CSRC list runs past the end
  | 'extension' // header extension runs past the end
  | 'red' // RFC 2198 block headers/lengths inconsistent
  | 'fec' // parity-FEC header inconsistent
  | 'rtx' // RFC 4588 payload too short
  | 'opus'; // RFC 6716 packet framing violated

export class RtpParseError extends JitterlabError {
  constructor(
    readonly reason: RtpParseReason,
    /** Byte offset (in the buffer handed to the parser) where the problem was found. */
    readonly offset: number,
    readonly detail: string,
  ) {
    super('rtp', `RTP parse error (${reason}) at byte ${offset}: ${detail}`);
    this.name = 'RtpParseError';
  }
}

/** Why an RTCP parse failed. */
export type RtcpParseReason =
  | 'short' // fewer bytes than the structure needs
  | 'version' // RTCP version field is not 2
  | 'length' // length field runs past the end of the compound packet or is too small for the type
  | 'padding' // P bit with an impossible pad count
  | 'field'; // a field value the format forbids (e.g. reserved chunk type, status count mismatch)

export class RtcpParseError extends JitterlabError {
  constructor(
    readonly reason: RtcpParseReason,
    readonly offset: number,
    readonly detail: string,
  ) {
    super('rtcp', `RTCP parse error (${reason}) at byte ${offset}: ${detail}`);
    this.name = 'RtcpParseError';
  }
}

/** A value handed to an RTP-level serializer does not fit its wire field. */
export class RtpFieldError extends JitterlabError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    detail: string,
  ) {
    super('rtp', `RTP field ${field} = ${String(value)}: ${detail}`);
    this.name = 'RtpFieldError';
  }
}

/** A value handed to an RTCP serializer does not fit its wire field. */
export class RtcpFieldError extends JitterlabError {
  constructor(
    readonly field: string,
    readonly value: unknown,
    detail: string,
  ) {
    super('rtcp', `RTCP field ${field} = ${String(value)}: ${detail}`);
    this.name = 'RtcpFieldError';
  }
}

/** Throws `RtpFieldError` unless `v` is an integer in [min, max]. */
export function checkRtpInt(field: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RtpFieldError(field, v, `must be an integer in [${min}, ${max}]`);
  }
}

/** Throws `RtcpFieldError` unless `v` is an integer in [min, max]. */
export function checkRtcpInt(field: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RtcpFieldError(field, v, `must be an integer in [${min}, ${max}]`);
  }
}
