/** Capture-file formats: pcap/pcapng reading, UDP/RTP extraction, CSV traces, pcap writing. */
export { PcapParseError, CsvTraceError, RtpStreamSelectionError, PcapWriteError, formatStreamSummary } from './errors.ts';
export type { RtpStreamSummary } from './errors.ts';
export type { Capture, CaptureInterface, CapturedPacket, TimestampResolution } from './capture.ts';
export { readCapture, readCaptureFile } from './read-capture.ts';
export { readPcap, sniffPcapMagic, PCAP_MAGIC_MICROS, PCAP_MAGIC_NANOS } from './pcap-reader.ts';
export { readPcapng, PCAPNG_SHB_TYPE } from './pcapng-reader.ts';
export {
  LINKTYPE_NULL,
  LINKTYPE_ETHERNET,
  LINKTYPE_RAW,
  LINKTYPE_LOOP,
  LINKTYPE_LINUX_SLL,
  LINKTYPE_IPV4,
  LINKTYPE_IPV6,
  LINKTYPE_LINUX_SLL2,
} from './link-layer.ts';
export { decodeUdpFrame, decodeCaptureUdp, emptyUdpSkipCounts, UDP_SKIP_REASONS } from './decode-ip-udp.ts';
export type { UdpDatagram, UdpDecodeResult, UdpSkipReason, UdpSkipCounts, CapturedUdp } from './decode-ip-udp.ts';
export { formatIpv4, formatIpv6, parseIpv4 } from './ip-address.ts';
export { checkRtp } from './rtp-header-check.ts';
export type { RtpCheck, RtpHeaderFields } from './rtp-header-check.ts';
export { extractRtpStream, listRtpStreams, MIN_RTP_STREAM_PACKETS } from './rtp-stream.ts';
export type { RtpSelection, RtpStream, RtpStreamPacket, RtpSkipCounts } from './rtp-stream.ts';
export { parseCsvTrace, readCsvTraceFile } from './csv-trace.ts';
export type { TraceRow } from './csv-trace.ts';
export { PcapWriter } from './pcap-writer.ts';
export type { PcapWriterOptions, UdpPacketSpec } from './pcap-writer.ts';
export { sipInviteWithSdp } from './sip-invite.ts';
export type { SipInviteSpec } from './sip-invite.ts';
export { internetChecksum } from './inet-checksum.ts';
