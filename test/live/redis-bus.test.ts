/** The binary messages on a room's Redis channel and the directory entries: round trips, and malformed input refused by name. */
import { describe, expect, it } from 'vitest';
import { CodecConfigSchema } from '../../src/codec/config.ts';
import { decodeBusMessage, decodeEntry, encodeControl, encodeEntry, encodeMedia, speakerControl } from '../../src/live/redis/bus-message.ts';
import { createServer } from 'node:http';
import { createServer as createTcpServer, type Server } from 'node:net';
import { checkRedisUrl, probeRedis, redactRedisUrl } from '../../src/live/redis/redis-connect.ts';

const speaker = { info: { id: 3 * 2 ** 20 + 7, name: 'bob' }, payloadType: 111, codec: CodecConfigSchema.parse({ dtx: true }) };

describe('room bus messages', () => {
  it('carries an RTP packet byte for byte with its speaker, lane and instance slot', () => {
    const rtp = Uint8Array.from({ length: 40 }, (_, i) => (i * 37) & 255);
    const m = decodeBusMessage(encodeMedia(2047, speaker.info.id, 'fec', rtp));
    expect(m).toMatchObject({ kind: 'media', slot: 2047, speakerId: speaker.info.id, lane: 'fec' });
    expect(Array.from((m as { rtp: Uint8Array }).rtp)).toEqual(Array.from(rtp));
  });

  it('carries join, update and leave notices', () => {
    expect(decodeBusMessage(encodeControl(5, speakerControl('join', speaker)))).toEqual({ kind: 'control', slot: 5, control: { t: 'join', member: speaker.info, pt: 111, codec: speaker.codec } });
    expect(decodeBusMessage(encodeControl(5, { t: 'leave', member: speaker.info, reason: 'closed' }))).toEqual({ kind: 'control', slot: 5, control: { t: 'leave', member: speaker.info, reason: 'closed' } });
  });

  it('names what is wrong with a malformed message instead of throwing', () => {
    const control = (json: string) => Buffer.concat([Buffer.of(2, 0, 1), Buffer.from(json)]);
    expect(decodeBusMessage(Buffer.of(1))).toEqual({ malformed: 'short' });
    expect(decodeBusMessage(Buffer.alloc(30, 9))).toEqual({ malformed: 'kind' });
    expect(decodeBusMessage(encodeMedia(1, 1, 'media', new Uint8Array(11)))).toEqual({ malformed: 'short' });
    const badLane = encodeMedia(1, 1, 'media', new Uint8Array(20));
    badLane[7] = 9;
    expect(decodeBusMessage(badLane)).toEqual({ malformed: 'lane' });
    expect(decodeBusMessage(control('{not json'))).toEqual({ malformed: 'json' });
    expect(decodeBusMessage(control('{"t":"join","member":{"id":1,"name":"x"},"pt":300,"codec":{}}'))).toEqual({ malformed: 'control' });
    expect(decodeBusMessage(control('{"t":"shout"}'))).toEqual({ malformed: 'control' });
  });

  it('round-trips a directory entry and refuses a damaged one', () => {
    expect(decodeEntry(encodeEntry(9, speaker))).toEqual({ slot: 9, speaker });
    expect(decodeEntry('{"slot":9}')).toBeNull();
    expect(decodeEntry('nope')).toBeNull();
  });
});

describe('--redis URLs', () => {
  it('takes redis:// and rediss:// with an optional database, refuses the rest as usage errors', () => {
    for (const ok of ['redis://127.0.0.1:6379', 'redis://h:1/3', 'rediss://user:pw@h:6380/0', 'redis://h']) expect(() => checkRedisUrl(ok)).not.toThrow();
    expect(() => checkRedisUrl('http://h:6379')).toThrow(/^--redis: expected redis:\/\/host:port\[\/db\], got "http:\/\/h:6379" \(scheme http is not redis\)$/);
    expect(() => checkRedisUrl('localhost:6379')).toThrow(/scheme localhost is not redis|not a URL/);
    expect(() => checkRedisUrl('redis://h:6379/x')).toThrow(/database "x" is not a number/);
    expect(() => checkRedisUrl('nonsense')).toThrow(/not a URL/);
    // The same check as --queue's (one database range: up to 5 digits), and no password in the message.
    expect(() => checkRedisUrl('redis://h:6379/12345')).not.toThrow();
    expect(() => checkRedisUrl('redis://u:secret@h:6379/x')).toThrow(/got "redis:\/\/u:\*\*\*@h:6379\/x"/);
  });

  it('never shows a password', () => {
    expect(redactRedisUrl('redis://user:secret@h:6379/2')).toBe('redis://user:***@h:6379/2');
  });

  it('says in one line when the server at the URL is not Redis, or does not answer', async () => {
    const http = createServer((_req, res) => res.end('hello'));
    const silent = createTcpServer(() => undefined);
    const port = async (srv: Server | ReturnType<typeof createServer>) => {
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
      return (srv.address() as { port: number }).port;
    };
    try {
      const h = await port(http);
      await expect(probeRedis(`redis://127.0.0.1:${h}`)).rejects.toThrow(new RegExp(`^redis://127\\.0\\.0\\.1:${h}: Redis is not reachable: it does not answer in the Redis protocol \\(its reply starts with "H"\\)$`));
      const q = await port(silent);
      await expect(probeRedis(`redis://127.0.0.1:${q}`, 400)).rejects.toThrow(/: Redis is not reachable: no answer within 0\.4 s$/);
    } finally {
      http.close();
      silent.close();
    }
  });
});
