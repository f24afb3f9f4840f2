/**
 * A send stage the controller can switch on and off mid-call (RED by loss). While off, packets
 * pass untouched; the RED stage's own rule (redundant blocks only for an unbroken run of
 * sequence numbers it has seen) makes its first packet after a switch-on carry no stale blocks.
 */
import type { RtpPacket } from '../../rtp/header.ts';
import type { OutgoingPacket, SendStage } from '../media-sender.ts';

export class SwitchableStage implements SendStage {
  constructor(
    readonly inner: SendStage,
    private readonly isOn: () => boolean,
  ) {}

  process(media: RtpPacket, out: OutgoingPacket[]): void {
    if (this.isOn()) this.inner.process(media, out);
  }
}
