import { sealMessageId, storageKeyFor, CryptoKeys } from '@herald/core';
import { httpRequest, sendPush } from '@herald/testkit';
import { startEndpointFixture, type EndpointFixture } from './endpoint-fixture';
import { expectError } from './expect-error';

describe('the endpoint HTTP surface', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  const stored = (uaid: Parameters<EndpointFixture['messageStore']['fetch']>[0]) =>
    f.messageStore.fetch(uaid, { limit: 10, nowMs: Date.now() });

  describe('DELETE /m/{messageId}', () => {
    it('removes the stored message named by a Location and answers 204', async () => {
      const sub = await f.subscribe();
      const kept = await sendPush(sub, 'kept', { ttl: 60 });
      const cancelled = await sendPush(sub, 'cancelled', { ttl: 60 });
      expect((await stored(sub.uaid)).length).toBe(2);

      const reply = await httpRequest(cancelled.headers.location!, { method: 'DELETE' });
      expect(reply.status).toBe(204);
      expect(reply.body).toBe('');
      const left = await stored(sub.uaid);
      expect(left.map((n) => `${f.origin}/m/${n.messageId}`)).toEqual([kept.headers.location]);
    });

    it('answers 204 again for a message already gone', async () => {
      const sub = await f.subscribe();
      const { headers } = await sendPush(sub, 'twice', { ttl: 60 });
      expect((await httpRequest(headers.location!, { method: 'DELETE' })).status).toBe(204);
      expect((await httpRequest(headers.location!, { method: 'DELETE' })).status).toBe(204);
    });

    it('leaves a newer message on the same topic alone when the older one is cancelled', async () => {
      const sub = await f.subscribe();
      const older = await sendPush(sub, 'older', { ttl: 60, topic: 'weather' });
      const newer = await sendPush(sub, 'newer', { ttl: 60, topic: 'weather' });
      expect((await httpRequest(older.headers.location!, { method: 'DELETE' })).status).toBe(204);
      const left = await stored(sub.uaid);
      expect(left.map((n) => `${f.origin}/m/${n.messageId}`)).toEqual([newer.headers.location]);
    });

    it('is 400 with errno null for an id that does not open', async () => {
      expectError(await httpRequest(`${f.origin}/m/garbage`, { method: 'DELETE' }), 400, null);
    });

    it('is 400 for an id sealed with another key', async () => {
      const sub = await f.subscribe();
      const foreign = sealMessageId(CryptoKeys.parse(CryptoKeys.generateKey()), {
        uaid: sub.uaid,
        channelId: sub.channelId,
        storageKey: storageKeyFor({
          channelId: sub.channelId,
          receivedAtUs: Date.now() * 1000,
          writerId: 1,
        }),
      });
      expectError(await httpRequest(`${f.origin}/m/${foreign}`, { method: 'DELETE' }), 400, null);
    });
  });

  describe('CORS', () => {
    it('answers a preflight with 204 and the allowed methods and headers', async () => {
      const reply = await httpRequest(`${f.origin}/wpush/v1/anything`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://app.example.com',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'ttl, content-encoding, authorization',
        },
      });
      expect(reply.status).toBe(204);
      expect(reply.headers['access-control-allow-origin']).toBe('*');
      expect(reply.headers['access-control-allow-methods']).toBe('DELETE, GET, POST, PUT, OPTIONS');
      const allowed = reply.headers['access-control-allow-headers']?.split(/,\s*/);
      expect(allowed).toEqual(
        expect.arrayContaining([
          'content-encoding',
          'encryption',
          'crypto-key',
          'ttl',
          'topic',
          'urgency',
          'content-type',
          'authorization',
        ]),
      );
      expect(reply.headers['access-control-max-age']).toBe('3600');
    });

    it('lets a page read Location, TTL and WWW-Authenticate from any answer', async () => {
      const sub = await f.subscribe();
      const reply = await sendPush(sub, 'from a page', {
        ttl: 60,
        headers: { Origin: 'https://app.example.com' },
      });
      expect(reply.status).toBe(201);
      expect(reply.headers['access-control-allow-origin']).toBe('*');
      expect(reply.headers['access-control-expose-headers']).toBe(
        'location, ttl, www-authenticate',
      );
      const refused = await httpRequest(`${f.origin}/nowhere`, { method: 'GET' });
      expect(refused.headers['access-control-allow-origin']).toBe('*');
    });
  });

  it('answers the load-balancer heartbeat with an empty 200', async () => {
    const reply = await httpRequest(`${f.origin}/__lbheartbeat__`, { method: 'GET' });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('');
  });

  it.each([
    ['GET', '/'],
    ['GET', '/wpush/v1/token'],
    ['POST', '/wpush/v1/token/extra'],
    ['PUT', '/m/x'],
  ])('answers %s %s with a JSON 404', async (method, path) => {
    expectError(await httpRequest(`${f.origin}${path}`, { method }), 404, null);
  });

  it('answers an undecodable path with a JSON 400', async () => {
    expectError(await httpRequest(`${f.origin}/m/%E0%A4%A`, { method: 'DELETE' }), 400, null);
  });

  it('does not advertise the framework', async () => {
    const reply = await httpRequest(`${f.origin}/__lbheartbeat__`, { method: 'GET' });
    expect(reply.headers['x-powered-by']).toBeUndefined();
  });
});
