/**
 * Conformance with autoendpoint's HTTP API: one test per rule of push-protocol.md §3
 * (routes, check order, headers, payload, success, errors, DELETE), §4 (VAPID) and the
 * HTTP limits of §9, named after the rule. Real HTTP, DynamoDB stores over dynalite.
 * Where Herald decides differently from autopush the test name says so, and
 * docs/http-api.md gives the reason; its conformance table points at these names.
 */
import {
  CryptoKeys,
  sealMessageId,
  storageKeyFor,
  type MessageStore,
  type Notification,
  type RouterStore,
  type Uaid,
} from '@herald/core';
import {
  eventually,
  generateVapidKeys,
  httpRequest,
  postRaw,
  sendPush,
  vapidHeaders,
  type HttpReply,
  type VapidDetails,
} from '@herald/testkit';
import {
  startEndpointFixture,
  type EndpointFixture,
  type TestSubscription,
} from './endpoint-fixture';
import { expectError } from './expect-error';
import { signVapidJwt, vapidAuthorization } from './vapid-jwt';

const vapid: VapidDetails = { subject: 'mailto:ops@example.com', ...generateVapidKeys() };
const otherVapid: VapidDetails = { subject: 'mailto:ops@example.com', ...generateVapidKeys() };
const body = Buffer.from('encrypted bytes');
const aes128gcm = { 'Content-Encoding': 'aes128gcm' };

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

