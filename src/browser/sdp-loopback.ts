/**
 * Keep a session description on IPv4 loopback: every ICE candidate line (RFC 8839 section 5.1)
 * whose connection address is not 127.0.0.1 is removed. Both ends are filtered, so the only
 * candidate pair ICE can form is 127.0.0.1 <-> 127.0.0.1 and no packet of a run leaves the host
 * (a browser otherwise offers every interface, and a non-loopback pair can win).
 */
export const LOOPBACK = '127.0.0.1';

/** The candidate's connection address (the fifth field of `a=candidate:`), or null if the line is not a candidate. */
export function candidateAddress(line: string): string | null {
  const m = /^a=candidate:\S+ \d+ \S+ \d+ (\S+) \d+ typ /i.exec(line.trim());
  return m ? m[1] : null;
}

export function loopbackOnly(sdp: string): string {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  const kept = lines.filter((l) => {
    const addr = candidateAddress(l);
    return addr === null || addr === LOOPBACK;
  });
  return kept.join(eol);
}

/** Number of loopback candidates left (a description without one cannot connect on loopback). */
export function loopbackCandidates(sdp: string): number {
  return sdp.split(/\r?\n/).filter((l) => candidateAddress(l) === LOOPBACK).length;
}
