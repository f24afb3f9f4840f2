/**
 * A minimal SIP INVITE (RFC 3261 §8.1.1, §20) carrying an SDP offer (RFC 4566, RFC 3264) for one
 * Opus audio stream (RFC 7587 §7: `a=rtpmap:<pt> opus/48000/2` regardless of the actual channel
 * count). Put into a pcap on UDP 5060 before the RTP, it makes Wireshark's SIP/SDP dissectors
 * register the m= port for RTP decoding.
 */
export interface SipInviteSpec {
  readonly callId: string;
  /** Caller; also the SDP connection address, i.e. where the caller receives RTP. */
  readonly fromIp: string;
  readonly toIp: string;
  readonly rtpPort: number;
  readonly payloadType: number;
  /** Only Opus is described; default 'opus'. */
  readonly codec?: 'opus';
  /** RFC 7587 fixes 48000; default 48000. */
  readonly clockRate?: 48000;
  /** RFC 7587 fixes 2; default 2. */
  readonly channels?: 2;
  /** SIP signalling port of both ends; default 5060. */
  readonly sipPort?: number;
  /** Packet time in ms for `a=ptime`; default 20. */
  readonly ptimeMs?: number;
}

/** A stable 32-bit-ish token from a string (FNV-1a), for branch/tag/session ids. */
function token(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return (h >>> 0).toString(16).padStart(8, '0');
}

export function sipInviteWithSdp(spec: SipInviteSpec): string {
  const sipPort = spec.sipPort ?? 5060;
  const ptime = spec.ptimeMs ?? 20;
  const session = parseInt(token(`session:${spec.callId}`), 16);
  const sdp =
    [
      'v=0',
      `o=jitterlab ${session} ${session} IN IP4 ${spec.fromIp}`,
      's=jitterlab',
      `c=IN IP4 ${spec.fromIp}`,
      't=0 0',
      `m=audio ${spec.rtpPort} RTP/AVP ${spec.payloadType}`,
      `a=rtpmap:${spec.payloadType} ${spec.codec ?? 'opus'}/${spec.clockRate ?? 48000}/${spec.channels ?? 2}`,
      `a=ptime:${ptime}`,
      'a=sendrecv',
    ].join('\r\n') + '\r\n';
  const bodyLength = new TextEncoder().encode(sdp).length;
  const headers = [
    `INVITE sip:callee@${spec.toIp}:${sipPort} SIP/2.0`,
    `Via: SIP/2.0/UDP ${spec.fromIp}:${sipPort};branch=z9hG4bK${token(`branch:${spec.callId}`)}`,
    'Max-Forwards: 70',
    `From: <sip:caller@${spec.fromIp}>;tag=${token(`tag:${spec.callId}`)}`,
    `To: <sip:callee@${spec.toIp}>`,
    `Call-ID: ${spec.callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:caller@${spec.fromIp}:${sipPort}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${bodyLength}`,
  ];
  return `${headers.join('\r\n')}\r\n\r\n${sdp}`;
}
