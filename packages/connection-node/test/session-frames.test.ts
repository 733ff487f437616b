import { generateKeyPairSync } from 'node:crypto';
import { MemoryRouterStore, newChannelId, openEndpointToken } from '@herald/core';
import type { NodeId, Uaid } from '@herald/core';
import { TestNode, createWorld } from './support/session-harness';

const NODE_A = 'node-a' as NodeId;

function applicationServerKey(): Buffer {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
}

describe('an identified session', () => {
  it('registers a channel without a key with a v1 endpoint that opens to its uaid and channel', async () => {
    const world = createWorld();
    const client = new TestNode(world, NODE_A).connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    const channelId = newChannelId();
    const reply = await client.register(channelId);
    expect(reply).toMatchObject({ messageType: 'register', channelID: channelId, status: 200 });
    expect(reply['pushEndpoint']).toMatch(/^https:\/\/push\.example\/wpush\/v1\/[A-Za-z0-9_-]+$/);
    const token = String(reply['pushEndpoint']).split('/').pop()!;
    expect(openEndpointToken(world.keys, 1, token)).toEqual({ uaid, channelId });
    expect((await world.routerStore.get(uaid))?.channelIds.has(channelId)).toBe(true);
  });

  it('registers with a padded base64url key (as Firefox sends it) and returns a v2 endpoint', async () => {
    const world = createWorld();
    const client = new TestNode(world, NODE_A).connect();
    await client.hello();
    const key = applicationServerKey();
    const padded = key.toString('base64url') + '=';
    const reply = await client.register(newChannelId(), padded);
    expect(reply['status']).toBe(200);
    expect(String(reply['pushEndpoint'])).toContain('/wpush/v2/');
  });

  it('answers a key that does not decode with status 400 and the reason autopush gives, and keeps the socket open', async () => {
    const world = createWorld();
    const client = new TestNode(world, NODE_A).connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    const channelId = newChannelId();
    expect(await client.register(channelId, 'not a key!')).toEqual({
      messageType: 'register',
      channelID: channelId,
      status: 400,
      pushEndpoint: 'Failed to generate endpoint',
    });
    expect(await world.routerStore.get(uaid)).toBeUndefined();
    client.send({});
    expect(await client.next()).toEqual({});
  });

  it('closes 1011 SM on a register whose channelID is not the lowercase dashed form', async () => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    await client.hello();
    client.send({ messageType: 'register', channelID: newChannelId().toUpperCase() });
    expect(await client.closed()).toEqual({ code: 1011, reason: 'SM' });
  });

  it('answers 500 with an empty endpoint when storage fails during register, and stays open', async () => {
    class FailingRouterStore extends MemoryRouterStore {
      override addChannel(): Promise<never> {
        return Promise.reject(new Error('storage down'));
      }
    }
    const client = new TestNode(
      createWorld({ routerStore: new FailingRouterStore() }),
      NODE_A,
    ).connect();
    await client.hello();
    const channelId = newChannelId();
    expect(await client.register(channelId)).toEqual({
      messageType: 'register',
      channelID: channelId,
      status: 500,
      pushEndpoint: '',
    });
    expect(client.transport.closedWith).toBeUndefined();
  });

  it('unregisters a channel with 200, and answers 200 again for a channel that is gone', async () => {
    const world = createWorld();
    const client = new TestNode(world, NODE_A).connect();
    const { uaid } = (await client.hello()) as { uaid: Uaid };
    const channelId = newChannelId();
    await client.register(channelId);
    client.send({ messageType: 'unregister', channelID: channelId, code: 200 });
    expect(await client.next()).toEqual({
      messageType: 'unregister',
      channelID: channelId,
      status: 200,
    });
    expect((await world.routerStore.get(uaid))?.channelIds.has(channelId)).toBe(false);
    client.send({ messageType: 'unregister', channelID: channelId });
    expect(await client.next()).toEqual({
      messageType: 'unregister',
      channelID: channelId,
      status: 200,
    });
  });

  it('answers a ping with {} and accepts the messageType form too', async () => {
    const world = createWorld();
    const client = new TestNode(world, NODE_A).connect();
    await client.hello();
    client.send('{}');
    expect(await client.next()).toEqual({});
    world.clock.advance(45_000);
    client.send({ messageType: 'ping' });
    expect(await client.next()).toEqual({});
  });

  it('closes 4774 on a ping sooner than clientPingMinIntervalMs after the last one', async () => {
    const world = createWorld();
    const client = new TestNode(world, NODE_A, { clientPingMinIntervalMs: 1000 }).connect();
    await client.hello();
    client.send({});
    await client.next();
    world.clock.advance(999);
    client.send({});
    expect(await client.closed()).toEqual({ code: 4774, reason: 'ExcessivePing' });
  });

  it('accepts a nack without replying and answers a broadcast_subscribe for an unknown id with its error', async () => {
    const client = new TestNode(createWorld(), NODE_A).connect();
    await client.hello();
    client.send({ messageType: 'nack', version: 'whatever', code: 301 });
    client.send({
      messageType: 'broadcast_subscribe',
      broadcasts: { 'remote-settings/monitor_changes': '"0"' },
    });
    client.send({});
    expect(await client.next()).toEqual({
      messageType: 'broadcast',
      broadcasts: { errors: { 'remote-settings/monitor_changes': 'Broadcast not found' } },
    });
    expect(await client.next()).toEqual({});
    expect(client.transport.closedWith).toBeUndefined();
  });
});
