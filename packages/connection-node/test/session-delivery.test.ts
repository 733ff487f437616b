import { newChannelId } from '@herald/core';
import type { ChannelId, NodeCommand, NodeId, Notification, Uaid } from '@herald/core';
import { TestNode, createWorld, settle } from './support/session-harness';
import type { SharedWorld, TestClient } from './support/session-harness';

const NODE_A = 'node-a' as NodeId;

/** A registered user agent that has gone away, so tests can store messages for it. */
async function knownUser(node: TestNode): Promise<{ uaid: Uaid; channelId: ChannelId }> {
  const client = node.connect();
  const { uaid } = (await client.hello()) as { uaid: Uaid };
  const channelId = newChannelId();
  await client.register(channelId);
  client.transport.close(1000, 'gone');
  node.world.clock.advance(1);
  return { uaid, channelId };
}

async function reconnect(node: TestNode, uaid: Uaid): Promise<TestClient> {
  const client = node.connect();
  expect((await client.hello(uaid))['uaid']).toBe(uaid);
  return client;
}

function deliver(world: SharedWorld, nodeId: NodeId, notification: Notification): Promise<void> {
  return world.bus.publish(nodeId, { type: 'deliver', notification, hops: 0 });
}

describe('a session delivering notifications', () => {
  let world: SharedWorld;
  let node: TestNode;
  beforeEach(async () => {
    world = createWorld();
    node = await new TestNode(world, NODE_A, { drainBatchSize: 2 }).listen();
  });
  afterEach(async () => {
    await node.close();
    await world.bus.close();
  });

  it('sends stored messages after the hello reply, topic messages first, in batches that wait for acks', async () => {
    const { uaid, channelId } = await knownUser(node);
    const first = await node.store(uaid, channelId, { data: 'AQID' });
    const second = await node.store(uaid, channelId);
    const third = await node.store(uaid, channelId);
    const topical = await node.store(uaid, channelId, { topic: 'news' });
    const client = await reconnect(node, uaid);

    const batch1 = [await client.next(), await client.next()];
    expect(batch1.map((f) => f['version'])).toEqual([topical.messageId, first.messageId]);
    expect(batch1[1]).toEqual({
      messageType: 'notification',
      channelID: channelId,
      version: first.messageId,
      data: 'AQID',
      headers: { encoding: 'aes128gcm' },
    });
    await settle();
    expect(client.transport.unread()).toEqual([]);

    client.ack(batch1[0]!);
    await settle();
    expect(client.transport.unread()).toEqual([]);
    client.ack(batch1[1]!);
    const batch2 = [await client.next(), await client.next()];
    expect(batch2.map((f) => f['version'])).toEqual([second.messageId, third.messageId]);
    expect(await world.messageStore.fetch(uaid, { limit: 10, nowMs: world.clock.nowMs() })).toEqual(
      [second, third],
    );
  });

  it('deletes a drained message at once on ack (the drain waits for it) and ignores acks for unknown versions', async () => {
    const { uaid, channelId } = await knownUser(node);
    await node.store(uaid, channelId);
    const client = await reconnect(node, uaid);
    const frame = await client.next();
    client.send({ messageType: 'ack', updates: [{ channelID: channelId, version: 'never-sent' }] });
    client.ack(frame);
    client.send({});
    await client.next();
    expect(node.ackedDeletes.heldCount).toBe(0);
    expect(await world.messageStore.fetch(uaid, { limit: 10, nowMs: world.clock.nowMs() })).toEqual(
      [],
    );
    expect(client.transport.closedWith).toBeUndefined();
  });

  it('redelivers an unacked stored message on the next connection with the same version', async () => {
    const { uaid, channelId } = await knownUser(node);
    const stored = await node.store(uaid, channelId);
    const first = await reconnect(node, uaid);
    expect((await first.next())['version']).toBe(stored.messageId);
    first.transport.close(1000, 'bye');
    world.clock.advance(1);
    const second = await reconnect(node, uaid);
    expect((await second.next())['version']).toBe(stored.messageId);
  });

  it('sends a live push at once when idle, and deletes it from storage with the next batch of acked deletes', async () => {
    const client = node.connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    const channelId = newChannelId();
    await client.register(channelId);
    const live = await node.store(uaid, channelId, { data: 'AAEC' });
    await deliver(world, NODE_A, live);
    const frame = await client.next();
    expect(frame['version']).toBe(live.messageId);
    client.ack(frame);
    client.send({});
    await client.next();
    const stored = (): Promise<Notification[]> =>
      world.messageStore.fetch(uaid, { limit: 10, nowMs: world.clock.nowMs() });
    expect((await stored()).map((n) => n.messageId)).toEqual([live.messageId]);
    expect(node.ackedDeletes.heldCount).toBe(1);
    node.ackedDeletes.flush();
    await settle();
    expect(await stored()).toEqual([]);
  });

  it('holds a stored live push back while a drain batch is unacked, then sends it in order', async () => {
    const { uaid, channelId } = await knownUser(node);
    const a = await node.store(uaid, channelId);
    const b = await node.store(uaid, channelId);
    const client = await reconnect(node, uaid);
    const batch = [await client.next(), await client.next()];
    const live = await node.store(uaid, channelId);
    await deliver(world, NODE_A, live);
    await settle();
    expect(client.transport.unread()).toEqual([]);
    batch.forEach((f) => client.ack(f));
    expect((await client.next())['version']).toBe(live.messageId);
    expect(batch.map((f) => f['version'])).toEqual([a.messageId, b.messageId]);
  });

  it('sends a TTL-0 push at once even while draining, and never tracks it for ack', async () => {
    const { uaid, channelId } = await knownUser(node);
    await node.store(uaid, channelId);
    await node.store(uaid, channelId);
    const client = await reconnect(node, uaid);
    await client.next();
    await client.next();
    const now = node.notification(uaid, channelId, { ttlSeconds: 0 });
    await deliver(world, NODE_A, now);
    expect((await client.next())['version']).toBe(now.messageId);
  });

  it('never sends one version twice on a connection', async () => {
    const { uaid, channelId } = await knownUser(node);
    const stored = await node.store(uaid, channelId);
    const client = await reconnect(node, uaid);
    expect((await client.next())['version']).toBe(stored.messageId);
    // The endpoint's publish of the same message races the drain.
    await deliver(world, NODE_A, stored);
    await deliver(world, NODE_A, stored);
    await settle();
    expect(client.transport.unread()).toEqual([]);

    const live = node.notification(uaid, channelId, { ttlSeconds: 0 });
    await deliver(world, NODE_A, live);
    await deliver(world, NODE_A, live);
    await settle();
    client.ack({ channelID: channelId, version: stored.messageId });
    client.send({});
    const frames = [await client.next(), await client.next()];
    expect(frames).toEqual([expect.objectContaining({ version: live.messageId }), {}]);
  });

  it('does not resend a live-sent message that a storage check finds again while its ack is pending', async () => {
    const client = node.connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    const channelId = newChannelId();
    await client.register(channelId);
    const live = await node.store(uaid, channelId);
    await deliver(world, NODE_A, live);
    expect((await client.next())['version']).toBe(live.messageId);
    const later = await node.store(uaid, channelId);
    await world.bus.publish(NODE_A, { type: 'check-storage', uaid });
    // The batch holds both rows: only the one not yet sent goes out.
    expect((await client.next())['version']).toBe(later.messageId);
    await settle();
    expect(client.transport.unread()).toEqual([]);
  });

  it('does not send expired messages, live or stored', async () => {
    const { uaid, channelId } = await knownUser(node);
    await node.store(uaid, channelId, { ttlSeconds: 5 });
    const fresh = await node.store(uaid, channelId, { ttlSeconds: 600 });
    world.clock.advance(5_000);
    const client = await reconnect(node, uaid);
    const frame = await client.next();
    expect(frame['version']).toBe(fresh.messageId);
    client.ack(frame);
    const stale = node.notification(uaid, channelId, { ttlSeconds: 1 });
    world.clock.advance(1_000);
    await deliver(world, NODE_A, stale);
    client.send({});
    expect(await client.next()).toEqual({});
  });

  it('resets the uaid when a drain would exceed messageLimitPerDrain: record and messages deleted, close 1000', async () => {
    const limited = await new TestNode(world, 'node-limited' as NodeId, {
      drainBatchSize: 2,
      messageLimitPerDrain: 3,
    }).listen();
    const { uaid, channelId } = await knownUser(limited);
    for (let i = 0; i < 5; i += 1) await limited.store(uaid, channelId);
    const client = await reconnect(limited, uaid);
    const batch = [await client.next(), await client.next()];
    batch.forEach((f) => client.ack(f));
    expect(await client.closed()).toEqual({ code: 1000, reason: 'SM' });
    expect(client.transport.unread()).toEqual([]);
    expect(await world.routerStore.get(uaid)).toBeUndefined();
    expect(await world.messageStore.fetch(uaid, { limit: 10, nowMs: world.clock.nowMs() })).toEqual(
      [],
    );
    await limited.close();
  });

  it('counts the message limit per drain, so a drain that empties storage starts the count afresh', async () => {
    const limited = await new TestNode(world, 'node-limited' as NodeId, {
      drainBatchSize: 2,
      messageLimitPerDrain: 2,
    }).listen();
    const { uaid, channelId } = await knownUser(limited);
    await limited.store(uaid, channelId);
    await limited.store(uaid, channelId);
    const client = await reconnect(limited, uaid);
    for (const f of [await client.next(), await client.next()]) client.ack(f);
    await settle();
    await limited.store(uaid, channelId);
    await limited.store(uaid, channelId);
    await world.bus.publish('node-limited' as NodeId, { type: 'check-storage', uaid });
    for (const f of [await client.next(), await client.next()]) client.ack(f);
    await settle();
    expect(client.transport.closedWith).toBeUndefined();
    await limited.close();
  });
});

