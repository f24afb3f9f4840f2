/** Validation of the page's control messages (text frames): anything else is an invalid message. */
import { z } from 'zod';
import type { ClientMessage } from './protocol.ts';

const nullableNum = (min: number, max: number) => z.number().finite().min(min).max(max).nullable();

export const ClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('settings'),
    preset: z.string().max(200).optional(),
    buffer: z.string().max(100).nullable().optional(),
    lossPct: nullableNum(0, 100).optional(),
    jitterMs: nullableNum(0, 2000).optional(),
  }),
  z.strictObject({ type: z.literal('record'), on: z.boolean() }),
  z.strictObject({ type: z.literal('rtc-answer'), leg: z.number().int().min(0).max(2 ** 31), sdp: z.string().min(1).max(20_000) }),
]);

export type ParsedClientMessage = { ok: true; msg: ClientMessage } | { ok: false; reason: 'bad-json' | 'bad-message'; detail: string };

export function parseClientMessage(text: string): ParsedClientMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'bad-json', detail: 'not JSON' };
  }
  const r = ClientMessageSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0];
    return { ok: false, reason: 'bad-message', detail: `${i.path.join('.') || '(root)'}: ${i.message}` };
  }
  return { ok: true, msg: r.data as ClientMessage };
}
