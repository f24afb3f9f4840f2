/**
 * A per-connection send queue with a bound. The queue is the socket's own buffer (ws
 * `bufferedAmount`: bytes accepted by send() but not yet written to the kernel); a message that
 * would take it past the bound means the peer reads slower than we produce, so the peer is
 * dropped instead of letting memory grow.
 */
export interface PeerTransport {
  readonly bufferedAmount: number;
  send(data: Uint8Array | string): void;
}

export class BoundedPeer {
  private overflowed = false;
  sentBytes = 0;

  constructor(
    private readonly t: PeerTransport,
    readonly limitBytes: number,
    private readonly onOverflow: () => void,
  ) {}

  get dropped(): boolean {
    return this.overflowed;
  }

  /** Queue `data`; false (and the overflow callback, once) when the bound would be passed. */
  send(data: Uint8Array | string): boolean {
    if (this.overflowed) return false;
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (this.t.bufferedAmount + size > this.limitBytes) {
      this.overflowed = true;
      this.onOverflow();
      return false;
    }
    this.t.send(data);
    this.sentBytes += size;
    return true;
  }
}
