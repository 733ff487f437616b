import { UserAgent, eventually } from '@herald/testkit';
import type { UserAgentProfile } from '@herald/testkit';
import type { NodeId, Uaid } from '@herald/core';
import { request } from 'node:http';
import { ConnectionWorld } from './support/node-fixture';

/** GET without keep-alive: a pooled idle connection would keep uWS (and jest) running. */
function httpStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the connection node over real sockets (uWS server, ws client, dynalite)', () => {
  let world: ConnectionWorld;
  let node: Awaited<ReturnType<ConnectionWorld['startNode']>>;
  const agents: UserAgent[] = [];

  async function connect(profile?: UserAgentProfile): Promise<UserAgent> {
    const agent = await UserAgent.connect(node.url, profile === undefined ? {} : { profile });
    agents.push(agent);
    return agent;
  }

  beforeAll(async () => {
    world = await ConnectionWorld.start();
    node = await world.startNode('node-a', { helloTimeoutMs: 300 });
  });
  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.terminate()));
  });
  afterAll(async () => {
    await world.stop();
  });

  it('answers GET /__lbheartbeat__ with 200 and other paths with 404', async () => {
    const base = `http://127.0.0.1:${node.port}`;
    expect(await httpStatus(`${base}/__lbheartbeat__`)).toBe(200);
    expect(await httpStatus(`${base}/`)).toBe(404);
    expect(await httpStatus(`${base}/push`)).toBe(404);
  });

  it('refuses a WebSocket upgrade on any path but /', async () => {
    await expect(UserAgent.connect(`ws://127.0.0.1:${node.port}/push-ws`)).rejects.toThrow(/404/);
  });

  it('echoes the push-notification subprotocol Firefox offers', async () => {
    expect((await connect()).protocol).toBe('push-notification');
  });

  it('registers, delivers an encrypted notification that decrypts, and deletes it on ack', async () => {
    const agent = await connect();
    const hello = await agent.hello();
    expect(hello).toMatchObject({ messageType: 'hello', status: 200, use_webpush: true });
    const registration = await agent.register();
    expect(registration.status).toBe(200);
    expect(registration.endpoint).toMatch(/^http:\/\/push\.test\/wpush\/v1\//);

    const pushed = await world.acceptPush(registration, 'hello over uWS');
    const notification = await agent.nextNotification();
    expect(notification.version).toBe(pushed.messageId);
    expect(agent.decrypt(notification).toString()).toBe('hello over uWS');

    agent.ack(notification);
    await eventually(
      async () =>
        (await world.messageStore.fetch(hello['uaid'] as Uaid, { limit: 10, nowMs: Date.now() }))
          .length === 0,
      { what: 'the acked row to be deleted' },
    );
  });

  it('decrypts a legacy aesgcm notification', async () => {
    const agent = await connect();
    await agent.hello();
    const registration = await agent.register();
    await world.acceptPush(registration, 'legacy', { contentEncoding: 'aesgcm' });
    expect(agent.decrypt(await agent.nextNotification()).toString()).toBe('legacy');
  });

  it('redelivers an unacked notification with the same version after a reconnect', async () => {
    const first = await connect();
    const { uaid } = (await first.hello()) as { uaid: string };
    const registration = await first.register();
    const pushed = await world.acceptPush(registration, 'again');
    expect((await first.nextNotification()).version).toBe(pushed.messageId);
    await first.close();

    const second = await connect();
    expect((await second.hello(uaid))['uaid']).toBe(uaid);
    const redelivered = await second.nextNotification();
    expect(redelivered.version).toBe(pushed.messageId);
    second.ack(redelivered);
    await second.ping();
  });

  it('stores a push for a disconnected user agent and sends it at the next hello', async () => {
    const first = await connect();
    const { uaid } = (await first.hello()) as { uaid: string };
    const registration = await first.register();
    await first.close();
    const pushed = await world.acceptPush(registration, undefined);
    const second = await connect();
    await second.hello(uaid);
    const n = await second.nextNotification();
    expect(n.version).toBe(pushed.messageId);
    expect(n.data).toBeUndefined();
  });

  it('closes 1011 SM on a second hello', async () => {
    const agent = await connect();
    await agent.hello();
    agent.sendRaw(JSON.stringify({ messageType: 'hello', use_webpush: true }));
    expect(await agent.closed).toEqual({ code: 1011, reason: 'SM' });
  });

  it('closes 1003 on a binary frame', async () => {
    const agent = await connect();
    await agent.hello();
    agent.sendRaw(Buffer.from('{}'));
    expect(await agent.closed).toEqual({ code: 1003, reason: 'UnsupportedMessage' });
  });

  it('closes 1011 SM on a frame before hello', async () => {
    const agent = await connect();
    agent.sendRaw(
      JSON.stringify({
        messageType: 'register',
        channelID: '5f0c1a4e-3c36-4b4e-9a53-7d1c7d3b8a11',
      }),
    );
    expect(await agent.closed).toEqual({ code: 1011, reason: 'SM' });
  });

  it('closes 1011 Json on malformed JSON', async () => {
    const agent = await connect();
    agent.sendRaw('{"messageType":"hello"');
    expect(await agent.closed).toEqual({ code: 1011, reason: 'Json' });
  });

  it('drops a socket that sends a frame larger than maxFrameBytes (uWS sends no close frame: 1006)', async () => {
    const agent = await connect();
    await agent.hello();
    agent.sendRaw(JSON.stringify({ messageType: 'nack', version: 'x'.repeat(70_000) }));
    expect((await agent.closed).code).toBe(1006);
  });

  it('closes 1011 HandshakeTimeout when no hello arrives in time', async () => {
    const agent = await connect();
    const started = Date.now();
    expect(await agent.closed).toEqual({ code: 1011, reason: 'HandshakeTimeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  });

  it('keeps a socket that said hello open past the hello timeout', async () => {
    const agent = await connect();
    await agent.hello();
    const late = await connect();
    await expect(late.closed).resolves.toMatchObject({ reason: 'HandshakeTimeout' });
    await agent.ping();
    expect(agent.isOpen).toBe(true);
  });

  it('answers a key that does not decode with 400 and keeps the socket open', async () => {
    const agent = await connect();
    await agent.hello();
    const registration = await agent.register(undefined, 'bm90IGEga2V5');
    expect(registration.status).toBe(400);
    expect(registration.endpoint).toBe('Failed to generate endpoint');
    await agent.ping();
    expect(agent.isOpen).toBe(true);
  });

  it('closes the older socket when the same uaid connects again to this node', async () => {
    const older = await connect();
    const { uaid } = (await older.hello()) as { uaid: string };
    const registration = await older.register();
    const newer = await connect();
    await newer.hello(uaid);
    expect(await older.closed).toEqual({ code: 1011, reason: 'SM' });
    const pushed = await world.acceptPush(registration, 'to the newer one');
    expect((await newer.nextNotification()).version).toBe(pushed.messageId);
  });

  it('never sends one version twice on a connection while storage and live pushes overlap', async () => {
    const first = await connect();
    const { uaid } = (await first.hello()) as { uaid: string };
    const registration = await first.register();
    await first.close();
    const stored = [];
    for (let i = 0; i < 5; i += 1)
      stored.push(await world.acceptPush(registration, `stored ${i}`, { publish: false }));

    const agent = await connect(first.profile);
    await agent.hello(uaid);
    // The endpoint's live publishes of the same rows race the drain.
    for (const n of stored)
      await world.bus.publish('node-a' as NodeId, { type: 'deliver', notification: n, hops: 0 });
    const received: string[] = [];
    for (let i = 0; i < stored.length; i += 1) {
      const n = await agent.nextNotification();
      received.push(agent.decrypt(n).toString());
      agent.ack(n);
    }
    await agent.ping();
    expect(received).toEqual(stored.map((_, i) => `stored ${i}`));
    expect(new Set(agent.allNotifications.map((n) => n.version)).size).toBe(
      agent.allNotifications.length,
    );
  });

  it('counts open sockets', async () => {
    await eventually(() => node.connectionCount() === 0, { what: 'earlier sockets to be gone' });
    const agent = await connect();
    await eventually(() => node.connectionCount() === 1, { what: 'the socket to be counted' });
    await agent.close();
    await eventually(() => node.connectionCount() === 0, { what: 'the socket to be forgotten' });
  });
});

describe('the message limit per drain over real sockets', () => {
  it('resets the uaid and closes 1000 when a reconnect would drain too many messages', async () => {
    const world = await ConnectionWorld.start();
    try {
      const node = await world.startNode('node-limit', {
        drainBatchSize: 2,
        messageLimitPerDrain: 3,
      });
      const first = await UserAgent.connect(node.url);
      const { uaid } = (await first.hello()) as { uaid: Uaid };
      const registration = await first.register();
      await first.close();
      for (let i = 0; i < 5; i += 1)
        await world.acceptPush(registration, undefined, { publish: false });

      const agent = await UserAgent.connect(node.url);
      await agent.hello(uaid);
      agent.ack(await agent.nextNotification());
      agent.ack(await agent.nextNotification());
      expect(await agent.closed).toEqual({ code: 1000, reason: 'SM' });
      expect(await world.routerStore.get(uaid)).toBeUndefined();
      expect(await world.messageStore.fetch(uaid, { limit: 10, nowMs: Date.now() })).toEqual([]);

      const again = await UserAgent.connect(node.url);
      expect((await again.hello(uaid))['uaid']).not.toBe(uaid);
      await again.close();
    } finally {
      await world.stop();
    }
  });
});

describe('shutting a connection node down', () => {
  it('closes every socket with 1001 and stops accepting', async () => {
    const world = await ConnectionWorld.start();
    try {
      const node = await world.startNode('node-closing');
      const idle = await UserAgent.connect(node.url);
      const identified = await UserAgent.connect(node.url);
      await identified.hello();
      await node.close();
      expect(await idle.closed).toMatchObject({ code: 1001 });
      expect(await identified.closed).toMatchObject({ code: 1001 });
      expect(node.connectionCount()).toBe(0);
      await expect(UserAgent.connect(node.url)).rejects.toThrow();
    } finally {
      await world.stop();
    }
  });
});

describe('a user agent moving between connection nodes', () => {
  it('closes its socket on the old node and receives pushes routed to the old node on the new one', async () => {
    const world = await ConnectionWorld.start();
    try {
      const nodeA = await world.startNode('node-a');
      const nodeB = await world.startNode('node-b');
      const onA = await UserAgent.connect(nodeA.url);
      const { uaid } = (await onA.hello()) as { uaid: Uaid };
      const registration = await onA.register();
      const onB = await UserAgent.connect(nodeB.url, { profile: onA.profile });
      await onB.hello(uaid);
      expect(await onA.closed).toEqual({ code: 1011, reason: 'SM' });

      // An endpoint that read the router record before the move publishes to node A.
      const late = await world.acceptPush(registration, 'forwarded', { publish: false });
      await world.bus.publish('node-a' as NodeId, { type: 'deliver', notification: late, hops: 0 });
      const n = await onB.nextNotification();
      expect(onB.decrypt(n).toString()).toBe('forwarded');
      await onB.close();
    } finally {
      await world.stop();
    }
  });
});