describe('the HTTP push API, rule by rule (push-protocol.md §3, §4, §9)', () => {
  let f: EndpointFixture;
  let sub: TestSubscription;
  beforeAll(async () => {
    f = await startEndpointFixture();
    sub = await f.subscribe();
  });
  afterAll(async () => {
    await f.close();
  });

  function post(
    headers: Record<string, string>,
    payload: Buffer = body,
    endpoint = sub.endpoint,
  ): Promise<HttpReply> {
    return postRaw(endpoint, { headers, body: payload });
  }

  function stored(uaid: Uaid): Promise<Notification[]> {
    return f.messageStore.fetch(uaid, { limit: 20, nowMs: Date.now() });
  }

  /** The stored notification a 201's Location names. */
  async function storedFor(reply: HttpReply, uaid: Uaid): Promise<Notification> {
    expect(reply.status).toBe(201);
    const id = messageIdOf(reply);
    const found = (await stored(uaid)).find((n) => n.messageId === id);
    if (found === undefined) throw new Error('the accepted message is not stored');
    return found;
  }

  function messageIdOf(reply: HttpReply): string {
    const location = reply.headers.location ?? '';
    return location.slice(location.lastIndexOf('/m/') + 3);
  }

  /** A subscription whose channel has been unregistered since its endpoint was made. */
  async function goneSubscription(): Promise<TestSubscription> {
    const gone = await f.subscribe();
    await f.routerStore.remove(gone.uaid);
    return gone;
  }

  const v1Token = (): string => sub.endpoint.slice(sub.endpoint.lastIndexOf('/') + 1);

  describe('§3.1 routes', () => {
    it('§3.1 POST /wpush/v1/{token} accepts a push with 201', async () => {
      expect((await sendPush(sub, 'v1', { ttl: 60 })).status).toBe(201);
    });

    it('§3.1 POST /wpush/{token} without a version means v1', async () => {
      const legacy = { ...sub, endpoint: sub.endpoint.replace('/wpush/v1/', '/wpush/') };
      const reply = await sendPush(legacy, 'old url', { ttl: 60 });
      expect((await storedFor(reply, sub.uaid)).channelId).toBe(sub.channelId);
    });

    it('§3.1 CORS preflight: 204, any origin, DELETE/GET/POST/PUT, the push headers, max-age 3600', async () => {
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
      expect(reply.headers['access-control-allow-headers']?.split(/,\s*/)).toEqual(
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

    it('§3.1 CORS: every answer lets a page read Location, TTL and WWW-Authenticate', async () => {
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

    it('§3.1 GET /__lbheartbeat__ answers an empty 200 on the public port', async () => {
      const reply = await httpRequest(`${f.origin}/__lbheartbeat__`, { method: 'GET' });
      expect(reply.status).toBe(200);
      expect(reply.body).toBe('');
    });

    it.each([
      ['GET', '/'],
      ['GET', '/wpush/v1/token'],
      ['POST', '/wpush/v1/token/extra'],
      ['PUT', '/m/x'],
    ])(
      '§3.1 an unknown route (%s %s) is a JSON 404 with errno null (Herald)',
      async (method, path) => {
        expectError(await httpRequest(`${f.origin}${path}`, { method }), 404, null);
      },
    );
  });

  describe('§3.2 the order of checks', () => {
    it('§3.2 step 1: an api version other than v1 or v2 is 404/102', async () => {
      expectError(
        await post({ TTL: '60' }, body, sub.endpoint.replace('/wpush/v1/', '/wpush/v3/')),
        404,
        102,
      );
    });

    it('§3.2 step 1: a token that does not decrypt is 404/102', async () => {
      const token = v1Token();
      const flipped = token.slice(0, 20) + (token[20] === 'A' ? 'B' : 'A') + token.slice(21);
      expectError(await post({ TTL: '60' }, body, sub.endpoint.replace(token, flipped)), 404, 102);
    });

    it('§3.2 step 1 before steps 2 and 6: a bad token wins over a bad Authorization and a missing TTL', async () => {
      expectError(
        await post(
          { Authorization: 'vapid t=x,k=y' },
          body,
          sub.endpoint.replace('/wpush/v1/', '/wpush/v9/'),
        ),
        404,
        102,
      );
    });

    it('§3.2 step 2 before step 4: VAPID (401/109) wins over a gone subscription', async () => {
      const gone = await goneSubscription();
      expectError(
        await sendPush(gone, 'hi', { ttl: 60, headers: { Authorization: 'vapid t=x,k=y' } }),
        401,
        109,
      );
    });

    it('§3.2 step 3: a v1 token on a v2 URL has the wrong length: 404/102', async () => {
      expectError(
        await post({ TTL: '60' }, body, sub.endpoint.replace('/wpush/v1/', '/wpush/v2/')),
        404,
        102,
      );
    });

    it('§3.2 step 3: a v2 token on a v1 URL has the wrong length: 404/102 (Herald checks it before VAPID)', async () => {
      const restricted = await f.subscribe({
        appServerKey: Buffer.from(vapid.publicKey, 'base64url'),
      });
      const reply = await sendPush(
        { ...restricted, endpoint: restricted.endpoint.replace('/wpush/v2/', '/wpush/v1/') },
        'hi',
        { ttl: 60, vapid },
      );
      expectError(reply, 404, 102);
    });

    it('§3.2 step 4: an unknown user is 410/106', async () => {
      expectError(await sendPush(await goneSubscription(), 'late', { ttl: 60 }), 410, 106);
    });

    it('§3.2 step 4: a channel no longer registered is 410/106', async () => {
      const gone = await f.subscribe();
      await f.routerStore.removeChannel(gone.uaid, gone.channelId);
      expectError(await sendPush(gone, 'late', { ttl: 60 }), 410, 106);
    });

    it('§3.2 step 4 before step 5: a gone subscription wins over an oversized body', async () => {
      const gone = await goneSubscription();
      expectError(await post({ TTL: '60' }, Buffer.alloc(6000), gone.endpoint), 410, 106);
    });

    it('§3.2 step 5 before step 6: an oversized body wins over a missing TTL', async () => {
      expectError(await post({}, Buffer.alloc(6000)), 413, 104);
    });

    it('§3.2 a refused push reaches no connection node', async () => {
      const own = await f.subscribe();
      expectError(await post({ TTL: '-1', ...aes128gcm }, body, own.endpoint), 400, 114);
      const accepted = await sendPush(own, 'after', { ttl: 0 });
      const id = messageIdOf(accepted);
      await eventually(() => f.delivers.some((d) => d.notification.messageId === id), {
        what: 'the deliver of the accepted push',
      });
      expect(f.delivers.filter((d) => d.notification.uaid === own.uaid)).toHaveLength(1);
    });

    it('§3.2 step 6: TTL is checked before Topic', async () => {
      expectError(await post({ Topic: 'no spaces!', ...aes128gcm }), 400, 111);
    });

    it('§3.2 step 6: Topic is checked before Urgency, Urgency before the encryption headers', async () => {
      expectError(await post({ TTL: '60', Topic: 'no spaces!', Urgency: 'urgent' }), 400, 113);
      expectError(await post({ TTL: '60', Urgency: 'urgent' }), 400, 115);
    });
  });

  describe('§3.3 request headers', () => {
    it('§3.3 TTL missing → 400 errno 111', async () => {
      expectError(await post(aes128gcm), 400, 111);
    });

    it('§3.3 TTL unparseable → 400 errno 111 (not the documented 112)', async () => {
      expectError(await post({ TTL: 'abc', ...aes128gcm }), 400, 111);
    });

    it('§3.3 TTL negative → 400 errno 114', async () => {
      expectError(await post({ TTL: '-1', ...aes128gcm }), 400, 114);
    });

    it('§3.3/§9 TTL above 30 days is clamped to 2592000 s, stored so, and echoed', async () => {
      const reply = await sendPush(sub, 'long', { ttl: 9_999_999 });
      expect(reply.headers.ttl).toBe('2592000');
      expect((await storedFor(reply, sub.uaid)).ttlSeconds).toBe(2_592_000);
    });

    it('§3.3 TTL 0 is accepted and published, never stored', async () => {
      const own = await f.subscribe();
      const reply = await sendPush(own, 'now or never', { ttl: 0 });
      expect(reply.status).toBe(201);
      expect(reply.headers.ttl).toBe('0');
      const id = messageIdOf(reply);
      await eventually(() => f.delivers.some((d) => d.notification.messageId === id), {
        what: 'the TTL 0 deliver',
      });
      expect(await stored(own.uaid)).toEqual([]);
    });

    it('§3.3/§9 Topic longer than 32 characters → 400 errno 113', async () => {
      expectError(
        await sendPush(sub, 'hi', { ttl: 60, headers: { Topic: 'a'.repeat(33) } }),
        400,
        113,
      );
    });

    it('§3.3 Topic outside the URL-safe base64 alphabet → 400 errno 113', async () => {
      expectError(
        await sendPush(sub, 'hi', { ttl: 60, headers: { Topic: 'no spaces!' } }),
        400,
        113,
      );
    });

    it('§3.3 Topic of 32 URL-safe base64 characters with trailing = is accepted', async () => {
      const topic = `${'aZ09-_'.repeat(5)}==`;
      expect(topic).toHaveLength(32);
      // web-push refuses `=` in a topic; the header is set by hand.
      const reply = await sendPush(sub, 'hi', { ttl: 60, headers: { Topic: topic } });
      expect((await storedFor(reply, sub.uaid)).topic).toBe(topic);
    });

    it('§3.3 topic replacement: a newer message with the same Topic replaces the stored one', async () => {
      const own = await f.subscribe();
      const first = await sendPush(own, 'first', { ttl: 60, topic: 'scores' });
      expect(first.status).toBe(201);
      const second = await sendPush(own, 'second', { ttl: 60, topic: 'scores' });
      const rows = await stored(own.uaid);
      expect(rows.map((n) => n.messageId)).toEqual([messageIdOf(second)]);
      expect(rows[0]!.storageKey).toBe(`01:${own.channelId}:scores`);
      expect(messageIdOf(first)).not.toBe(messageIdOf(second));
    });

    it('§3.3 Urgency outside very-low/low/normal/high → 400 errno 115 (Herald; autopush ignores it)', async () => {
      expectError(await sendPush(sub, 'hi', { ttl: 60, headers: { Urgency: 'urgent' } }), 400, 115);
    });

    it.each(['very-low', 'low', 'normal', 'high'] as const)(
      '§3.3 Urgency %s is carried to the stored notification (Herald)',
      async (urgency) => {
        const reply = await sendPush(sub, 'hi', { ttl: 60, urgency });
        expect((await storedFor(reply, sub.uaid)).urgency).toBe(urgency);
      },
    );

    it('§3.3 Urgency absent is stored as normal', async () => {
      const reply = await sendPush(sub, 'hi', { ttl: 60 });
      expect((await storedFor(reply, sub.uaid)).urgency).toBe('normal');
    });

    it('§3.3 Content-Encoding missing on a body → 400 errno 110', async () => {
      expectError(await post({ TTL: '60' }), 400, 110);
    });

    it.each(['gzip', 'AES128GCM', 'aesgcm128'])(
      '§3.3 Content-Encoding %s (not exactly aes128gcm or aesgcm) → 400 errno 110',
      async (encoding) => {
        expectError(await post({ TTL: '60', 'Content-Encoding': encoding }), 400, 110);
      },
    );

    it('§3.3 aes128gcm with an Encryption salt → 400 errno 110', async () => {
      expectError(await post({ TTL: '60', ...aes128gcm, Encryption: 'salt=c2FsdA' }), 400, 110);
    });

    it('§3.3 aes128gcm with a Crypto-Key dh → 400 errno 110', async () => {
      expectError(await post({ TTL: '60', ...aes128gcm, 'Crypto-Key': 'dh=AAEC' }), 400, 110);
    });

    it('§3.3 aesgcm without an Encryption salt → 400 errno 110', async () => {
      expectError(
        await post({ TTL: '60', 'Content-Encoding': 'aesgcm', 'Crypto-Key': 'dh=AAEC' }),
        400,
        110,
      );
    });

    it('§3.3 aesgcm with a Crypto-Key lacking dh → 400 errno 110', async () => {
      expectError(
        await post({
          TTL: '60',
          'Content-Encoding': 'aesgcm',
          Encryption: 'salt=c2FsdA',
          'Crypto-Key': 'p256ecdsa=BBBB',
        }),
        400,
        110,
      );
    });

    it('§3.3 a Crypto-Key item without = makes the header invalid → 400 errno 110', async () => {
      expectError(
        await post({
          TTL: '60',
          'Content-Encoding': 'aesgcm',
          Encryption: 'salt=c2FsdA',
          'Crypto-Key': 'dh=AAEC;oops',
        }),
        400,
        110,
      );
    });

    it('§3.3 aesgcm headers reach the user agent with quotes and base64 padding stripped', async () => {
      const reply = await post(
        {
          TTL: '60',
          'Content-Encoding': 'aesgcm',
          Encryption: 'salt="c2FsdHNhbHQ="; rs=4096',
          'Crypto-Key': 'dh="AAECAw==";p256ecdsa=BBBB=',
        },
        Buffer.from('ciphertext'),
      );
      expect((await storedFor(reply, sub.uaid)).headers).toEqual({
        encoding: 'aesgcm',
        encryption: 'salt=c2FsdHNhbHQ; rs=4096',
        crypto_key: 'dh=AAECAw;p256ecdsa=BBBB',
      });
    });

    it('§3.3 aesgcm from web-push (draft-01 VAPID) is accepted and its headers forwarded', async () => {
      const reply = await sendPush(sub, 'legacy', { vapid, ttl: 60, contentEncoding: 'aesgcm' });
      const { headers } = await storedFor(reply, sub.uaid);
      expect(headers?.encoding).toBe('aesgcm');
      expect(headers?.encryption).toMatch(/^salt=[A-Za-z0-9_-]+$/);
      expect(headers?.crypto_key).toMatch(/^dh=[A-Za-z0-9_-]+;p256ecdsa=[A-Za-z0-9_-]+$/);
    });

    it('§3.3 an empty body ignores the encryption headers and carries no data or headers', async () => {
      const reply = await post({ TTL: '60', 'Content-Encoding': 'bogus' }, Buffer.alloc(0));
      const n = await storedFor(reply, sub.uaid);
      expect(n).not.toHaveProperty('data');
      expect(n).not.toHaveProperty('headers');
    });
  });

  describe('§3.4 payload', () => {
    it('§3.4 the raw body reaches the user agent byte for byte, base64url without padding', async () => {
      const raw = Buffer.from([0, 1, 2, 250, 251, 252, 253, 254, 255, 62, 63]);
      const reply = await post({ TTL: '30', ...aes128gcm }, raw);
      expect((await storedFor(reply, sub.uaid)).data).toBe(raw.toString('base64url'));
    });

    it('§3.4/§9 a body of exactly 5630 bytes is accepted', async () => {
      const reply = await post({ TTL: '60', ...aes128gcm }, Buffer.alloc(5630, 7));
      expect((await storedFor(reply, sub.uaid)).data).toBe(
        Buffer.alloc(5630, 7).toString('base64url'),
      );
    });

    it('§3.4/§9 a body of 5631 bytes → 413 errno 104', async () => {
      expectError(await post({ TTL: '60', ...aes128gcm }, Buffer.alloc(5631, 7)), 413, 104);
    });

    it('§3.4 a body far over the limit → 413 errno 104, answered rather than reset', async () => {
      expectError(await post({ TTL: '60', ...aes128gcm }, Buffer.alloc(1_000_000, 7)), 413, 104);
    });
  });

  describe('§3.5 success', () => {
    it('§3.5 success is 201 with an empty body, Location {origin}/m/{message id} and TTL', async () => {
      const reply = await sendPush(sub, 'hello', { vapid, ttl: 60 });
      expect(reply.status).toBe(201);
      expect(reply.body).toBe('');
      expect(reply.headers.ttl).toBe('60');
      const n = await storedFor(reply, sub.uaid);
      expect(reply.headers.location).toBe(`${f.origin}/m/${n.messageId}`);
    });
  });

  describe('§3.6/§3.7 error answers', () => {
    it('§3.6 every error is JSON {code, errno, error, message, more_info}, a 404/102 included (Herald; autopush empties 404s)', async () => {
      const reply = await post(
        { TTL: '60' },
        body,
        sub.endpoint.replace('/wpush/v1/', '/wpush/v3/'),
      );
      expectError(reply, 404, 102);
      expect(reply.json()).toMatchObject({ error: 'Not Found' });
    });

    it('§3.6/§9 a 410 carries Cache-Control: max-age=86400', async () => {
      const reply = await sendPush(await goneSubscription(), 'late', { ttl: 60 });
      expectError(reply, 410, 106);
      expect(reply.headers['cache-control']).toBe('max-age=86400');
    });

    it('§3.6 a 401 carries WWW-Authenticate: vapid (Herald; RFC 8292 §4.1)', async () => {
      const reply = await sendPush(sub, 'hi', {
        ttl: 60,
        headers: { Authorization: 'vapid t=x,k=y' },
      });
      expectError(reply, 401, 109);
      expect(reply.headers['www-authenticate']).toBe('vapid');
    });

    it('§3.7 VAPID problems are 401, never 404 or 410', async () => {
      const restricted = await f.subscribe({
        appServerKey: Buffer.from(vapid.publicKey, 'base64url'),
      });
      expectError(await sendPush(restricted, 'hi', { ttl: 60, vapid: otherVapid }), 401, 109);
    });
  });

  describe('§3.8 DELETE /m/{message id}', () => {
    it('§3.8 DELETE /m/{id} removes the undelivered message → 204', async () => {
      const own = await f.subscribe();
      const kept = await sendPush(own, 'kept', { ttl: 60 });
      const cancelled = await sendPush(own, 'cancelled', { ttl: 60 });
      const reply = await httpRequest(cancelled.headers.location!, { method: 'DELETE' });
      expect(reply.status).toBe(204);
      expect(reply.body).toBe('');
      expect((await stored(own.uaid)).map((n) => n.messageId)).toEqual([messageIdOf(kept)]);
    });

    it('§3.8 DELETE of a message already gone → 204 again', async () => {
      const { headers } = await sendPush(sub, 'twice', { ttl: 60 });
      expect((await httpRequest(headers.location!, { method: 'DELETE' })).status).toBe(204);
      expect((await httpRequest(headers.location!, { method: 'DELETE' })).status).toBe(204);
    });

    it('§3.8 DELETE /m/garbage → 400 errno null', async () => {
      expectError(await httpRequest(`${f.origin}/m/garbage`, { method: 'DELETE' }), 400, null);
    });

    it('§3.8 DELETE of an id sealed with another key → 400 errno null', async () => {
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

    it('§3.8 DELETE of a replaced topic message leaves the newer one (Herald; autopush-rs deletes it)', async () => {
      const own = await f.subscribe();
      const older = await sendPush(own, 'older', { ttl: 60, topic: 'weather' });
      const newer = await sendPush(own, 'newer', { ttl: 60, topic: 'weather' });
      expect((await httpRequest(older.headers.location!, { method: 'DELETE' })).status).toBe(204);
      expect((await stored(own.uaid)).map((n) => n.messageId)).toEqual([messageIdOf(newer)]);
    });
  });

  describe('§4 VAPID', () => {
    const claims = (extra: Record<string, unknown> = {}) => ({
      aud: f.origin,
      exp: nowSeconds() + 3600,
      sub: vapid.subject,
      ...extra,
    });
    const pushWith = (headers: Record<string, string>, target = sub) =>
      sendPush(target, 'hi', { ttl: 60, headers });

    it('§4.1 an Authorization header on a v1 endpoint is optional', async () => {
      expect((await sendPush(sub, 'unsigned', { ttl: 60 })).status).toBe(201);
    });

    it('§4.1 an Authorization header on a v1 endpoint, when present, is validated', async () => {
      expectError(await pushWith({ Authorization: 'vapid t=nonsense,k=nonsense' }), 401, 109);
    });

    it('§4.1 an unknown auth scheme → 401 errno 109', async () => {
      expectError(await pushWith({ Authorization: 'Basic dXNlcjpwYXNz' }), 401, 109);
    });

    it('§4.1 an Authorization without a space → 401 errno 109', async () => {
      expectError(await pushWith({ Authorization: 'vapid' }), 401, 109);
    });

    it('§4.1 the vapid scheme without k → 401 errno 109', async () => {
      expectError(
        await pushWith({ Authorization: `vapid t=${signVapidJwt(vapid, claims())}` }),
        401,
        109,
      );
    });

    it('§4.1 the vapid scheme without t → 401 errno 109', async () => {
      expectError(await pushWith({ Authorization: `vapid k=${vapid.publicKey}` }), 401, 109);
    });

    it('§4.1 the scheme is case-insensitive and spaces after it are ignored', async () => {
      const token = signVapidJwt(vapid, claims());
      const reply = await pushWith({ Authorization: `VAPID t=${token}, k=${vapid.publicKey}` });
      expect(reply.status).toBe(201);
    });

    it('§4.1 WebPush/Bearer take the key from Crypto-Key p256ecdsa', async () => {
      const token = signVapidJwt(vapid, claims());
      for (const scheme of ['WebPush', 'Bearer']) {
        const reply = await pushWith({
          Authorization: `${scheme} ${token}`,
          'Crypto-Key': `p256ecdsa=${vapid.publicKey}`,
        });
        expect(reply.status).toBe(201);
      }
    });

    it('§4.1 WebPush without a Crypto-Key → 400 errno 110', async () => {
      const { Authorization } = vapidHeaders({
        audience: f.origin,
        vapid,
        contentEncoding: 'aesgcm',
      });
      expect(Authorization).toMatch(/^WebPush /);
      expectError(await pushWith({ Authorization: Authorization! }), 400, 110);
    });

    it('§4.1 WebPush with a Crypto-Key lacking p256ecdsa → 400 errno 110', async () => {
      const token = signVapidJwt(vapid, claims());
      expectError(
        await pushWith({ Authorization: `WebPush ${token}`, 'Crypto-Key': 'keyid=p256dh' }),
        400,
        110,
      );
    });

    it('§4.2 a key in standard base64 with padding is accepted', async () => {
      const standard = Buffer.from(vapid.publicKey, 'base64url').toString('base64');
      expect(standard).toMatch(/[+/=]/);
      expect(
        (await pushWith({ Authorization: vapidAuthorization(vapid, claims(), standard) })).status,
      ).toBe(201);
    });

    it('§4.2 a key that is not a P-256 point → 401 errno 109', async () => {
      const short = Buffer.alloc(33, 4).toString('base64url');
      expectError(
        await pushWith({ Authorization: vapidAuthorization(vapid, claims(), short) }),
        401,
        109,
      );
    });

    it('§4.3 a token not signed with ES256 → 401 errno 109', async () => {
      const token = signVapidJwt(vapid, claims(), { typ: 'JWT', alg: 'ES384' });
      expectError(
        await pushWith({ Authorization: `vapid t=${token},k=${vapid.publicKey}` }),
        401,
        109,
      );
    });

    it('§4.3 a token signed by another key → 401 errno 109', async () => {
      const token = signVapidJwt(otherVapid, claims());
      expectError(
        await pushWith({ Authorization: `vapid t=${token},k=${vapid.publicKey}` }),
        401,
        109,
      );
    });

    it('§4.3 exp missing → 401 errno 109', async () => {
      expectError(
        await pushWith({ Authorization: vapidAuthorization(vapid, claims({ exp: undefined })) }),
        401,
        109,
      );
    });

    it('§4.3 exp as a string → 401 errno 109', async () => {
      const exp = String(nowSeconds() + 3600);
      expectError(
        await pushWith({ Authorization: vapidAuthorization(vapid, claims({ exp })) }),
        401,
        109,
      );
    });

    it('§4.3/§9 exp 30 s in the past is accepted (60 s leeway)', async () => {
      const reply = await pushWith({
        Authorization: vapidAuthorization(vapid, claims({ exp: nowSeconds() - 30 })),
      });
      expect(reply.status).toBe(201);
    });

    it('§4.3/§9 exp 120 s in the past → 401 errno 109', async () => {
      const reply = await pushWith({
        Authorization: vapidAuthorization(vapid, claims({ exp: nowSeconds() - 120 })),
      });
      expectError(reply, 401, 109);
      expect(reply.headers['www-authenticate']).toBe('vapid');
    });

    it('§4.3/§9 exp 23 h ahead is accepted', async () => {
      const exp = nowSeconds() + 23 * 3600;
      expect(
        (await pushWith({ Authorization: vapidAuthorization(vapid, claims({ exp })) })).status,
      ).toBe(201);
    });

    it('§4.3/§9 exp more than 24 h ahead → 401 errno 109', async () => {
      const exp = nowSeconds() + 24 * 3600 + 120;
      expectError(
        await pushWith({ Authorization: vapidAuthorization(vapid, claims({ exp })) }),
        401,
        109,
      );
    });

    it('§4.3 aud of another push service → 401 errno 109', async () => {
      const aud = 'https://push.example.net';
      expectError(
        await pushWith({ Authorization: vapidAuthorization(vapid, claims({ aud })) }),
        401,
        109,
      );
    });

    it('§4.3 aud with a trailing slash → 401 errno 109', async () => {
      const aud = `${f.origin}/`;
      expectError(
        await pushWith({ Authorization: vapidAuthorization(vapid, claims({ aud })) }),
        401,
        109,
      );
    });

    it('§4.3 aud as an array containing the origin is accepted', async () => {
      const aud = ['https://elsewhere.example', f.origin];
      expect(
        (await pushWith({ Authorization: vapidAuthorization(vapid, claims({ aud })) })).status,
      ).toBe(201);
    });

    it('§4.3 sub is not enforced: a token without sub is accepted', async () => {
      const reply = await pushWith({
        Authorization: vapidAuthorization(vapid, claims({ sub: undefined })),
      });
      expect(reply.status).toBe(201);
    });

    it('§4.4 a v2 endpoint without VAPID → 401 errno 109 with WWW-Authenticate', async () => {
      const restricted = await f.subscribe({
        appServerKey: Buffer.from(vapid.publicKey, 'base64url'),
      });
      const reply = await sendPush(restricted, 'hi', { ttl: 60 });
      expectError(reply, 401, 109);
      expect(reply.headers['www-authenticate']).toBe('vapid');
    });

    it('§4.4 a v2 endpoint signed with another key → 401 errno 109 (key mismatch)', async () => {
      const restricted = await f.subscribe({
        appServerKey: Buffer.from(vapid.publicKey, 'base64url'),
      });
      expectError(await sendPush(restricted, 'hi', { ttl: 60, vapid: otherVapid }), 401, 109);
    });

    it('§4.4 a v2 endpoint signed with its subscription key is accepted, in either base64 alphabet', async () => {
      const restricted = await f.subscribe({
        appServerKey: Buffer.from(vapid.publicKey, 'base64url'),
      });
      expect(restricted.endpoint).toContain('/wpush/v2/');
      expect((await sendPush(restricted, 'restricted', { vapid, ttl: 60 })).status).toBe(201);
      const standard = Buffer.from(vapid.publicKey, 'base64url').toString('base64');
      const reply = await pushWith(
        { Authorization: vapidAuthorization(vapid, claims(), standard) },
        restricted,
      );
      expect(reply.status).toBe(201);
    });
  });
});

describe('the HTTP push API when storage fails (push-protocol.md §3.6, §9)', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('§3.6/§9 a database outage is 503 errno 201 with Retry-After: 120 for a push and a DELETE, never 201', async () => {
    const sub = await f.subscribe();
    const accepted = await sendPush(sub, 'before', { ttl: 60 });
    expect(accepted.status).toBe(201);
    await f.stopDatabase();

    const refused = await sendPush(sub, 'during', { ttl: 60 });
    expectError(refused, 503, 201);
    expect(refused.headers['retry-after']).toBe('120');

    const cancel = await httpRequest(accepted.headers.location!, { method: 'DELETE' });
    expectError(cancel, 503, 201);
    expect(cancel.headers['retry-after']).toBe('120');
    expect(f.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'router lookup failed' }),
    );
  });
});

describe('the HTTP push API when a store fails unexpectedly (push-protocol.md §3.6)', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture({
      wrapStores: ({ routerStore, messageStore }) => ({
        routerStore: Object.assign(Object.create(routerStore) as RouterStore, {
          get: () => Promise.reject(new TypeError('a bug')),
        }),
        messageStore: messageStore satisfies MessageStore,
      }),
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it('§3.6 an unexpected error is a logged JSON 500 errno 999 and the server keeps serving (Herald)', async () => {
    const sub = await f.subscribe();
    expectError(await sendPush(sub, 'boom', { ttl: 60 }), 500, 999);
    const logged = f.log.lines.find((l) => l.level === 'error');
    expect(logged).toMatchObject({
      message: 'request failed',
      fields: { route: '/wpush/:apiVersion/:token' },
    });
    // The log line names the route pattern, never the URL with its token.
    expect(JSON.stringify(logged)).not.toContain(
      sub.endpoint.slice(sub.endpoint.lastIndexOf('/') + 1),
    );
    expect((await httpRequest(`${f.origin}/__lbheartbeat__`, { method: 'GET' })).status).toBe(200);
  });
});
