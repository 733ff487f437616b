import { StorageUnavailableError, type MessageStore } from '@herald/core';
import { sendPush } from '@herald/testkit';
import { startEndpointFixture, type EndpointFixture } from './endpoint-fixture';
import { expectError } from './expect-error';

// The outage rules themselves (503/201, Retry-After, JSON 500/999) are in
// conformance.test.ts; this file covers what a failed save means for delivery.

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
