import { BusUnavailableError, type NodeBus, type Notification } from '@herald/core';
import { generateVapidKeys, sendPush, type VapidDetails } from '@herald/testkit';
import { startEndpointFixture, type EndpointFixture } from './endpoint-fixture';

const vapidKeys = generateVapidKeys();
const vapid: VapidDetails = { subject: 'mailto:ops@example.com', ...vapidKeys };

describe('an accepted push', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  async function storedRows(uaid: Notification['uaid']): Promise<Notification[]> {
    return f.messageStore.fetch(uaid, { limit: 10, nowMs: Date.now() });
  }

  it('answers 201 with Location and TTL, stores the message and publishes it whole to the owning node', async () => {
    const sub = await f.subscribe();
    const reply = await sendPush(sub, 'hello', { vapid, ttl: 60 });

    expect(reply.status).toBe(201);
    expect(reply.body).toBe('');
    expect(reply.headers.ttl).toBe('60');
    const location = reply.headers.location ?? '';
    expect(location.startsWith(`${f.origin}/m/`)).toBe(true);

    const deliver = await f.nextDeliver();
    expect(deliver.hops).toBe(0);
    const n = deliver.notification;
    expect(n).toMatchObject({
      uaid: sub.uaid,
      channelId: sub.channelId,
      ttlSeconds: 60,
      urgency: 'normal',
    });
    expect(location).toBe(`${f.origin}/m/${n.messageId}`);
    expect(n.storageKey).toMatch(/^02:\d{16}:/);
    expect(n.headers).toEqual({ encoding: 'aes128gcm' });
    expect(n.data).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Math.abs(n.receivedAtMs - Date.now())).toBeLessThan(10_000);
    expect(await storedRows(sub.uaid)).toEqual([n]);
  });

  it('stores pushes accepted one after another in acceptance order', async () => {
    const sub = await f.subscribe();
    for (const text of ['one', 'two', 'three', 'four']) {
      expect((await sendPush(sub, text, { ttl: 60 })).status).toBe(201);
    }
    const delivered = [
      await f.nextDeliver(),
      await f.nextDeliver(),
      await f.nextDeliver(),
      await f.nextDeliver(),
    ];
    const stored = await storedRows(sub.uaid);
    expect(stored.map((n) => n.messageId)).toEqual(delivered.map((d) => d.notification.messageId));
  });
});

describe('a push whose deliver cannot be published', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    const failing = (bus: NodeBus): NodeBus => ({
      listen: (nodeId, handler) => bus.listen(nodeId, handler),
      listenToAll: (handler) => bus.listenToAll(handler),
      publish: () => Promise.reject(new BusUnavailableError('bus down')),
      publishToAll: () => Promise.reject(new BusUnavailableError('bus down')),
      ping: () => bus.ping(),
      onReconnect: (listener) => bus.onReconnect(listener),
      close: () => bus.close(),
    });
    f = await startEndpointFixture({ wrapBus: failing });
  });
  afterAll(async () => {
    await f.close();
  });

  it('is still accepted, because the stored row reaches the user agent at its next hello', async () => {
    const sub = await f.subscribe();
    const reply = await sendPush(sub, 'stored anyway', { ttl: 60 });
    expect(reply.status).toBe(201);
    expect(await f.messageStore.fetch(sub.uaid, { limit: 10, nowMs: Date.now() })).toHaveLength(1);
    expect(f.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'deliver publish failed' }),
    );
  });
});
