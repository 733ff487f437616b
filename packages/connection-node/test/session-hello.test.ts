import { MemoryRouterStore, newChannelId, newUaid } from '@herald/core';
import type { NodeId, Owner, Uaid } from '@herald/core';
import { TestNode, createWorld, settle } from './support/session-harness';

const NODE_A = 'node-a' as NodeId;

describe('a session before and at hello', () => {
  it('gives a client without a uaid a fresh one and writes nothing until it registers', async () => {
    const world = createWorld();
    const client = new TestNode(world, NODE_A).connect();
    const reply = await client.hello();
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
    expect(await world.routerStore.get(reply['uaid'] as Uaid)).toBeUndefined();
    expect(client.session.phase).toBe('identified');
  });

  it.each([
    ['an empty string', ''],
    ['garbage', 'not-a-uaid'],
    ['a uaid storage does not know', newUaid()],
  ])('answers a hello with %s with a different, fresh uaid', async (_what, uaid) => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    const reply = await client.hello(uaid);
    expect(reply['uaid']).toMatch(/^[0-9a-f]{32}$/);
    expect(reply['uaid']).not.toBe(uaid);
  });

  it('claims a known uaid, accepting its dashed upper-case form, and moves the record to this node', async () => {
    const world = createWorld();
    const uaid = newUaid();
    await world.routerStore.addChannel(uaid, newChannelId(), {
      nodeId: 'node-old' as NodeId,
      connectedAtMs: 1,
    });
    const dashed =
      `${uaid.slice(0, 8)}-${uaid.slice(8, 12)}-${uaid.slice(12, 16)}-${uaid.slice(16, 20)}-${uaid.slice(20)}`.toUpperCase();
    const reply = await new TestNode(world, NODE_A).connect().hello(dashed);
    expect(reply['uaid']).toBe(uaid);
    expect((await world.routerStore.get(uaid))?.nodeId).toBe(NODE_A);
  });

  it('closes 1011 SM when a newer connection already owns the uaid', async () => {
    const world = createWorld();
    const uaid = newUaid();
    await world.routerStore.addChannel(uaid, newChannelId(), {
      nodeId: 'node-b' as NodeId,
      connectedAtMs: world.clock.nowMs() + 60_000,
    });
    const client = new TestNode(world, NODE_A).connect();
    client.send({ messageType: 'hello', uaid });
    expect(await client.closed()).toEqual({ code: 1011, reason: 'SM' });
    expect(client.transport.sent).toEqual([]);
  });

  it('closes 1011 SM when storage still fails after every claim attempt', async () => {
    class FailingRouterStore extends MemoryRouterStore {
      claims = 0;
      override claim(): Promise<never> {
        this.claims += 1;
        return Promise.reject(new Error('storage down'));
      }
    }
    const routerStore = new FailingRouterStore();
    const world = createWorld({ routerStore });
    const client = new TestNode(world, NODE_A, { storageAttempts: 3, storageRetryMs: 1 }).connect();
    client.send({ messageType: 'hello', uaid: newUaid() });
    expect(await client.closed()).toEqual({ code: 1011, reason: 'SM' });
    expect(routerStore.claims).toBe(3);
  });

  it('claims again with a newer connection time when a claim fails, and says hello', async () => {
    class FlakyRouterStore extends MemoryRouterStore {
      readonly claimedAtMs: number[] = [];
      override claim(
        ...args: Parameters<MemoryRouterStore['claim']>
      ): ReturnType<MemoryRouterStore['claim']> {
        this.claimedAtMs.push(args[1].connectedAtMs);
        // The first attempt lands but its answer is lost, as with a timed-out request.
        const landed = super.claim(...args);
        return this.claimedAtMs.length === 1
          ? landed.then(() => Promise.reject(new Error('timed out')))
          : landed;
      }
    }
    const routerStore = new FlakyRouterStore();
    const world = createWorld({ routerStore });
    const uaid = newUaid();
    await routerStore.addChannel(uaid, newChannelId(), {
      nodeId: 'node-b' as NodeId,
      connectedAtMs: world.clock.nowMs() - 60_000,
    });
    const client = new TestNode(world, NODE_A, { storageRetryMs: 1 }).connect();
    expect(await client.hello(uaid)).toMatchObject({ status: 200, uaid });
    expect(routerStore.claimedAtMs).toHaveLength(2);
    expect(routerStore.claimedAtMs[1]).toBeGreaterThan(routerStore.claimedAtMs[0]!);
  });

  it.each([
    ['register', { messageType: 'register', channelID: newChannelId() }],
    ['ping', {}],
    ['ack', { messageType: 'ack', updates: [] }],
  ])('closes 1011 SM on a %s before hello', async (_what, frame) => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    client.send(frame);
    expect(await client.closed()).toEqual({ code: 1011, reason: 'SM' });
  });

  it.each([
    ['malformed JSON', '{"messageType":'],
    ['an unknown messageType', '{"messageType":"subscribe"}'],
    ['a wrongly typed field', '{"messageType":"hello","uaid":null,"channelIDs":"x"}'],
    ['a JSON array', '[]'],
  ])('closes 1011 Json on %s', async (_what, text) => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    client.send(text);
    expect(await client.closed()).toEqual({ code: 1011, reason: 'Json' });
  });

  it('closes 1011 SM on a second hello', async () => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    await client.hello();
    client.send({ messageType: 'hello' });
    expect(await client.closed()).toEqual({ code: 1011, reason: 'SM' });
  });

  it('closes 1003 on a binary frame', async () => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    await client.hello();
    client.session.onBinary();
    expect(await client.closed()).toEqual({ code: 1003, reason: 'UnsupportedMessage' });
  });

  it('processes a register sent right behind hello only after the hello reply', async () => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    const channelId = newChannelId();
    client.send({ messageType: 'hello' });
    client.send({ messageType: 'register', channelID: channelId });
    expect((await client.next())['messageType']).toBe('hello');
    expect(await client.next()).toMatchObject({
      messageType: 'register',
      channelID: channelId,
      status: 200,
    });
  });

  it('closes the older socket with 1011 SM when the same uaid says hello again on this node', async () => {
    const world = createWorld();
    const node = new TestNode(world, NODE_A);
    const first = node.connect();
    const { uaid } = (await first.hello()) as { uaid: Uaid };
    await first.register(newChannelId());
    const second = node.connect();
    expect((await second.hello(uaid))['uaid']).toBe(uaid);
    expect(await first.closed()).toEqual({ code: 1011, reason: 'SM' });
    expect(node.registry.get(uaid)).toBe(second.session);
    expect(second.transport.closedWith).toBeUndefined();
  });

  it('tells the previous owner node to disconnect when the uaid moves to another node', async () => {
    const world = createWorld();
    const nodeA = await new TestNode(world, NODE_A).listen();
    const nodeB = await new TestNode(world, 'node-b' as NodeId).listen();
    const onA = nodeA.connect();
    const { uaid } = (await onA.hello()) as { uaid: Uaid };
    await onA.register(newChannelId());
    world.clock.advance(10);
    const onB = nodeB.connect();
    await onB.hello(uaid);
    expect(await onA.closed()).toEqual({ code: 1011, reason: 'SM' });
    expect(nodeA.registry.get(uaid)).toBeUndefined();
    expect(onB.transport.closedWith).toBeUndefined();
    await nodeA.close();
    await nodeB.close();
  });

  it('ignores a disconnect for a connection newer than the one that sent it', async () => {
    const world = createWorld();
    const node = new TestNode(world, NODE_A);
    const client = node.connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    const staleOwner: Owner = {
      nodeId: 'node-b' as NodeId,
      connectedAtMs: world.clock.nowMs() - 1000,
    };
    client.session.supersede(staleOwner);
    await settle();
    expect(client.transport.closedWith).toBeUndefined();
    expect(node.registry.get(uaid)).toBe(client.session);
  });

  it('forgets the session in the registry when the socket closes', async () => {
    const node = new TestNode(createWorld(), NODE_A);
    const client = node.connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    expect(node.registry.get(uaid)).toBe(client.session);
    client.transport.close(1000, 'bye');
    expect(node.registry.get(uaid)).toBeUndefined();
    expect(client.session.phase).toBe('closed');
  });
});
