/**
 * Conformance with autopush's WebSocket protocol: one test per rule of
 * push-protocol.md §2, §7 and the WebSocket limits of §9, named after the rule. Real
 * uWS server, `ws` clients, DynamoDB stores over dynalite. After every test a
 * bystander user agent on the same node must still receive and ack a push, and nothing
 * may have been logged at error level: no rule violation by one client touches another.
 * docs/protocol.md's conformance table points at these names.
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { MemoryBroadcastStore } from '@herald/core';
import type { NodeId, Uaid } from '@herald/core';
import { UserAgent, eventually } from '@herald/testkit';
import type { Registration } from '@herald/testkit';
import WebSocket from 'ws';
import { ConnectionWorld } from './support/node-fixture';
import { startMemoryNode } from './support/memory-node';

const MONITOR = 'remote-settings/monitor_changes';
const SETTINGS = {
  helloTimeoutMs: 300,
  drainBatchSize: 2,
  messageLimitPerDrain: 3,
};

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

describe('the WebSocket protocol, rule by rule (push-protocol.md §2, §7, §9)', () => {
  let world: ConnectionWorld;
  let node: Awaited<ReturnType<ConnectionWorld['startNode']>>;
  let bystander: UserAgent;
  let bystanderRegistration: Registration;
  const broadcastStore = new MemoryBroadcastStore();
  const agents: UserAgent[] = [];
  let checks = 0;

  async function connect(profileFrom?: UserAgent): Promise<UserAgent> {
    const agent = await UserAgent.connect(
      node.url,
      profileFrom === undefined ? {} : { profile: profileFrom.profile },
    );
    agents.push(agent);
    return agent;
  }

  /** A registered user agent that has gone away, with `count` pushes stored for it. */
  async function offlineUserWith(
    payloads: (string | undefined)[],
    topics: (string | undefined)[] = [],
  ): Promise<{ uaid: Uaid; first: UserAgent; registration: Registration; versions: string[] }> {
    const first = await connect();
    const uaid = (await first.hello())['uaid'] as Uaid;
    const registration = await first.register();
    await first.close();
    const versions: string[] = [];
    for (const [i, payload] of payloads.entries()) {
      const topic = topics[i];
      const n = await world.acceptPush(registration, payload, {
        publish: false,
        ...(topic === undefined ? {} : { topic }),
      });
      versions.push(n.messageId);
    }
    return { uaid, first, registration, versions };
  }

  function storedRows(uaid: Uaid): Promise<unknown[]> {
    return world.messageStore.fetch(uaid, { limit: 100, nowMs: Date.now() });
  }

  beforeAll(async () => {
    await broadcastStore.set(MONITOR, '"1700000000000"');
    world = await ConnectionWorld.start();
    node = await world.startNode('node-conformance', SETTINGS, { broadcastStore });
    bystander = await UserAgent.connect(node.url);
    await bystander.hello();
    bystanderRegistration = await bystander.register();
  });

  afterEach(async () => {
    await Promise.all(agents.splice(0).map((agent) => agent.terminate()));
    checks += 1;
    await world.acceptPush(bystanderRegistration, `still served ${checks}`);
    const n = await bystander.nextNotification();
    expect(bystander.decrypt(n).toString()).toBe(`still served ${checks}`);
    bystander.ack(n);
    expect(bystander.isOpen).toBe(true);
    expect(world.log.errors()).toEqual([]);
  });

  afterAll(async () => {
    await bystander.terminate();
    await world.stop();
  });

  describe('§2.1 transport', () => {
    it('§2.1 upgrades WebSockets on / only; other paths get 404', async () => {
      await expect(UserAgent.connect(`ws://127.0.0.1:${node.port}/push-ws`)).rejects.toThrow(/404/);
      expect(await httpStatus(`http://127.0.0.1:${node.port}/wpush/v1/x`)).toBe(404);
      expect((await connect()).isOpen).toBe(true);
    });

    it('§2.1 echoes the push-notification subprotocol Firefox asks for', async () => {
      expect((await connect()).protocol).toBe('push-notification');
    });

    it('§2.1 closes with 1003 on a binary frame', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(Buffer.from('{"messageType":"ping"}'));
      expect(await agent.closed).toEqual({ code: 1003, reason: 'UnsupportedMessage' });
    });

    it('§2.1 answers a WebSocket Ping frame from the client with a Pong', async () => {
      const socket = new WebSocket(node.url, ['push-notification']);
      try {
        await new Promise((resolve, reject) => {
          socket.once('open', resolve);
          socket.once('error', reject);
        });
        const pong = new Promise<string>((resolve) =>
          socket.once('pong', (data: Buffer) => resolve(data.toString())),
        );
        socket.ping('are you there');
        expect(await pong).toBe('are you there');
      } finally {
        socket.terminate();
      }
    });

    it('§2.1 closes with 1011 when the first message is not hello', async () => {
      const agent = await connect();
      agent.sendRaw(JSON.stringify({ messageType: 'register', channelID: randomUUID() }));
      expect(await agent.closed).toEqual({ code: 1011, reason: 'SM' });
    });

    it('§2.1 closes with 1011 HandshakeTimeout when hello does not arrive within the hello timeout', async () => {
      const agent = await connect();
      const openedMs = Date.now();
      expect(await agent.closed).toEqual({ code: 1011, reason: 'HandshakeTimeout' });
      expect(Date.now() - openedMs).toBeGreaterThanOrEqual(SETTINGS.helloTimeoutMs - 50);
    });

    it('§2.1 closes with 1011 Json on malformed JSON', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw('{"messageType":"ack",');
      expect(await agent.closed).toEqual({ code: 1011, reason: 'Json' });
    });

    it('§2.1 closes with 1011 Json on an unknown messageType', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(JSON.stringify({ messageType: 'subscribe' }));
      expect(await agent.closed).toEqual({ code: 1011, reason: 'Json' });
    });

    it('§2.1 closes with 1011 Json on a missing or wrongly typed field', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(JSON.stringify({ messageType: 'ack', updates: 'all of them' }));
      expect(await agent.closed).toEqual({ code: 1011, reason: 'Json' });
    });

    it('§2.1 ignores unknown fields', async () => {
      const agent = await connect();
      agent.sendRaw(JSON.stringify({ messageType: 'hello', use_webpush: true, shiny: [1, 2] }));
      expect((await agent.nextReply('hello'))['status']).toBe(200);
      agent.sendRaw(JSON.stringify({ messageType: 'register', channelID: randomUUID(), x: {} }));
      expect((await agent.nextReply('register'))['status']).toBe(200);
    });

    it('§2.1/§9 drops a frame larger than maxFrameBytes (64 KiB, as actix); uWS sends no close frame, so the client sees 1006', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(JSON.stringify({ messageType: 'nack', version: 'x'.repeat(65_536) }));
      expect((await agent.closed).code).toBe(1006);
    });
  });

  describe('§2.2 client messages', () => {
    it('§2.2 accepts a hello with "uaid": null and no use_webpush, and replies use_webpush: true', async () => {
      const agent = await connect();
      agent.sendRaw(JSON.stringify({ messageType: 'hello', uaid: null }));
      expect(await agent.nextReply('hello')).toMatchObject({ status: 200, use_webpush: true });
    });

    it('§2.2 closes with 1011 Json when hello channelIDs are not UUIDs', async () => {
      const agent = await connect();
      agent.sendRaw(JSON.stringify({ messageType: 'hello', channelIDs: ['nope'] }));
      expect(await agent.closed).toEqual({ code: 1011, reason: 'Json' });
    });

    it('§2.2 closes with 1011 on a register whose channelID is not lowercase and dashed', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(
        JSON.stringify({ messageType: 'register', channelID: randomUUID().toUpperCase() }),
      );
      expect(await agent.closed).toEqual({ code: 1011, reason: 'SM' });
    });

    it('§2.2 accepts a register key in padded base64url, as Firefox sends it (a v2 endpoint)', async () => {
      const agent = await connect();
      await agent.hello();
      const { publicKey } = await import('node:crypto').then(({ generateKeyPairSync }) =>
        generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      );
      const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
      const padded = raw.toString('base64').replace(/\+/g, '-').replace(/\//g, '_');
      expect(padded.endsWith('=')).toBe(true);
      const registration = await agent.register(randomUUID(), padded);
      expect(registration.status).toBe(200);
      expect(registration.endpoint).toContain('/wpush/v2/');
    });

    it('§2.2 accepts "key": null as no key (a v1 endpoint)', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(
        JSON.stringify({ messageType: 'register', channelID: randomUUID(), key: null }),
      );
      const reply = await agent.nextReply('register');
      expect(reply['status']).toBe(200);
      expect(reply['pushEndpoint']).toContain('/wpush/v1/');
    });

    it('§2.2 accepts an unregister whose channelID is in another UUID form', async () => {
      const agent = await connect();
      await agent.hello();
      const { channelId } = await agent.register();
      agent.sendRaw(
        JSON.stringify({
          messageType: 'unregister',
          channelID: channelId.toUpperCase(),
          code: 200,
        }),
      );
      expect(await agent.nextReply('unregister')).toMatchObject({
        channelID: channelId,
        status: 200,
      });
    });

    it('§2.2 answers {} with {}', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw('{}');
      expect(await agent.nextReply('ping')).toEqual({});
    });

    it('§2.2 answers {"messageType":"ping"} with {}', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw('{"messageType":"ping"}');
      expect(await agent.nextReply('ping')).toEqual({});
    });

    it('§2.2 accepts a nack, which changes nothing in storage', async () => {
      const { uaid, first, versions } = await offlineUserWith(['nacked']);
      const agent = await connect(first);
      await agent.hello(uaid);
      agent.nack(await agent.nextNotification(), 302);
      await agent.ping();
      expect(agent.isOpen).toBe(true);
      expect((await storedRows(uaid)).length).toBe(versions.length);
    });
  });

  describe('§2.3–§2.5 hello, register, unregister', () => {
    it('§2.3 replies to hello with messageType, uaid (32 hex, undashed), status 200, use_webpush true and broadcasts, in that order', async () => {
      const agent = await connect();
      const reply = await agent.hello();
      expect(Object.keys(reply)).toEqual([
        'messageType',
        'uaid',
        'status',
        'use_webpush',
        'broadcasts',
      ]);
      expect(reply).toMatchObject({
        messageType: 'hello',
        status: 200,
        use_webpush: true,
        broadcasts: {},
      });
      expect(reply['uaid']).toMatch(/^[0-9a-f]{32}$/);
    });

    it('§2.3 replies to register with messageType, channelID, status 200 and pushEndpoint', async () => {
      const agent = await connect();
      await agent.hello();
      const channelId = randomUUID();
      agent.sendRaw(JSON.stringify({ messageType: 'register', channelID: channelId }));
      const reply = await agent.nextReply('register');
      expect(Object.keys(reply)).toEqual(['messageType', 'channelID', 'status', 'pushEndpoint']);
      expect(reply).toMatchObject({ channelID: channelId, status: 200 });
      expect(reply['pushEndpoint']).toMatch(/^http:\/\/push\.test\/wpush\/v1\/[A-Za-z0-9_-]+$/);
    });

    it('§2.4 answers an invalid uaid with a different, fresh uaid', async () => {
      const agent = await connect();
      const reply = await agent.hello('not-a-uaid');
      expect(reply['uaid']).toMatch(/^[0-9a-f]{32}$/);
    });

    it('§2.4 answers an unknown uaid with a different, fresh uaid', async () => {
      const unknown = randomUUID().replace(/-/g, '');
      const reply = await (await connect()).hello(unknown);
      expect(reply['uaid']).toMatch(/^[0-9a-f]{32}$/);
      expect(reply['uaid']).not.toBe(unknown);
    });

    it('§2.4 keeps a known uaid (any UUID form) and sends its stored messages right after the hello reply', async () => {
      const { uaid, first, versions } = await offlineUserWith(['waiting']);
      const agent = await connect(first);
      const dashed = `${uaid.slice(0, 8)}-${uaid.slice(8, 12)}-${uaid.slice(12, 16)}-${uaid.slice(16, 20)}-${uaid.slice(20)}`;
      expect((await agent.hello(dashed))['uaid']).toBe(uaid);
      const n = await agent.nextNotification();
      expect(n.version).toBe(versions[0]);
      expect(agent.decrypt(n).toString()).toBe('waiting');
      agent.ack(n);
    });

    it('§2.4 closes with 1011 on a second hello', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(JSON.stringify({ messageType: 'hello', use_webpush: true }));
      expect(await agent.closed).toEqual({ code: 1011, reason: 'SM' });
    });

    it('§2.4 closes with 1011 when a newer connection already owns the uaid', async () => {
      const uaid = randomUUID().replace(/-/g, '') as Uaid;
      await world.routerStore.addChannel(uaid, randomUUID() as never, {
        nodeId: 'node-elsewhere' as NodeId,
        connectedAtMs: Date.now() + 600_000,
      });
      const agent = await connect();
      agent.sendRaw(JSON.stringify({ messageType: 'hello', uaid }));
      expect(await agent.closed).toEqual({ code: 1011, reason: 'SM' });
    });

    it('§2.5 answers a register key that does not decode with status 400 and keeps the socket open', async () => {
      const agent = await connect();
      await agent.hello();
      const registration = await agent.register(randomUUID(), 'bm90IGEga2V5');
      expect(registration.status).toBe(400);
      expect(registration.endpoint).toBe('Failed to generate endpoint');
      await agent.ping();
      expect(agent.isOpen).toBe(true);
    });

    it('§2.5 returns a fresh endpoint for the same channel when it is registered twice', async () => {
      const agent = await connect();
      await agent.hello();
      const channelId = randomUUID();
      const once = await agent.register(channelId);
      const twice = await agent.register(channelId);
      expect(twice.status).toBe(200);
      expect(twice.endpoint).not.toBe(once.endpoint);
    });

    it('§2.5 answers unregister with 200 whether or not the channel exists, and removes it', async () => {
      const agent = await connect();
      const uaid = (await agent.hello())['uaid'] as Uaid;
      const { channelId } = await agent.register();
      expect((await agent.unregister(channelId))['status']).toBe(200);
      expect((await agent.unregister(channelId))['status']).toBe(200);
      expect((await agent.unregister(randomUUID()))['status']).toBe(200);
      expect((await world.routerStore.get(uaid))?.channelIds.has(channelId as never)).toBe(false);
    });
  });

  describe('§2.6–§2.7 notifications, acks and the storage drain', () => {
    it('§2.6 sends only channelID and version for a push without payload', async () => {
      const agent = await connect();
      await agent.hello();
      const registration = await agent.register();
      const pushed = await world.acceptPush(registration, undefined);
      const n = await agent.nextNotification();
      expect(n.frame).toEqual({
        messageType: 'notification',
        channelID: registration.channelId,
        version: pushed.messageId,
      });
      agent.ack(n);
    });

    it('§2.6 sends data as unpadded base64url and headers {encoding} for an aes128gcm payload, and nothing else', async () => {
      const agent = await connect();
      await agent.hello();
      const registration = await agent.register();
      await world.acceptPush(registration, 'payload', { topic: 'kept-out', ttlSeconds: 120 });
      const n = await agent.nextNotification();
      expect(Object.keys(n.frame)).toEqual([
        'messageType',
        'channelID',
        'version',
        'data',
        'headers',
      ]);
      expect(n.data).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(n.headers).toEqual({ encoding: 'aes128gcm' });
      expect(agent.decrypt(n).toString()).toBe('payload');
      agent.ack(n);
    });

    it('§2.6 forwards aesgcm encryption and crypto_key headers with quotes and padding removed', async () => {
      const agent = await connect();
      await agent.hello();
      const registration = await agent.register();
      await world.acceptPush(registration, 'legacy', { contentEncoding: 'aesgcm' });
      const n = await agent.nextNotification();
      expect(Object.keys(n.headers ?? {}).sort()).toEqual(['crypto_key', 'encoding', 'encryption']);
      expect(JSON.stringify(n.headers)).not.toMatch(/\\"|=(,|;|"|$)/);
      expect(agent.decrypt(n).toString()).toBe('legacy');
      agent.ack(n);
    });

    it('§2.6 sends a TTL-0 push to a connected client and never stores it', async () => {
      const agent = await connect();
      const uaid = (await agent.hello())['uaid'] as Uaid;
      const registration = await agent.register();
      await world.acceptPush(registration, 'now or never', { ttlSeconds: 0 });
      expect(agent.decrypt(await agent.nextNotification()).toString()).toBe('now or never');
      expect(await storedRows(uaid)).toEqual([]);
    });

    it('§2.7 deletes the stored row when its notification is acked', async () => {
      const agent = await connect();
      const uaid = (await agent.hello())['uaid'] as Uaid;
      const registration = await agent.register();
      await world.acceptPush(registration, 'ack me');
      expect((await storedRows(uaid)).length).toBe(1);
      agent.ack(await agent.nextNotification());
      await eventually(async () => (await storedRows(uaid)).length === 0, {
        what: 'the row to go',
      });
    });

    it('§2.7 ignores an ack for an unknown version', async () => {
      const agent = await connect();
      await agent.hello();
      const { channelId } = await agent.register();
      agent.ack({ channelId, version: 'never-sent' });
      await agent.ping();
      expect(agent.isOpen).toBe(true);
    });

    it('§2.7 redelivers an unacked stored message with the same version after a reconnect', async () => {
      const { uaid, first, versions } = await offlineUserWith(['unacked']);
      const once = await connect(first);
      await once.hello(uaid);
      expect((await once.nextNotification()).version).toBe(versions[0]);
      await once.close();
      const again = await connect(first);
      await again.hello(uaid);
      const n = await again.nextNotification();
      expect(n.version).toBe(versions[0]);
      again.ack(n);
    });

    it('§2.7 sends topic messages first, then the rest in arrival order, in batches that wait for every ack', async () => {
      const { uaid, first, versions } = await offlineUserWith(
        ['first', 'second', 'topical'],
        [undefined, undefined, 'news'],
      );
      const agent = await connect(first);
      await agent.hello(uaid);
      const batch = [await agent.nextNotification(), await agent.nextNotification()];
      expect(batch.map((n) => n.version)).toEqual([versions[2], versions[0]]);
      agent.ack(batch[0]!);
      await agent.ping();
      expect(agent.notifications).toEqual([]);
      agent.ack(batch[1]!);
      const last = await agent.nextNotification();
      expect(last.version).toBe(versions[1]);
      agent.ack(last);
    });

    it('§2.7/§2.10 resets the uaid with 1000 and deletes its rows when one drain would exceed the message limit', async () => {
      const { uaid, first } = await offlineUserWith([undefined, undefined, undefined, undefined]);
      const agent = await connect(first);
      await agent.hello(uaid);
      agent.ack(await agent.nextNotification());
      agent.ack(await agent.nextNotification());
      expect(await agent.closed).toEqual({ code: 1000, reason: 'SM' });
      expect(await world.routerStore.get(uaid)).toBeUndefined();
      expect(await storedRows(uaid)).toEqual([]);
      const back = await connect();
      expect((await back.hello(uaid))['uaid']).not.toBe(uaid);
    });
  });

  describe('§2.8 pings and §2.11 duplicate connections', () => {
    it('§2.8 answers the first client ping and closes with 4774 on one sooner than the minimum interval', async () => {
      const agent = await connect();
      await agent.hello();
      await agent.ping();
      agent.sendRaw('{}');
      expect(await agent.closed).toEqual({ code: 4774, reason: 'ExcessivePing' });
    });

    it('§2.11 closes the older socket with 1011 when the same uaid connects again to this node', async () => {
      const older = await connect();
      const uaid = (await older.hello())['uaid'] as string;
      const registration = await older.register();
      const newer = await connect(older);
      await newer.hello(uaid);
      expect(await older.closed).toEqual({ code: 1011, reason: 'SM' });
      await world.acceptPush(registration, 'to the newer one');
      const n = await newer.nextNotification();
      expect(newer.decrypt(n).toString()).toBe('to the newer one');
      newer.ack(n);
    });
  });

  describe('§7 broadcasts', () => {
    it('§7 answers hello broadcasts with the ids whose version differs and errors for unknown ids', async () => {
      const agent = await connect();
      agent.sendRaw(
        JSON.stringify({
          messageType: 'hello',
          use_webpush: true,
          broadcasts: { [MONITOR]: '"1"', 'test/unknown': 'v0' },
        }),
      );
      expect((await agent.nextReply('hello'))['broadcasts']).toEqual({
        [MONITOR]: '"1700000000000"',
        errors: { 'test/unknown': 'Broadcast not found' },
      });
    });

    it('§7 answers broadcast_subscribe for an unknown id with {"messageType":"broadcast","broadcasts":{"errors":{…}}}', async () => {
      const agent = await connect();
      await agent.hello();
      agent.sendRaw(
        JSON.stringify({ messageType: 'broadcast_subscribe', broadcasts: { 'test/none': '"0"' } }),
      );
      expect(JSON.stringify(await agent.nextReply('broadcast'))).toBe(
        '{"messageType":"broadcast","broadcasts":{"errors":{"test/none":"Broadcast not found"}}}',
      );
    });

    it('§7 sends nothing back for a broadcast_subscribe whose versions are current', async () => {
      const agent = await connect();
      await agent.hello();
      const current = (await broadcastStore.list())[MONITOR]!;
      agent.sendRaw(
        JSON.stringify({ messageType: 'broadcast_subscribe', broadcasts: { [MONITOR]: current } }),
      );
      await agent.ping();
      await expect(agent.nextReply('broadcast', 0)).rejects.toThrow(/timed out/);
    });

    it('§7 sends a broadcast frame to subscribed clients only when a version changes', async () => {
      const current = (await broadcastStore.list())[MONITOR]!;
      const subscribed = await connect();
      subscribed.sendRaw(
        JSON.stringify({
          messageType: 'hello',
          use_webpush: true,
          broadcasts: { [MONITOR]: current },
        }),
      );
      await subscribed.nextReply('hello');
      const other = await connect();
      await other.hello();
      await broadcastStore.set(MONITOR, '"1800000000000"');
      await world.bus.publishToAll({
        type: 'broadcasts-changed',
        broadcasts: { [MONITOR]: '"1800000000000"' },
      });
      expect(await subscribed.nextReply('broadcast')).toEqual({
        messageType: 'broadcast',
        broadcasts: { [MONITOR]: '"1800000000000"' },
      });
      await other.ping();
      await expect(other.nextReply('broadcast', 0)).rejects.toThrow(/timed out/);
    });
  });
});

