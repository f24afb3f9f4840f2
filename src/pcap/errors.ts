import { JitterlabError } from '../core/errors.ts';

/**
 * A capture file that cannot be parsed. The message says where (file, byte offset) and what was
 * expected there, e.g. "capture.pcap: truncated record header at byte 1234 (need 16 bytes, 7 left)".
 */
export class PcapParseError extends JitterlabError {
  constructor(
    readonly file: string | undefined,
    readonly offset: number,
    readonly problem: string,
    readonly expected?: string,
  ) {
    super(
      'pcap',
      `${file !== undefined ? `${file}: ` : ''}${problem} at byte ${offset}${expected !== undefined ? ` (${expected})` : ''}`,
    );
    this.name = 'PcapParseError';
  }
}

/** A per-packet CSV trace that cannot be parsed: names the file and the 1-based line. */
export class CsvTraceError extends JitterlabError {
  constructor(
    readonly file: string | undefined,
    readonly line: number,
    readonly detail: string,
  ) {
    super('pcap', `${file ?? '<csv>'}:${line}: ${detail}`);
    this.name = 'CsvTraceError';
  }
}

/** Summary of one RTP stream found in a capture, listed when a selection is missing or ambiguous. */
export interface RtpStreamSummary {
  readonly ssrc: number;
  readonly src: string;
  readonly srcPort: number;
  readonly dst: string;
  readonly dstPort: number;
  readonly packetCount: number;
}

export function formatStreamSummary(s: RtpStreamSummary): string {
  return `ssrc=0x${s.ssrc.toString(16).padStart(8, '0')} ${endpoint(s.src, s.srcPort)} -> ${endpoint(s.dst, s.dstPort)}, ${s.packetCount} packets`;
}

function endpoint(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/** No RTP stream, or more than one, matches the requested selection; `streams` lists what was found. */
export class RtpStreamSelectionError extends JitterlabError {
  constructor(
    readonly file: string | undefined,
    readonly detail: string,
    readonly streams: readonly RtpStreamSummary[],
  ) {
    const list = streams.length === 0 ? 'no RTP streams found' : `streams found: ${streams.map(formatStreamSummary).join('; ')}`;
    super('pcap', `${file !== undefined ? `${file}: ` : ''}${detail}; ${list}`);
    this.name = 'RtpStreamSelectionError';
  }
}

/** Invalid input to the pcap writer (bad address, port, payload too large for one IPv4 datagram). */
export class PcapWriteError extends JitterlabError {
  constructor(detail: string) {
    super('pcap', `pcap writer: ${detail}`);
    this.name = 'PcapWriteError';
  }
}
