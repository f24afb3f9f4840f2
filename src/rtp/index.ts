/** Public interface of the RTP/RTCP wire formats (pure byte-level code, no I/O). */
export {
  RtpParseError,
  RtcpParseError,
  RtpFieldError,
  RtcpFieldError,
  type RtpParseReason,
  type RtcpParseReason,
} from './errors.ts';
export {
  SEQ_MODULUS,
  TS_MODULUS,
  seqDiff,
  seqLess,
  seqAdd,
  tsDiff,
  tsLess,
  tsAdd,
  SeqUnwrapper,
  TimestampUnwrapper,
} from './wrap.ts';
export {
  RTP_VERSION,
  RTP_FIXED_HEADER_BYTES,
  RTP_MAX_CSRCS,
  rtpHeaderLength,
  rtpPacketLength,
  validateRtpPacket,
  type RtpPacket,
  type RtpHeaderExtension,
} from './header.ts';
export { serializeRtp, parseRtp, tryParseRtp, type TryParseRtpResult } from './packet.ts';
export {
  OPUS_RTP_CLOCK_HZ,
  OpusPacketizer,
  type OpusPacketizerOptions,
  type OpusFrameToSend,
} from './opus-packetizer.ts';
export {
  RED_MAX_TIMESTAMP_OFFSET,
  RED_MAX_BLOCK_LENGTH,
  encodeRed,
  decodeRed,
  RedEncoder,
  type RedPrimaryBlock,
  type RedRedundantBlock,
  type RedDecodedBlock,
  type RedEncoderOptions,
} from './red.ts';
export {
  PARITY_FEC_HEADER_BYTES,
  serializeParityFec,
  parseParityFec,
  type ParityFecHeader,
  type ParityFecKind,
} from './parity-fec-header.ts';
export {
  buildParityFec,
  ParityFecEncoder,
  ParityFecDecoder,
  type ParityFecLayout,
  type ParityFecEncoderOptions,
  type ParityFecDecoderOptions,
} from './parity-fec.ts';
export {
  RTCP_PT_SR,
  RTCP_PT_RR,
  RTCP_PT_SDES,
  RTCP_PT_BYE,
  RTCP_PT_RTPFB,
  RTCP_PT_XR,
  RTPFB_FMT_NACK,
  RTPFB_FMT_TWCC,
} from './rtcp-header.ts';
export {
  serializeSenderReport,
  serializeReceiverReport,
  type RtcpReportBlock,
  type RtcpSenderReport,
  type RtcpReceiverReport,
} from './rtcp-report.ts';
export {
  nackItemsFromSeqs,
  seqsFromNackItems,
  serializeGenericNack,
  type NackItem,
  type RtcpGenericNack,
} from './rtcp-nack.ts';
export {
  XR_BT_VOIP_METRICS,
  serializeExtendedReport,
  type XrRxConfig,
  type XrVoipMetricsBlock,
  type XrUnknownBlock,
  type XrBlock,
  type RtcpExtendedReport,
} from './rtcp-xr.ts';
export {
  TWCC_DELTA_UNIT_MS,
  TWCC_REFERENCE_UNIT_MS,
  serializeTwccFeedback,
  buildTwccFeedback,
  twccArrivalTimesMs,
  type TwccPacketStatus,
  type RtcpTwccFeedback,
  type TwccBuildInput,
} from './rtcp-twcc.ts';
export {
  serializeRtcpPacket,
  serializeRtcp,
  parseRtcp,
  tryParseRtcp,
  type RtcpPacket,
  type RtcpUnknownPacket,
  type TryParseRtcpResult,
} from './rtcp.ts';
export {
  ntpFromMs,
  ntpToMs,
  ntpMiddle32,
  ntpMiddle32FromParts,
  msToNtpShort,
  ntpShortToMs,
  rttFromReport,
} from './rtt.ts';
export { encodeRtxPayload, decodeRtxPayload, toRtxPacket, fromRtxPacket } from './rtx.ts';
export {
  parseOpusToc,
  parseOpusPacket,
  silkFramesPerOpusFrame,
  opusPacketHasFec,
  opusInfoHasFec,
  tryParseOpusPacket,
  type OpusMode,
  type OpusBandwidth,
  type OpusToc,
  type OpusPacketInfo,
} from './opus-toc.ts';
export { SeqRestartDetector, MAX_DROPOUT, MAX_MISORDER, type SeqVerdict } from './seq-restart.ts';
