import {
  generateVapidKeys,
  postRaw,
  sendPush,
  vapidHeaders,
  type VapidDetails,
} from '@herald/testkit';
import {
  startEndpointFixture,
  type EndpointFixture,
  type TestSubscription,
} from './endpoint-fixture';
import { expectError } from './expect-error';

const vapid: VapidDetails = { subject: 'mailto:ops@example.com', ...generateVapidKeys() };
const otherVapid: VapidDetails = { subject: 'mailto:ops@example.com', ...generateVapidKeys() };
const body = Buffer.from('encrypted bytes');

describe('a refused push', () => {
  let f: EndpointFixture;
  let sub: TestSubscription;
  beforeAll(async () => {
    f = await startEndpointFixture();
    sub = await f.subscribe();
  });
  afterAll(async () => {
    await f.close();
  });
  afterEach(() => {
    // Nothing refused may reach a connection node.
    expect(f.delivers).toEqual([]);
  });

  function post(headers: Record<string, string>, payload: Buffer = body, endpoint = sub.endpoint) {
    return postRaw(endpoint, { headers, body: payload });
  }

  describe('because of its URL', () => {
    it('is 404/102 with a JSON body when the token was tampered with', async () => {
      const token = sub.endpoint.slice(sub.endpoint.lastIndexOf('/') + 1);
      const flipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
      expectError(await post({ TTL: '60' }, body, sub.endpoint.replace(token, flipped)), 404, 102);
    });

    it('is 404/102 for an api version other than v1 or v2', async () => {
      expectError(
        await post({ TTL: '60' }, body, sub.endpoint.replace('/wpush/v1/', '/wpush/v3/')),
        404,
        102,
      );
    });

    it('is 404/102 for a v1 token on a v2 URL', async () => {
      expectError(
        await post({ TTL: '60' }, body, sub.endpoint.replace('/wpush/v1/', '/wpush/v2/')),
        404,
        102,
      );
    });

    it('is 410/106, cacheable for a day, when the channel is no longer registered', async () => {
      const gone = await f.subscribe();
      await f.routerStore.removeChannel(gone.uaid, gone.channelId);
      const reply = await sendPush(gone, 'late', { ttl: 60 });
      expectError(reply, 410, 106);
      expect(reply.headers['cache-control']).toBe('max-age=86400');
    });

    it('is 410/106 when the user agent is unknown', async () => {
      const gone = await f.subscribe();
      await f.routerStore.remove(gone.uaid);
      expectError(await sendPush(gone, 'late', { ttl: 60 }), 410, 106);
    });
  });

  describe('because of VAPID', () => {
    it('is 401/109 with a challenge on a v2 endpoint without VAPID', async () => {
      const restricted = await f.subscribe({
        appServerKey: Buffer.from(vapid.publicKey, 'base64url'),
      });
      const reply = await sendPush(restricted, 'hi', { ttl: 60 });
      expectError(reply, 401, 109);
      expect(reply.headers['www-authenticate']).toBe('vapid');
    });

    it('is 401/109 on a v2 endpoint signed with a different key', async () => {
      const restricted = await f.subscribe({
        appServerKey: Buffer.from(vapid.publicKey, 'base64url'),
      });
      expectError(await sendPush(restricted, 'hi', { ttl: 60, vapid: otherVapid }), 401, 109);
    });

    it('is 401/109 with a challenge when the token has expired', async () => {
      const expired = vapidHeaders({
        audience: f.origin,
        vapid,
        expiresAtSeconds: Math.floor(Date.now() / 1000) - 3600,
      });
      const reply = await sendPush(sub, 'hi', { ttl: 60, headers: expired });
      expectError(reply, 401, 109);
      expect(reply.headers['www-authenticate']).toBe('vapid');
    });

    it('is 401/109 when the token is for another push service', async () => {
      const elsewhere = vapidHeaders({ audience: 'https://push.example.net', vapid });
      expectError(await sendPush(sub, 'hi', { ttl: 60, headers: elsewhere }), 401, 109);
    });

    it('is 400/110 for the WebPush scheme without a Crypto-Key to take the key from', async () => {
      const { Authorization } = vapidHeaders({
        audience: f.origin,
        vapid,
        contentEncoding: 'aesgcm',
      });
      expect(Authorization).toMatch(/^WebPush /);
      expectError(
        await sendPush(sub, 'hi', { ttl: 60, headers: { Authorization: Authorization! } }),
        400,
        110,
      );
    });

    it('is refused on a v1 endpoint too when an Authorization header is present but invalid', async () => {
      expectError(
        await sendPush(sub, 'hi', {
          ttl: 60,
          headers: { Authorization: 'vapid t=nonsense,k=nonsense' },
        }),
        401,
        109,
      );
    });
  });

  describe('because of its headers', () => {
    it.each([
      ['missing', undefined, 111],
      ['not a number', 'abc', 111],
      ['negative', '-1', 114],
    ])('is 400 when TTL is %s', async (_what, ttl, errno) => {
      const headers: Record<string, string> = { 'Content-Encoding': 'aes128gcm' };
      if (ttl !== undefined) headers.TTL = ttl;
      expectError(await post(headers), 400, errno);
    });

    it.each([
      ['too long', 'a'.repeat(33)],
      ['not URL-safe base64', 'no spaces!'],
    ])('is 400/113 when Topic is %s', async (_what, topic) => {
      expectError(await sendPush(sub, 'hi', { ttl: 60, headers: { Topic: topic } }), 400, 113);
    });

    it('is 400/115 for an Urgency outside RFC 8030', async () => {
      expectError(await sendPush(sub, 'hi', { ttl: 60, headers: { Urgency: 'urgent' } }), 400, 115);
    });

    it('is 400/110 for a body without Content-Encoding', async () => {
      expectError(await post({ TTL: '60' }), 400, 110);
    });

    it('is 400/110 for aes128gcm with an Encryption salt', async () => {
      expectError(
        await post({ TTL: '60', 'Content-Encoding': 'aes128gcm', Encryption: 'salt=c2FsdA' }),
        400,
        110,
      );
    });

    it('is 400/110 for aesgcm without a salt', async () => {
      expectError(
        await post({ TTL: '60', 'Content-Encoding': 'aesgcm', 'Crypto-Key': 'dh=AAEC' }),
        400,
        110,
      );
    });
  });

  describe('because of its size', () => {
    it('is 413/104 for a body of 5631 bytes', async () => {
      expectError(
        await post({ TTL: '60', 'Content-Encoding': 'aes128gcm' }, Buffer.alloc(5631, 7)),
        413,
        104,
      );
    });

    it('is 413/104 for a body far over the limit, and the connection survives it', async () => {
      expectError(
        await post({ TTL: '60', 'Content-Encoding': 'aes128gcm' }, Buffer.alloc(1_000_000, 7)),
        413,
        104,
      );
    });
  });

  describe('with several faults', () => {
    it('reports the token before the headers', async () => {
      expectError(await post({}, body, sub.endpoint.replace('/wpush/v1/', '/wpush/v9/')), 404, 102);
    });

    it('reports a gone subscription before the body size', async () => {
      const gone = await f.subscribe();
      await f.routerStore.remove(gone.uaid);
      expectError(await post({ TTL: '60' }, Buffer.alloc(6000), gone.endpoint), 410, 106);
    });

    it('reports the body size before the headers', async () => {
      expectError(await post({}, Buffer.alloc(6000)), 413, 104);
    });

    it('reports VAPID before a gone subscription', async () => {
      const gone = await f.subscribe();
      await f.routerStore.remove(gone.uaid);
      expectError(
        await sendPush(gone, 'hi', { ttl: 60, headers: { Authorization: 'vapid t=x,k=y' } }),
        401,
        109,
      );
    });
  });
});
