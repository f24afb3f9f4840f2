/**
 * Batched messages to the other side of a thread boundary: everything queued during one turn of
 * the event loop goes in one postMessage at the end of the turn (setImmediate runs after the
 * turn's I/O callbacks). A postMessage costs microseconds on both sides whatever it carries, so
 * at thousands of packets a second one per turn instead of one per packet is most of the saving.
 * RTP packets are packed into one transferred block (engine-protocol.ts); any other message
 * closes the current block first, so order is kept.
 */
import { PacketBlockWriter } from './engine-protocol.ts';

export type Post<M> = (batch: M[], transfer: Transferable[]) => void;

export class Mailbox<M> {
  private batch: M[] = [];
  private transfer: Transferable[] = [];
  private scheduled = false;
  private closed = false;
  private readonly packets = new PacketBlockWriter();

  constructor(
    private readonly post: Post<M>,
    /** The message a packet block travels as. */
    private readonly blockMessage: ((block: ArrayBuffer, n: number) => M) | null = null,
  ) {}

  /** Queue a message; `transfer`: buffers it owns and gives away (they are unusable here afterwards). */
  push(m: M, transfer?: Transferable[]): void {
    if (this.closed) return;
    this.closeBlock();
    this.batch.push(m);
    if (transfer) for (const t of transfer) this.transfer.push(t);
    this.schedule();
  }

  /** Queue an RTP packet for stream `id` (copied into the current block). */
  packet(id: number, atMs: number, bytes: Uint8Array): void {
    if (this.closed) return;
    this.packets.add(id, atMs, bytes);
    this.schedule();
  }

  private closeBlock(): void {
    if (this.packets.count === 0 || !this.blockMessage) return;
    const { block, n } = this.packets.take();
    this.batch.push(this.blockMessage(block, n));
    this.transfer.push(block);
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /** Post what is queued now. */
  flush(): void {
    this.scheduled = false;
    this.closeBlock();
    if (this.batch.length === 0) return;
    const batch = this.batch;
    const transfer = this.transfer;
    this.batch = [];
    this.transfer = [];
    this.post(batch, transfer);
  }

  /** Post what is queued and take nothing more. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