describe('nodes passing commands', () => {
  it('forwards a deliver for a uaid it does not hold, once, to the node that owns it', async () => {
    const world = createWorld();
    const nodeA = await new TestNode(world, 'node-a' as NodeId).listen();
    const nodeB = await new TestNode(world, 'node-b' as NodeId).listen();
    const client = nodeB.connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    const channelId = newChannelId();
    await client.register(channelId);
    const n = await nodeA.store(uaid, channelId);
    await world.bus.publish('node-a' as NodeId, { type: 'deliver', notification: n, hops: 0 });
    expect((await client.next())['version']).toBe(n.messageId);
    await nodeA.close();
    await nodeB.close();
    await world.bus.close();
  });

  it('asks the new owner to check storage when a superseded socket owed acks', async () => {
    const world = createWorld();
    const nodeA = await new TestNode(world, 'node-a' as NodeId).listen();
    const nodeB = await new TestNode(world, 'node-b' as NodeId).listen();
    const onA = nodeA.connect();
    const { uaid } = (await onA.hello()) as { uaid: Uaid };
    const channelId = newChannelId();
    await onA.register(channelId);
    const n = await nodeA.store(uaid, channelId);
    await world.bus.publish('node-a' as NodeId, { type: 'deliver', notification: n, hops: 0 });
    await onA.next();
    const seenByB: NodeCommand[] = [];
    const spy = await world.bus.listen('node-b' as NodeId, (command) => seenByB.push(command));
    world.clock.advance(5);
    const onB = nodeB.connect();
    await onB.hello(uaid);
    expect((await onB.next())['version']).toBe(n.messageId);
    await onA.closed();
    onB.ack({ channelID: channelId, version: n.messageId });
    // The check-storage from node A finds nothing new: no duplicate on node B.
    await settle(10);
    expect(seenByB).toContainEqual({ type: 'check-storage', uaid });
    expect(onB.transport.unread()).toEqual([]);
    await spy.close();
    await nodeA.close();
    await nodeB.close();
    await world.bus.close();
  });
});
