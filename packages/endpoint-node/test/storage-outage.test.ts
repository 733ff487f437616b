import { StorageUnavailableError, type MessageStore, type RouterStore } from '@herald/core';
import { httpRequest, sendPush } from '@herald/testkit';
import { startEndpointFixture, type EndpointFixture } from './endpoint-fixture';
import { expectError } from './expect-error';

/** A store like `store`, except that `method` rejects with `error`. */
function failing<T extends object>(store: T, method: keyof T, error: Error): T {
  return new Proxy(store, {
    get(target, property) {
      if (property === method) return () => Promise.reject(error);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function'
        ? (value as (...a: unknown[]) => unknown).bind(target)
        : value;
    },
  });
}

describe('when the database is down', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture();
  });
  afterAll(async () => {
    await f.close();
  });

  it('a push is 503/201 with Retry-After, never 201, and a DELETE is 503 too', async () => {
    const sub = await f.subscribe();
    const accepted = await sendPush(sub, 'before', { ttl: 60 });
    expect(accepted.status).toBe(201);
    await f.stopDatabase();

    const refused = await sendPush(sub, 'during', { ttl: 60 });
    expectError(refused, 503, 201);
    expect(refused.headers['retry-after']).toBe('120');

    const cancel = await httpRequest(accepted.headers.location!, { method: 'DELETE' });
    expectError(cancel, 503, 201);
    expect(f.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'router lookup failed' }),
    );
  });
});

describe('when only saving messages fails', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture({
      wrapStores: ({ routerStore, messageStore }) => ({
        routerStore,
        messageStore: failing<MessageStore>(
          messageStore,
          'save',
          new StorageUnavailableError('throttled'),
        ),
      }),
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it('a push is 503 and nothing is published', async () => {
    const sub = await f.subscribe();
    const reply = await sendPush(sub, 'unsaved', { ttl: 60 });
    expectError(reply, 503, 201);
    expect(reply.headers['retry-after']).toBe('120');
    expect(f.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'message save failed' }),
    );
    expect(f.delivers).toEqual([]);
  });

  it('a TTL 0 push, which is never saved, is still accepted', async () => {
    const sub = await f.subscribe();
    expect((await sendPush(sub, 'live only', { ttl: 0 })).status).toBe(201);
    expect((await f.nextDeliver()).notification.ttlSeconds).toBe(0);
  });
});

describe('when a store fails in an unexpected way', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture({
      wrapStores: ({ routerStore, messageStore }) => ({
        routerStore: failing<RouterStore>(routerStore, 'get', new TypeError('a bug')),
        messageStore,
      }),
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it('the push is a logged JSON 500 and the server keeps serving', async () => {
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
