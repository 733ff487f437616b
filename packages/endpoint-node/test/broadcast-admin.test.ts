import {
  BusUnavailableError,
  CryptoKeys,
  InProcessBus,
  MemoryBroadcastStore,
  MemoryMessageStore,
  MemoryRouterStore,
  StorageUnavailableError,
  systemClock,
  type BroadcastStore,
  type NodeBus,
  type NodeCommand,
} from '@herald/core';
import { httpRequest, type HttpReply } from '@herald/testkit';
import { createEndpointApp } from '../src';
import { recordingLogger, startEndpointFixture, type EndpointFixture } from './endpoint-fixture';
import { expectError } from './expect-error';

const TOKEN = 'a-long-admin-token-for-tests';
const MONITOR = 'remote-settings/monitor_changes';

function putVersion(
  origin: string,
  id: string,
  body: unknown,
  token: string | null = TOKEN,
): Promise<HttpReply> {
  return httpRequest(`${origin}/v1/broadcasts/${id}`, {
    method: 'PUT',
    headers: {
      'Content-Type': 'application/json',
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

function list(origin: string, token: string | null = TOKEN): Promise<HttpReply> {
  return httpRequest(`${origin}/v1/broadcasts`, {
    method: 'GET',
    headers: token === null ? {} : { Authorization: `Bearer ${token}` },
  });
}

describe('the broadcast admin API', () => {
  const broadcastStore = new MemoryBroadcastStore();
  const heard: NodeCommand[] = [];
  const waiters: (() => void)[] = [];
  let f: EndpointFixture;
  let stopListening: () => Promise<void>;
  beforeAll(async () => {
    f = await startEndpointFixture({ app: { adminToken: TOKEN, broadcastStore } });
    const subscription = await f.bus.listenToAll((command) => {
      heard.push(command);
      for (const wake of waiters.splice(0)) wake();
    });
    stopListening = () => subscription.close();
  });
  afterAll(async () => {
    await stopListening();
    await f.close();
  });

  /** Waits until the bus has carried `count` commands to all nodes. */
  async function heardAtLeast(count: number): Promise<NodeCommand[]> {
    while (heard.length < count) await new Promise<void>((wake) => waiters.push(wake));
    return heard;
  }

  it('sets a version, tells every node over the bus, and answers with all broadcasts', async () => {
    await broadcastStore.set('other', 'v7');
    const before = heard.length;
    const reply = await putVersion(f.origin, MONITOR, { version: '"1690000000000"' });
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.json()).toEqual({ broadcasts: { other: 'v7', [MONITOR]: '"1690000000000"' } });
    expect((await heardAtLeast(before + 1))[before]).toEqual({
      type: 'broadcasts-changed',
      broadcasts: { [MONITOR]: '"1690000000000"' },
    });
  });

  it('takes an id with its slash percent-encoded as the same id', async () => {
    const reply = await putVersion(f.origin, encodeURIComponent(MONITOR), { version: 'v2' });
    expect(reply.status).toBe(200);
    expect((await broadcastStore.list())[MONITOR]).toBe('v2');
  });

  it('lists every broadcast on GET', async () => {
    const reply = await list(f.origin);
    expect(reply.status).toBe(200);
    expect(reply.json()).toEqual({ broadcasts: await broadcastStore.list() });
  });

  it('accepts the Bearer scheme in any case', async () => {
    const reply = await httpRequest(`${f.origin}/v1/broadcasts`, {
      method: 'GET',
      headers: { Authorization: `bEaReR ${TOKEN}` },
    });
    expect(reply.status).toBe(200);
  });

  it.each([
    ['no Authorization header', null],
    ['a wrong token', 'not-the-admin-token-at-all'],
    ['a prefix of the token', TOKEN.slice(0, -1)],
    ['the token with a suffix', `${TOKEN}x`],
  ])('answers 401 with a Bearer challenge for %s, and changes nothing', async (_what, token) => {
    const before = await broadcastStore.list();
    const put = await putVersion(f.origin, 'sneaky', { version: 'x' }, token);
    expectError(put, 401, null);
    expect(put.headers['www-authenticate']).toBe('Bearer realm="herald-admin"');
    expectError(await list(f.origin, token), 401, null);
    expect(await broadcastStore.list()).toEqual(before);
  });

  it('answers 401 for another scheme carrying the right token', async () => {
    const reply = await httpRequest(`${f.origin}/v1/broadcasts`, {
      method: 'GET',
      headers: { Authorization: `Basic ${TOKEN}` },
    });
    expectError(reply, 401, null);
  });

  it.each([
    ['an id with a space', 'bad%20id'],
    ['an id longer than 128 characters', 'a'.repeat(129)],
    ['an id with a character outside the set', 'caf%C3%A9'],
  ])('answers 400 for %s', async (_what, id) => {
    expectError(await putVersion(f.origin, id, { version: 'v1' }), 400, null);
  });

  it('accepts an id of exactly 128 characters', async () => {
    expect((await putVersion(f.origin, 'b'.repeat(128), { version: 'v1' })).status).toBe(200);
  });

  it.each([
    ['a body that is not JSON', '{version: v1}'],
    ['an empty body', ''],
    ['a JSON array', [{ version: 'v1' }]],
    ['a missing version', { versio: 'v1' }],
    ['a numeric version', { version: 5 }],
    ['a null version', { version: null }],
    ['a version of 201 characters', { version: 'v'.repeat(201) }],
    ['a body over 4096 bytes', { version: 'v1', padding: 'p'.repeat(5000) }],
  ])('answers 400 for %s, and changes nothing', async (_what, body) => {
    expectError(await putVersion(f.origin, 'untouched', body), 400, null);
    expect(await broadcastStore.list()).not.toHaveProperty('untouched');
  });

  it('accepts a version of exactly 200 characters', async () => {
    const version = 'v'.repeat(200);
    expect((await putVersion(f.origin, 'long', { version })).status).toBe(200);
    expect((await broadcastStore.list())['long']).toBe(version);
  });

  it('answers other methods and paths under /v1/broadcasts with the JSON 404', async () => {
    expectError(
      await httpRequest(`${f.origin}/v1/broadcasts/${MONITOR}`, {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${TOKEN}` },
      }),
      404,
      null,
    );
    expectError(await putVersion(f.origin, '', { version: 'v1' }), 404, null);
  });

  it('answers a CORS preflight for the admin routes', async () => {
    const reply = await httpRequest(`${f.origin}/v1/broadcasts/x`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://ops.example.com', 'Access-Control-Request-Method': 'PUT' },
    });
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-methods']).toContain('PUT');
  });
});

describe('the broadcast admin API without a configured token', () => {
  let f: EndpointFixture;
  beforeAll(async () => {
    f = await startEndpointFixture({ app: { broadcastStore: new MemoryBroadcastStore() } });
  });
  afterAll(async () => {
    await f.close();
  });

  it('does not exist: every admin route is the JSON 404, whatever the Authorization', async () => {
    expectError(await list(f.origin), 404, null);
    expectError(await list(f.origin, null), 404, null);
    expectError(await putVersion(f.origin, MONITOR, { version: 'v1' }), 404, null);
  });
});

describe('the broadcast admin API when a dependency fails', () => {
  const memory = new MemoryBroadcastStore();
  let storeDown = false;
  const broadcastStore: BroadcastStore = {
    set: (id, version) =>
      storeDown ? Promise.reject(new StorageUnavailableError('down')) : memory.set(id, version),
    list: () => (storeDown ? Promise.reject(new StorageUnavailableError('down')) : memory.list()),
  };
  let f: EndpointFixture;
  beforeAll(async () => {
    const deafBus = (bus: NodeBus): NodeBus => ({
      listen: (nodeId, handler) => bus.listen(nodeId, handler),
      listenToAll: (handler) => bus.listenToAll(handler),
      publish: (nodeId, command) => bus.publish(nodeId, command),
      publishToAll: () => Promise.reject(new BusUnavailableError('bus down')),
      ping: () => bus.ping(),
      onReconnect: (listener) => bus.onReconnect(listener),
      close: () => bus.close(),
    });
    f = await startEndpointFixture({
      wrapBus: deafBus,
      app: { adminToken: TOKEN, broadcastStore },
    });
  });
  afterAll(async () => {
    await f.close();
  });

  it('still answers 200 when the bus refuses the change: nodes read it at their next poll', async () => {
    const reply = await putVersion(f.origin, MONITOR, { version: 'v9' });
    expect(reply.status).toBe(200);
    expect((await memory.list())[MONITOR]).toBe('v9');
    expect(f.log.lines).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'broadcasts-changed publish failed' }),
    );
  });

  it('answers 503/201 with Retry-After when the store is down', async () => {
    storeDown = true;
    try {
      const put = await putVersion(f.origin, MONITOR, { version: 'v10' });
      expectError(put, 503, 201);
      expect(put.headers['retry-after']).toBe('120');
      expectError(await list(f.origin), 503, 201);
    } finally {
      storeDown = false;
    }
  });

  it('never logs the admin token', () => {
    expect(JSON.stringify(f.log.lines)).not.toContain(TOKEN);
  });
});

describe('creating an app with an admin token', () => {
  it('throws when there is no broadcast store to serve', () => {
    expect(() =>
      createEndpointApp({
        publicOrigin: 'http://push.example.com',
        keys: CryptoKeys.parse(CryptoKeys.generateKey()),
        routerStore: new MemoryRouterStore(),
        messageStore: new MemoryMessageStore(),
        bus: new InProcessBus(),
        clock: systemClock,
        log: recordingLogger(),
        adminToken: TOKEN,
      }),
    ).toThrow(/broadcastStore/);
  });
});
