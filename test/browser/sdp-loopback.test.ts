import { describe, expect, it } from 'vitest';
import { candidateAddress, loopbackCandidates, loopbackOnly } from '../../src/browser/sdp-loopback.ts';

const SDP = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111',
  'a=candidate:1 1 udp 2122194687 127.0.0.1 56882 typ host generation 0 network-id 3',
  'a=candidate:2 1 udp 2122063615 192.0.2.2 59091 typ host generation 0 network-id 1',
  'a=candidate:3 1 udp 2122267903 ::1 50211 typ host generation 0',
  'a=candidate:4 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 192.0.2.2 rport 59091',
  'a=rtpmap:111 opus/48000/2',
  '',
].join('\r\n');

describe('loopback-only SDP', () => {
  it('reads the connection address of a candidate line and nothing else', () => {
    expect(candidateAddress('a=candidate:1 1 udp 2122194687 127.0.0.1 56882 typ host')).toBe('127.0.0.1');
    expect(candidateAddress('a=candidate:4 1 udp 1686052607 203.0.113.7 40000 typ srflx raddr 192.0.2.2 rport 1')).toBe('203.0.113.7');
    expect(candidateAddress('a=rtpmap:111 opus/48000/2')).toBeNull();
  });

  it('keeps only 127.0.0.1 candidates and every other line, with the same line ends', () => {
    const out = loopbackOnly(SDP);
    expect(out.split('\r\n').filter((l) => l.startsWith('a=candidate'))).toEqual(['a=candidate:1 1 udp 2122194687 127.0.0.1 56882 typ host generation 0 network-id 3']);
    expect(out).toContain('a=rtpmap:111 opus/48000/2\r\n');
    expect(out.split('\r\n').length).toBe(SDP.split('\r\n').length - 3);
    expect(loopbackCandidates(out)).toBe(1);
    expect(loopbackCandidates(SDP.replace('127.0.0.1 56882', '10.0.0.1 56882'))).toBe(0);
  });
});
