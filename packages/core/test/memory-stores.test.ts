import {
  MemoryMessageStore,
  MemoryRouterStore,
  ROUTER_RECORD_LIFETIME_MS,
  newChannelId,
  newUaid,
  storageKeyFor,
  type ChannelId,
  type MessageId,
  type NodeId,
  type Notification,
  type Uaid,
} from '../src/index';

const nodeA = 'node-a' as NodeId;
const nodeB = 'node-b' as NodeId;

class TestClock {
  ms = 1_700_000_000_000;
  nowMs(): number {
    return this.ms;
  }
}

describe('MemoryRouterStore', () => {
  it('creates a record lazily at the first channel and reads it back', async () => {
    const clock = new TestClock();
    const store = new MemoryRouterStore({ clock });
    const uaid = newUaid();
    const channelId = newChannelId();
    expect(await store.get(uaid)).toBeUndefined();
    await store.addChannel(uaid, channelId, { nodeId: nodeA, connectedAtMs: 10 });
    expect(await store.get(uaid)).toEqual({
      uaid,
      nodeId: nodeA,
      connectedAtMs: 10,
      channelIds: new Set([channelId]),
      lastSeenMs: clock.ms,
    });
  });

  it('lets only a newer connection claim a uaid', async () => {
    const store = new MemoryRouterStore();
    const uaid = newUaid();
    expect(await store.claim(uaid, { nodeId: nodeA, connectedAtMs: 1 })).toEqual({
      kind: 'unknown',
    });
    await store.addChannel(uaid, newChannelId(), { nodeId: nodeA, connectedAtMs: 10 });
    expect(await store.claim(uaid, { nodeId: nodeB, connectedAtMs: 10 })).toEqual({
      kind: 'superseded',
    });
    const outcome = await store.claim(uaid, { nodeId: nodeB, connectedAtMs: 20 });
    expect(outcome).toMatchObject({
      kind: 'claimed',
      previous: { nodeId: nodeA, connectedAtMs: 10 },
      record: { nodeId: nodeB },
    });
    expect((await store.get(uaid))?.nodeId).toBe(nodeB);
  });

  it('removes channels and records idempotently', async () => {
    const store = new MemoryRouterStore();
    const uaid = newUaid();
    const channelId = newChannelId();
    await store.addChannel(uaid, channelId, { nodeId: nodeA, connectedAtMs: 1 });
    await store.addChannel(uaid, channelId, { nodeId: nodeA, connectedAtMs: 1 });
    expect(await store.removeChannel(uaid, channelId)).toBe(true);
    expect(await store.removeChannel(uaid, channelId)).toBe(false);
    await store.remove(uaid);
    await store.remove(uaid);
    expect(await store.get(uaid)).toBeUndefined();
  });

  it('hands out copies that later writes do not change', async () => {
    const store = new MemoryRouterStore();
    const uaid = newUaid();
    await store.addChannel(uaid, newChannelId(), { nodeId: nodeA, connectedAtMs: 1 });
    const before = await store.get(uaid);
    await store.addChannel(uaid, newChannelId(), { nodeId: nodeA, connectedAtMs: 1 });
    expect(before?.channelIds.size).toBe(1);
  });

  it('forgets a record 60 days after it was last seen', async () => {
    const clock = new TestClock();
    const store = new MemoryRouterStore({ clock });
    const uaid = newUaid();
    await store.addChannel(uaid, newChannelId(), { nodeId: nodeA, connectedAtMs: 1 });
    clock.ms += ROUTER_RECORD_LIFETIME_MS;
    expect(await store.get(uaid)).toBeUndefined();
  });
});

describe('MemoryMessageStore', () => {
  let seq = 0;
  function message(
    uaid: Uaid,
    channelId: ChannelId,
    o: { topic?: string; ttlSeconds?: number; receivedAtMs?: number } = {},
  ): Notification {
    seq++;
    const receivedAtMs = o.receivedAtMs ?? 1_000_000;
    return {
      uaid,
      channelId,
      messageId: `m${seq}` as MessageId,
      storageKey: storageKeyFor({
        channelId,
        topic: o.topic,
        receivedAtUs: receivedAtMs * 1000 + seq,
        writerId: 1,
      }),
      ...(o.topic !== undefined && { topic: o.topic }),
      ttlSeconds: o.ttlSeconds ?? 60,
      receivedAtMs,
      urgency: 'normal',
    };
  }

  it('returns topic messages first, then the others in arrival order, up to the limit', async () => {
    const store = new MemoryMessageStore();
    const uaid = newUaid();
    const channelId = newChannelId();
    const first = message(uaid, channelId);
    const second = message(uaid, channelId);
    const topical = message(uaid, channelId, { topic: 't' });
    for (const m of [second, topical, first]) await store.save(m);
    expect(await store.fetch(uaid, { limit: 10, nowMs: 1_000_000 })).toEqual([
      topical,
      first,
      second,
    ]);
    expect(await store.fetch(uaid, { limit: 2, nowMs: 1_000_000 })).toEqual([topical, first]);
  });

  it('replaces a topic message with a newer one on the same channel', async () => {
    const store = new MemoryMessageStore();
    const uaid = newUaid();
    const channelId = newChannelId();
    const old = message(uaid, channelId, { topic: 't' });
    const newer = message(uaid, channelId, { topic: 't' });
    await store.save(old);
    await store.save(newer);
    expect(await store.fetch(uaid, { limit: 10, nowMs: 1_000_000 })).toEqual([newer]);
    await store.delete(uaid, old.storageKey, old.messageId);
    expect(await store.fetch(uaid, { limit: 10, nowMs: 1_000_000 })).toEqual([newer]);
    await store.delete(uaid, newer.storageKey, newer.messageId);
    expect(await store.fetch(uaid, { limit: 10, nowMs: 1_000_000 })).toEqual([]);
  });

  it('never returns expired messages', async () => {
    const store = new MemoryMessageStore();
    const uaid = newUaid();
    const m = message(uaid, newChannelId(), { ttlSeconds: 10, receivedAtMs: 1_000_000 });
    await store.save(m);
    expect(await store.fetch(uaid, { limit: 10, nowMs: 1_009_999 })).toEqual([m]);
    expect(await store.fetch(uaid, { limit: 10, nowMs: 1_010_000 })).toEqual([]);
  });

  it('refuses to store a TTL-0 message', async () => {
    const store = new MemoryMessageStore();
    await expect(store.save(message(newUaid(), newChannelId(), { ttlSeconds: 0 }))).rejects.toThrow(
      RangeError,
    );
  });

  it('deletes every message of a uaid and only that uaid', async () => {
    const store = new MemoryMessageStore();
    const [a, b] = [newUaid(), newUaid()];
    await store.save(message(a, newChannelId()));
    const kept = message(b, newChannelId());
    await store.save(kept);
    await store.deleteAll(a);
    await store.deleteAll(a);
    expect(await store.fetch(a, { limit: 10, nowMs: 1_000_000 })).toEqual([]);
    expect(await store.fetch(b, { limit: 10, nowMs: 1_000_000 })).toEqual([kept]);
  });
});
