import { BusUnavailableError, type NodeBus, type Notification } from '@herald/core';
import { generateVapidKeys, postRaw, sendPush, type VapidDetails } from '@herald/testkit';
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

  it('passes the body to the user agent byte for byte, as base64url without padding', async () => {
    const sub = await f.subscribe();
    const body = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 62, 63]);
    const reply = await postRaw(sub.endpoint, {
      headers: { TTL: '30', 'Content-Encoding': 'aes128gcm' },
      body,
    });
    expect(reply.status).toBe(201);
    const { notification } = await f.nextDeliver();
    expect(notification.data).toBe(body.toString('base64url'));
    expect(Buffer.from(notification.data ?? '', 'base64url').equals(body)).toBe(true);
  });

  it('accepts a body of exactly 5630 bytes, the limit', async () => {
    const sub = await f.subscribe();
    const reply = await postRaw(sub.endpoint, {
      headers: { TTL: '60', 'Content-Encoding': 'aes128gcm' },
      body: Buffer.alloc(5630, 7),
    });
    expect(reply.status).toBe(201);
    expect((await f.nextDeliver()).notification.data).toBe(
      Buffer.alloc(5630, 7).toString('base64url'),
    );
  });

  it('accepts a push to a v2 endpoint signed with the key the subscription was made with', async () => {
    const sub = await f.subscribe({ appServerKey: Buffer.from(vapid.publicKey, 'base64url') });
    expect(sub.endpoint).toContain('/wpush/v2/');
    const reply = await sendPush(sub, 'restricted', { vapid, ttl: 60 });
    expect(reply.status).toBe(201);
    expect((await f.nextDeliver()).notification.channelId).toBe(sub.channelId);
  });

  it('forwards legacy aesgcm encryption headers cleaned of quotes and padding', async () => {
    const sub = await f.subscribe();
    const reply = await sendPush(sub, 'legacy', { vapid, ttl: 60, contentEncoding: 'aesgcm' });
    expect(reply.status).toBe(201);
    const { headers } = (await f.nextDeliver()).notification;
    expect(headers?.encoding).toBe('aesgcm');
    expect(headers?.encryption).toMatch(/^salt=[A-Za-z0-9_-]+$/);
    expect(headers?.crypto_key).toMatch(/^dh=[A-Za-z0-9_-]+;p256ecdsa=[A-Za-z0-9_-]+$/);
  });

  it('strips quotes and base64 padding from hand-written aesgcm headers', async () => {
    const sub = await f.subscribe();
    const reply = await postRaw(sub.endpoint, {
      headers: {
        TTL: '60',
        'Content-Encoding': 'aesgcm',
        Encryption: 'salt="c2FsdHNhbHQ="; rs=4096',
        'Crypto-Key': 'dh="AAECAw==";p256ecdsa=BBBB=',
      },
      body: Buffer.from('ciphertext'),
    });
    expect(reply.status).toBe(201);
    expect((await f.nextDeliver()).notification.headers).toEqual({
      encoding: 'aesgcm',
      encryption: 'salt=c2FsdHNhbHQ; rs=4096',
      crypto_key: 'dh=AAECAw;p256ecdsa=BBBB',
    });
  });

  it('clamps a TTL above 30 days and echoes the clamped value', async () => {
    const sub = await f.subscribe();
    const reply = await sendPush(sub, 'long', { ttl: 9_999_999 });
    expect(reply.status).toBe(201);
    expect(reply.headers.ttl).toBe('2592000');
    expect((await f.nextDeliver()).notification.ttlSeconds).toBe(2_592_000);
  });

  it('accepts an empty body without looking at encryption headers, and sends no data or headers', async () => {
    const sub = await f.subscribe();
    const reply = await postRaw(sub.endpoint, {
      headers: { TTL: '60', 'Content-Encoding': 'bogus' },
    });
    expect(reply.status).toBe(201);
    const { notification } = await f.nextDeliver();
    expect(notification).not.toHaveProperty('data');
    expect(notification).not.toHaveProperty('headers');
    expect(await storedRows(sub.uaid)).toEqual([notification]);
  });

  it('publishes a TTL 0 push without storing it', async () => {
    const sub = await f.subscribe();
    const reply = await sendPush(sub, 'now or never', { ttl: 0 });
    expect(reply.status).toBe(201);
    expect(reply.headers.ttl).toBe('0');
    expect((await f.nextDeliver()).notification.ttlSeconds).toBe(0);
    expect(await storedRows(sub.uaid)).toEqual([]);
  });

  it('keeps Topic and Urgency, and a newer message on the same topic replaces the older one', async () => {
    const sub = await f.subscribe();
    expect(
      (await sendPush(sub, 'first', { ttl: 60, topic: 'scores', urgency: 'high' })).status,
    ).toBe(201);
    const first = (await f.nextDeliver()).notification;
    expect(first).toMatchObject({
      topic: 'scores',
      urgency: 'high',
      storageKey: `01:${sub.channelId}:scores`,
    });

    expect((await sendPush(sub, 'second', { ttl: 60, topic: 'scores' })).status).toBe(201);
    const second = (await f.nextDeliver()).notification;
    expect(second.messageId).not.toBe(first.messageId);
    expect(await storedRows(sub.uaid)).toEqual([second]);
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

  it('treats the version-less /wpush/{token} URL as v1', async () => {
    const sub = await f.subscribe();
    const reply = await sendPush(
      { ...sub, endpoint: sub.endpoint.replace('/wpush/v1/', '/wpush/') },
      'old url',
      {
        ttl: 60,
      },
    );
    expect(reply.status).toBe(201);
    expect((await f.nextDeliver()).notification.channelId).toBe(sub.channelId);
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
