import { randomUUID } from 'node:crypto';
import { newChannelId, newUaid, storageKeyFor, systemClock } from '@herald/core';
import type {
  ChannelId,
  Clock,
  MessageId,
  MessageStore,
  NodeId,
  Notification,
  NotificationHeaders,
  RouterStore,
  Uaid,
} from '@herald/core';

/**
 * What a contract suite needs from an implementation: a store, the clock it stamps
 * `lastSeenMs` with (the system clock when absent), and how to release it.
 */
export interface StoreFixture<S> {
  readonly store: S;
  readonly clock?: Clock;
  dispose(): Promise<void> | void;
}

const NODE_A = 'node-a' as NodeId;
const NODE_B = 'node-b' as NodeId;

/**
 * The behaviour every `RouterStore` must show. `makeStore` is called once for the suite;
 * each test uses fresh uaids, so tests never see each other's records.
 */
export function describeRouterStoreContract(
  name: string,
  makeStore: () => Promise<StoreFixture<RouterStore>>,
): void {
  describe(`${name} (RouterStore contract)`, () => {
    let fixture: StoreFixture<RouterStore>;
    let store: RouterStore;
    let clock: Clock;

    beforeAll(async () => {
      fixture = await makeStore();
      store = fixture.store;
      clock = fixture.clock ?? systemClock;
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    it('knows nothing about a uaid that never registered', async () => {
      const uaid = newUaid();
      expect(await store.get(uaid)).toBeUndefined();
      expect(await store.claim(uaid, { nodeId: NODE_A, connectedAtMs: 1_000 })).toEqual({
        kind: 'unknown',
      });
      expect(await store.get(uaid)).toBeUndefined();
    });

    it('creates the record at the first registration, owned by the registering connection', async () => {
      const uaid = newUaid();
      const channelId = newChannelId();
      const beforeMs = clock.nowMs();
      await store.addChannel(uaid, channelId, { nodeId: NODE_A, connectedAtMs: 1_000 });
      const afterMs = clock.nowMs();

      const record = await store.get(uaid);
      expect(record).toMatchObject({ uaid, nodeId: NODE_A, connectedAtMs: 1_000 });
      expect([...record!.channelIds]).toEqual([channelId]);
      expect(record!.lastSeenMs).toBeGreaterThanOrEqual(beforeMs);
      expect(record!.lastSeenMs).toBeLessThanOrEqual(afterMs);
    });

    it('adds a channel idempotently and never changes the owner while doing so', async () => {
      const uaid = newUaid();
      const first = newChannelId();
      const second = newChannelId();
      await store.addChannel(uaid, first, { nodeId: NODE_A, connectedAtMs: 1_000 });
      await store.addChannel(uaid, first, { nodeId: NODE_A, connectedAtMs: 1_000 });
      await store.addChannel(uaid, second, { nodeId: NODE_B, connectedAtMs: 2_000 });

      const record = await store.get(uaid);
      expect(record).toMatchObject({ nodeId: NODE_A, connectedAtMs: 1_000 });
      expect(sorted(record!.channelIds)).toEqual(sorted([first, second]));
    });

    it('lets a newer connection claim the uaid and reports the previous owner', async () => {
      const uaid = newUaid();
      const channelId = newChannelId();
      await store.addChannel(uaid, channelId, { nodeId: NODE_A, connectedAtMs: 1_000 });

      const outcome = await store.claim(uaid, { nodeId: NODE_B, connectedAtMs: 2_000 });
      expect(outcome).toMatchObject({
        kind: 'claimed',
        previous: { nodeId: NODE_A, connectedAtMs: 1_000 },
        record: { uaid, nodeId: NODE_B, connectedAtMs: 2_000 },
      });
      if (outcome.kind !== 'claimed') throw new Error('unreachable');
      expect([...outcome.record.channelIds]).toEqual([channelId]);

      const stored = await store.get(uaid);
      expect(stored).toMatchObject({ nodeId: NODE_B, connectedAtMs: 2_000 });
      expect([...stored!.channelIds]).toEqual([channelId]);
    });

    it('refreshes lastSeenMs when a connection claims the uaid', async () => {
      const uaid = newUaid();
      await store.addChannel(uaid, newChannelId(), { nodeId: NODE_A, connectedAtMs: 1_000 });
      const beforeMs = clock.nowMs();
      const outcome = await store.claim(uaid, { nodeId: NODE_A, connectedAtMs: 2_000 });
      const afterMs = clock.nowMs();
      if (outcome.kind !== 'claimed') throw new Error(`expected claimed, got ${outcome.kind}`);
      expect(outcome.record.lastSeenMs).toBeGreaterThanOrEqual(beforeMs);
      expect(outcome.record.lastSeenMs).toBeLessThanOrEqual(afterMs);
      expect((await store.get(uaid))!.lastSeenMs).toBe(outcome.record.lastSeenMs);
    });

    it('refuses an older claim that lands after a newer one, leaving the newer owner in place', async () => {
      const uaid = newUaid();
      await store.addChannel(uaid, newChannelId(), { nodeId: NODE_A, connectedAtMs: 1_000 });
      expect(await store.claim(uaid, { nodeId: NODE_B, connectedAtMs: 3_000 })).toMatchObject({
        kind: 'claimed',
      });

      expect(await store.claim(uaid, { nodeId: NODE_A, connectedAtMs: 2_000 })).toEqual({
        kind: 'superseded',
      });
      expect(await store.get(uaid)).toMatchObject({ nodeId: NODE_B, connectedAtMs: 3_000 });
    });

    it('refuses a claim with the same connectedAtMs as the current owner', async () => {
      const uaid = newUaid();
      await store.addChannel(uaid, newChannelId(), { nodeId: NODE_A, connectedAtMs: 1_000 });
      expect(await store.claim(uaid, { nodeId: NODE_B, connectedAtMs: 1_000 })).toEqual({
        kind: 'superseded',
      });
      expect(await store.get(uaid)).toMatchObject({ nodeId: NODE_A });
    });

    it('removes a registered channel and says whether it was there', async () => {
      const uaid = newUaid();
      const kept = newChannelId();
      const removed = newChannelId();
      await store.addChannel(uaid, kept, { nodeId: NODE_A, connectedAtMs: 1_000 });
      await store.addChannel(uaid, removed, { nodeId: NODE_A, connectedAtMs: 1_000 });

      expect(await store.removeChannel(uaid, removed)).toBe(true);
      expect(await store.removeChannel(uaid, removed)).toBe(false);
      expect(await store.removeChannel(uaid, newChannelId())).toBe(false);
      expect([...(await store.get(uaid))!.channelIds]).toEqual([kept]);
    });

    it('keeps the record with no channels when the last one is removed', async () => {
      const uaid = newUaid();
      const channelId = newChannelId();
      await store.addChannel(uaid, channelId, { nodeId: NODE_A, connectedAtMs: 1_000 });
      expect(await store.removeChannel(uaid, channelId)).toBe(true);

      const record = await store.get(uaid);
      expect(record).toMatchObject({ uaid, nodeId: NODE_A });
      expect(record!.channelIds.size).toBe(0);
    });

    it('answers false when removing a channel of an unknown uaid, without creating a record', async () => {
      const uaid = newUaid();
      expect(await store.removeChannel(uaid, newChannelId())).toBe(false);
      expect(await store.get(uaid)).toBeUndefined();
    });

    it('removes the record, after which the uaid is unknown to claims too', async () => {
      const uaid = newUaid();
      await store.addChannel(uaid, newChannelId(), { nodeId: NODE_A, connectedAtMs: 1_000 });
      await store.remove(uaid);
      await store.remove(uaid);

      expect(await store.get(uaid)).toBeUndefined();
      expect(await store.claim(uaid, { nodeId: NODE_B, connectedAtMs: 2_000 })).toEqual({
        kind: 'unknown',
      });
      expect(await store.get(uaid)).toBeUndefined();
    });

    it('keeps every uaid apart', async () => {
      const one = newUaid();
      const other = newUaid();
      const channelId = newChannelId();
      await store.addChannel(one, channelId, { nodeId: NODE_A, connectedAtMs: 1_000 });
      await store.addChannel(other, newChannelId(), { nodeId: NODE_B, connectedAtMs: 1_000 });

      expect(await store.removeChannel(other, channelId)).toBe(false);
      await store.claim(other, { nodeId: NODE_A, connectedAtMs: 5_000 });
      await store.remove(other);

      const record = await store.get(one);
      expect(record).toMatchObject({ nodeId: NODE_A, connectedAtMs: 1_000 });
      expect([...record!.channelIds]).toEqual([channelId]);
    });
  });
}

/**
 * The behaviour every `MessageStore` must show. `makeStore` is called once for the
 * suite; each test uses fresh uaids.
 */
export function describeMessageStoreContract(
  name: string,
  makeStore: () => Promise<StoreFixture<MessageStore>>,
): void {
  describe(`${name} (MessageStore contract)`, () => {
    let fixture: StoreFixture<MessageStore>;
    let store: MessageStore;

    beforeAll(async () => {
      fixture = await makeStore();
      store = fixture.store;
    });
    afterAll(async () => {
      await fixture?.dispose();
    });

    it('returns nothing for a uaid with no messages', async () => {
      expect(await store.fetch(newUaid(), { limit: 10, nowMs: Date.now() })).toEqual([]);
    });

    it('returns a saved notification exactly as it was saved', async () => {
      const uaid = newUaid();
      const withData = notification(uaid, {
        data: 'aGVsbG8',
        headers: { encoding: 'aesgcm', encryption: 'salt=c2FsdA', crypto_key: 'dh=ZGg' },
        urgency: 'high',
        topic: 'news',
      });
      const withoutData = notification(uaid, { receivedAtUs: microsNow() + 1 });
      await store.save(withData);
      await store.save(withoutData);

      expect(await store.fetch(uaid, { limit: 10, nowMs: Date.now() })).toEqual([
        withData,
        withoutData,
      ]);
    });

    it('returns topic messages first, then the others in arrival order', async () => {
      const uaid = newUaid();
      const start = microsNow();
      const first = notification(uaid, { receivedAtUs: start + 1 });
      const second = notification(uaid, { receivedAtUs: start + 2 });
      const third = notification(uaid, { receivedAtUs: start + 3 });
      const topic = notification(uaid, { topic: 'later', receivedAtUs: start + 4 });
      for (const n of [third, topic, first, second]) await store.save(n);

      expect(ids(await store.fetch(uaid, { limit: 10, nowMs: Date.now() }))).toEqual(
        ids([topic, first, second, third]),
      );
    });

    it('replaces the whole topic message, so a replacement without data drops the old data', async () => {
      const uaid = newUaid();
      const channelId = newChannelId();
      const original = notification(uaid, {
        channelId,
        topic: 'score',
        data: 'b2xk',
        urgency: 'low',
      });
      const replacement = notification(uaid, {
        channelId,
        topic: 'score',
        receivedAtUs: microsNow() + 1,
      });
      expect(replacement.storageKey).toBe(original.storageKey);
      await store.save(original);
      await store.save(replacement);

      const fetched = await store.fetch(uaid, { limit: 10, nowMs: Date.now() });
      expect(fetched).toEqual([replacement]);
      expect(fetched[0]).not.toHaveProperty('data');
      expect(fetched[0]).not.toHaveProperty('headers');
    });

    it('never returns an expired notification, even before the database deletes it', async () => {
      const uaid = newUaid();
      const nowMs = Date.now();
      const expired = notification(uaid, {
        receivedAtUs: (nowMs - 120_000) * 1000,
        ttlSeconds: 60,
      });
      const live = notification(uaid, {
        receivedAtUs: (nowMs - 120_000) * 1000 + 1,
        ttlSeconds: 3_600,
      });
      await store.save(expired);
      await store.save(live);

      expect(ids(await store.fetch(uaid, { limit: 10, nowMs }))).toEqual(ids([live]));
      expect(await store.fetch(uaid, { limit: 10, nowMs: nowMs + 3_601_000 })).toEqual([]);
    });

    it('fills the limit with live notifications when expired ones sit between them', async () => {
      const uaid = newUaid();
      const nowMs = Date.now();
      const startUs = (nowMs - 120_000) * 1000;
      const live: Notification[] = [];
      for (let i = 0; i < 12; i++) {
        const expired = i % 3 !== 2;
        const n = notification(uaid, {
          receivedAtUs: startUs + i,
          ttlSeconds: expired ? 60 : 3_600,
        });
        if (!expired) live.push(n);
        await store.save(n);
      }

      expect(ids(await store.fetch(uaid, { limit: 3, nowMs }))).toEqual(ids(live.slice(0, 3)));
      expect(ids(await store.fetch(uaid, { limit: 100, nowMs }))).toEqual(ids(live));
    });

    it('returns at most limit notifications, the earliest first', async () => {
      const uaid = newUaid();
      const start = microsNow();
      const saved: Notification[] = [];
      for (let i = 0; i < 5; i++) saved.push(notification(uaid, { receivedAtUs: start + i }));
      for (const n of saved) await store.save(n);

      expect(ids(await store.fetch(uaid, { limit: 2, nowMs: Date.now() }))).toEqual(
        ids(saved.slice(0, 2)),
      );
    });

    it('deletes a row only while it still holds the acked message id', async () => {
      const uaid = newUaid();
      const channelId = newChannelId();
      const original = notification(uaid, { channelId, topic: 'weather', data: 'b2xk' });
      const replacement = notification(uaid, {
        channelId,
        topic: 'weather',
        data: 'bmV3',
        receivedAtUs: microsNow() + 1,
      });
      await store.save(original);
      await store.save(replacement);

      await store.delete(uaid, original.storageKey, original.messageId);
      expect(ids(await store.fetch(uaid, { limit: 10, nowMs: Date.now() }))).toEqual(
        ids([replacement]),
      );

      await store.delete(uaid, replacement.storageKey, replacement.messageId);
      expect(await store.fetch(uaid, { limit: 10, nowMs: Date.now() })).toEqual([]);
    });

    it('treats deleting a missing row as done', async () => {
      const uaid = newUaid();
      const n = notification(uaid);
      await expect(store.delete(uaid, n.storageKey, n.messageId)).resolves.toBeUndefined();
      await store.save(n);
      await store.delete(uaid, n.storageKey, n.messageId);
      await expect(store.delete(uaid, n.storageKey, n.messageId)).resolves.toBeUndefined();
    });

    it('deletes every row of a uaid, however many, and only that uaid', async () => {
      const uaid = newUaid();
      const neighbour = newUaid();
      const start = microsNow();
      // More than one BatchWriteItem (25 requests) worth of rows.
      for (let i = 0; i < 30; i++)
        await store.save(notification(uaid, { receivedAtUs: start + i }));
      await store.save(notification(uaid, { topic: 't' }));
      const kept = notification(neighbour);
      await store.save(kept);

      await store.deleteAll(uaid);
      await store.deleteAll(uaid);

      expect(await store.fetch(uaid, { limit: 100, nowMs: Date.now() })).toEqual([]);
      expect(await store.fetch(neighbour, { limit: 100, nowMs: Date.now() })).toEqual([kept]);
    });

    it('keeps every uaid apart', async () => {
      const one = newUaid();
      const other = newUaid();
      const mine = notification(one);
      const theirs = notification(other);
      await store.save(mine);
      await store.save(theirs);
      // The same storage key under another uaid is another row.
      await store.delete(other, mine.storageKey, mine.messageId);

      expect(await store.fetch(one, { limit: 10, nowMs: Date.now() })).toEqual([mine]);
      expect(await store.fetch(other, { limit: 10, nowMs: Date.now() })).toEqual([theirs]);
    });
  });
}

interface NotificationShape {
  channelId?: ChannelId;
  topic?: string;
  receivedAtUs?: number;
  ttlSeconds?: number;
  urgency?: Notification['urgency'];
  data?: string;
  headers?: NotificationHeaders;
}

/** A stored-message fixture; `data` brings matching `headers`, as the model requires. */
function notification(uaid: Uaid, shape: NotificationShape = {}): Notification {
  const channelId = shape.channelId ?? newChannelId();
  const receivedAtUs = shape.receivedAtUs ?? microsNow();
  const headers: NotificationHeaders = shape.headers ?? { encoding: 'aes128gcm' };
  return {
    uaid,
    channelId,
    // Stores treat message ids as opaque; sealing them is the endpoint's business.
    messageId: `m-${randomUUID()}` as MessageId,
    storageKey: storageKeyFor({
      channelId,
      receivedAtUs,
      writerId: 0,
      ...(shape.topic !== undefined ? { topic: shape.topic } : {}),
    }),
    ttlSeconds: shape.ttlSeconds ?? 3_600,
    receivedAtMs: Math.floor(receivedAtUs / 1000),
    urgency: shape.urgency ?? 'normal',
    ...(shape.topic !== undefined ? { topic: shape.topic } : {}),
    ...(shape.data !== undefined ? { data: shape.data, headers } : {}),
  };
}

function microsNow(): number {
  return Date.now() * 1000;
}

function ids(notifications: readonly Notification[]): string[] {
  return notifications.map((n) => n.messageId);
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}
