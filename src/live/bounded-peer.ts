/**
 * A per-connection send bound. What counts is what the peer has not shown it read: bytes sent
 * since the last acknowledged ping. The gateway pings every peer each second; a WebSocket peer
 * answers a ping with a pong only after it has read everything sent before the ping (TCP keeps
 * order), so the pong's arrival acknowledges those bytes. ws's `bufferedAmount` (bytes not yet
 * handed to the kernel) alone cannot bound a reader that stopped: the kernel's socket buffers
 * (megabytes on loopback) take the data first, and the bound would act only after minutes.
 * A message that would take either figure past the bound drops the peer instead of letting
 * memory grow.
 */
export interface PeerTransport {
  readonly bufferedAmount: number;
  send(data: Uint8Array | string): void;
}

export class BoundedPeer {
  private overflowed = false;
  sentBytes = 0;
  private ackedBytes = 0;

  constructor(
    private readonly t: PeerTransport,
    readonly limitBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  get dropped(): boolean {
    return this.overflowed;
  }

  /** Bytes sent that the peer has not acknowledged yet. */
  get unacknowledged(): number {
    return this.sentBytes - this.ackedBytes;
  }

  /** The peer has read everything up to `sentBytes` (the count when an acknowledged ping was sent). */
  acknowledge(sentBytes: number): void {
    if (sentBytes > this.ackedBytes) this.ackedBytes = Math.min(sentBytes, this.sentBytes);
  }

  /** Queue `data`; false (and the overflow callback, once) when the bound would be passed. */
  send(data: Uint8Array | string): boolean {
    if (this.overflowed) return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.t.bufferedAmount + size > this.limitBytes || this.unacknowledged + size > this.limitBytes) {
      this.overflowed = true;
      this.onOverflow();
      return false;
    }
    this.t.send(data);
    this.sentBytes += size;
    return true;
  }
}
