/**
 * Keys a browser receiver decides itself: on a variant whose receiver is a real browser, setting
 * them would be silently ignored, so they are refused with the key's path and line. The sender's
 * redundancy schemes that need our receiver's stages (RED, parity FEC) or a feedback loop into
 * our encoder (adaptation) are refused too; Opus in-band FEC and DTX go to the browser as sent.
 */
export const BROWSER_DECIDES: Readonly<Record<string, string>> = {
  jitterBuffer: 'its own jitter buffer (NetEq)',
  plc: 'its own concealment',
  fec: 'whether to decode Opus in-band FEC',
  nack: 'NACK/RTX (not negotiated for audio)',
  clockDriftPpm: 'its own audio clock',
  rtcpIntervalMs: 'its own RTCP timing',
};

export const BROWSER_UNSUPPORTED_SENDER: Readonly<Record<string, string>> = {
  red: 'RED toward a browser receiver is not supported yet',
  parityFec: 'parity FEC is not decoded by browsers for audio',
  adaptation: 'sender adaptation needs our receiver\'s feedback loop',
};

/**
 * Shortest call a browser receiver can be measured on: its getStats() counters move in 50 ms
 * steps, its buffer needs about a second to settle, and a shorter call is mostly start-up.
 */
export const MIN_BROWSER_CALL_S = 3;

export interface BrowserKeyViolation {
  path: PropertyKey[];
  detail: string;
}

/**
 * The first key that a browser variant may not set. `receiverBlocks` are the raw receiver blocks
 * that set keys for this variant, with their paths (the variant's own, and the scenario's when
 * that one asks for the browser itself). The sender is checked as resolved (a variant may turn
 * the scenario's RED off), and the error points at the block that set the key, the variant's
 * own first.
 */
export function browserKeyViolation(
  receiverBlocks: ReadonlyArray<{ path: PropertyKey[]; raw: Record<string, unknown> }>,
  resolvedSender: Readonly<Record<string, unknown>>,
  senderBlocks: ReadonlyArray<{ path: PropertyKey[]; raw: Record<string, unknown> }>,
): BrowserKeyViolation | null {
  for (const b of receiverBlocks) {
    for (const [key, what] of Object.entries(BROWSER_DECIDES)) {
      if (key in b.raw) return { path: [...b.path, key], detail: `not allowed with receiver.browser: the browser decides ${what}` };
    }
  }
  for (const [key, why] of Object.entries(BROWSER_UNSUPPORTED_SENDER)) {
    if (resolvedSender[key] === undefined || resolvedSender[key] === null) continue;
    const where = senderBlocks.find((b) => key in b.raw) ?? senderBlocks[senderBlocks.length - 1];
    return { path: [...(where?.path ?? ['sender']), key], detail: `not allowed with receiver.browser: ${why}` };
  }
  return null;
}
