/** The format-independent result of reading a pcap or pcapng file. */

/** Timestamp unit of an interface: 10^-exponent s (base 10) or 2^-exponent s (base 2). */
export interface TimestampResolution {
  readonly base: 10 | 2;
  readonly exponent: number;
}

export interface CaptureInterface {
  readonly linkType: number;
  /** Maximum captured bytes per packet; 0 means "no limit" (pcapng). */
  readonly snapLen: number;
  readonly tsResolution: TimestampResolution;
  /** if_name option (pcapng) when present. */
  readonly name?: string;
}

export interface CapturedPacket {
  /** Capture timestamp, float milliseconds since the Unix epoch. */
  readonly tsMs: number;
  /** Captured bytes (a view into the input buffer, not a copy). */
  readonly data: Uint8Array;
  /** Index into `Capture.interfaces` (global across pcapng sections). */
  readonly interfaceId: number;
  readonly linkType: number;
  /** Length of the packet on the wire (≥ data.length when the snap length cut it). */
  readonly originalLength: number;
  /**
   * False for pcapng Simple Packet Blocks, which carry no timestamp: tsMs then repeats the
   * previous packet's timestamp in the section (0 if none).
   */
  readonly timestampKnown: boolean;
}

export interface Capture {
  readonly format: 'pcap' | 'pcapng';
  readonly file?: string;
  /** Byte order of the (first) section. */
  readonly byteOrder: 'little' | 'big';
  /** Link type of the first interface (-1 if the file declares none). */
  readonly linkType: number;
  readonly interfaces: readonly CaptureInterface[];
  readonly packets: readonly CapturedPacket[];
}