describe('§2.8/§9 server WebSocket pings', () => {
  it('§2.8 sends WebSocket pings to a silent client and closes one that never answers them', async () => {
    // uWS pings after idleTimeout minus a margin of silence (8 s → 4 s, 300 s → 284 s) and
    // closes without a close frame if no pong arrives within the margin (4 s / 16 s). Its
    // timers tick every 4 s, so the exact moments vary by up to one tick.
    const node = await startMemoryNode({ settings: { idleTimeoutSeconds: 8 } });
    const open = (autoPong: boolean): Promise<WebSocket> =>
      new Promise((resolve, reject) => {
        const socket = new WebSocket(node.url, ['push-notification'], { autoPong });
        socket.once('open', () => {
          socket.send(JSON.stringify({ messageType: 'hello', use_webpush: true }));
          resolve(socket);
        });
        socket.once('error', reject);
      });
    const mute = await open(false);
    const polite = await open(true);
    try {
      let mutePinged = false;
      mute.once('ping', () => (mutePinged = true));
      const politePinged = new Promise((resolve) => polite.once('ping', resolve));
      const closeCode = await new Promise<number>((resolve) => mute.once('close', resolve));
      expect(mutePinged).toBe(true);
      expect(closeCode).toBe(1006);
      await politePinged;
      expect(polite.readyState).toBe(WebSocket.OPEN);
    } finally {
      mute.terminate();
      polite.terminate();
      await node.close();
    }
  }, 20_000);
});

describe('§2.12/§9 connection cap', () => {
  it('§9 closes upgrades beyond maxConnections with 1013 "Try Again Later" and keeps serving the others', async () => {
    const node = await startMemoryNode({ settings: { maxConnections: 1 } });
    const admitted = await UserAgent.connect(node.url);
    try {
      await admitted.hello();
      const refused = await UserAgent.connect(node.url);
      expect(await refused.closed).toEqual({ code: 1013, reason: 'Try Again Later' });
      await admitted.ping();
      expect(admitted.isOpen).toBe(true);
    } finally {
      await admitted.terminate();
      await node.close();
    }
  });
});
