/**
 * A leg engine's room hub with rooms shared across instances (--redis), on a fake clock: local
 * speakers are reported to the link (on join and on a settings change); their packets go to the
 * link only while the room has members elsewhere; a remote speaker gets its own leg in every
 * local listener and is in the welcome of a room made with it.
 */
import { describe, expect, it } from 'vitest';
import { LiveCatalog } from '../../src/live/catalog.ts';
import { LiveMetrics } from '../../src/live/live-metrics.ts';
import type { MemberConnection } from '../../src/live/member.ts';
import type { ServerEvent } from '../../src/live/protocol.ts';
import { DEFAULT_RECORDING_LIMITS, RecordingQuota } from '../../src/live/recording-quota.ts';
import { RoomHub } from '../../src/live/room-hub.ts';
import type { SpeakerDesc } from '../../src/live/room-link.ts';
import { TimerWheel } from '../../src/live/timer-wheel.ts';
import { FakeHost } from './fake-host.ts';
import { fixturePcm, tempDir, writeScenario } from './helpers.ts';

async function setup() {
  const tmp = tempDir('hub-remote');
  const file = writeScenario(tmp.dir, 'hub-remote', 'channel:\n  delay: { baseMs: 20 }\nreceiver:\n  jitterBuffer: { type: fixed, delayMs: 40 }\n');
  const catalog = await LiveCatalog.load(tmp.dir, file);
  const host = new FakeHost();
  const clock = new TimerWheel({ now: host.now }, host, 0);
  const told: Array<{ room: string; s: SpeakerDesc }> = [];
  const spoken: Array<{ room: string; id: number; n: number }> = [];
  const hub = new RoomHub({
    clock,
    catalog,
    metrics: new LiveMetrics(),
    reportsDir: tmp.dir,
    statsIntervalMs: 500,
    emodel: false,
    recordingQuota: new RecordingQuota(DEFAULT_RECORDING_LIMITS),
    log: () => undefined,
    link: { speaker: (room, s) => told.push({ room, s }), spoke: (room, id, packets) => spoken.push({ room, id, n: packets.length }) },
  });
  const events = new Map<number, ServerEvent[]>();
  const conn = (id: number): MemberConnection => {
    events.set(id, []);
    return { send: (d) => (typeof d === 'string' && events.get(id)!.push(JSON.parse(d) as ServerEvent), true), close: () => undefined };
  };
  return { tmp, catalog, hub, told, spoken, events, conn };
}

describe('a room hub with members on other instances', () => {
  it('tells the link its speakers, sends their packets only while someone elsewhere listens, and gives each remote speaker a leg per listener', async () => {
    const { tmp, catalog, hub, told, spoken, events, conn } = await setup();
    try {
      const ann = hub.join('r', { id: 1, name: 'ann' }, conn(1));
      expect(told.map((t) => [t.room, t.s.info.name])).toEqual([['r', 'ann']]);
      const frame = fixturePcm(0, 0.02);
      hub.onAudio(ann, frame);
      expect(spoken).toEqual([]); // alone on every instance: nothing crosses

      const codec = catalog.resolve(catalog.defaultSettings()).codec;
      const zed: SpeakerDesc = { info: { id: 1_048_577, name: 'zed' }, payloadType: 111, codec };
      hub.remoteJoined('r', zed);
      expect([...ann.legs.keys()]).toEqual([zed.info.id]); // her self loop gone, a leg from zed
      expect(events.get(1)!.filter((e) => e.type === 'member-joined').map((e) => (e as { member: { name: string } }).member.name)).toEqual(['zed']);
      hub.onAudio(ann, frame);
      expect(spoken).toEqual([{ room: 'r', id: 1, n: 1 }]);

      // A second local member: a leg from ann and one from zed, each of its own.
      const bo = hub.join('r', { id: 2, name: 'bo' }, conn(2));
      expect([...bo.legs.keys()].sort()).toEqual([1, zed.info.id]);
      expect(bo.legs.get(zed.info.id)).not.toBe(ann.legs.get(zed.info.id));
      const welcome = events.get(2)!.find((e) => e.type === 'welcome') as { members: Array<{ name: string }> };
      expect(welcome.members.map((m) => m.name).sort()).toEqual(['ann', 'bo', 'zed']);

      // A settings change is told again (the codec may have changed).
      expect(hub.applySettings(ann, { lossPct: 5 })).toBeNull();
      expect(told.map((t) => t.s.info.name)).toEqual(['ann', 'bo', 'ann']);

      hub.remoteLeft('r', zed.info, 'left');
      expect([...ann.legs.keys()]).toEqual([2]);
      expect(events.get(1)!.filter((e) => e.type === 'member-left').map((e) => (e as { reason: string }).reason)).toEqual(['left']);
      const sent = spoken.length;
      hub.onAudio(ann, frame);
      expect(spoken.length).toBe(sent); // nobody elsewhere any more

      // A room made with members elsewhere starts with them (the router passes them in the join).
      const cy = hub.join('s', { id: 3, name: 'cy' }, conn(3), undefined, [zed]);
      expect([...cy.legs.keys()]).toEqual([zed.info.id]);
      expect((events.get(3)!.find((e) => e.type === 'welcome') as { members: Array<{ name: string }> }).members.map((m) => m.name)).toEqual(['cy', 'zed']);
      hub.onAudio(cy, frame);
      expect(spoken.at(-1)).toEqual({ room: 's', id: 3, n: 1 });
    } finally {
      hub.close();
      tmp.cleanup();
    }
  });
});
