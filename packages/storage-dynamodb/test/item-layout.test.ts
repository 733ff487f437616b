import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { newChannelId, newUaid, type Clock, type MessageId, type NodeId } from '@herald/core';
import { startDynalite, type DynamoDbServerFixture } from '@herald/testkit';
import { createDynamoDbStores, createTables, type DynamoDbStores } from '../src';
import { createDynamoDbClient, createWireClient } from '../src/dynamodb-client';
import { DynamoDbRouterStore } from '../src/dynamodb-router-store';
import { uniqueTableNames } from './fresh-tables';
import { RecordingLogger } from './recording-logger';

const DAY_MS = 24 * 60 * 60 * 1000;
const owner = { nodeId: 'node-a' as NodeId, connectedAtMs: 1_000 };

describe('DynamoDB item layout', () => {
  let server: DynamoDbServerFixture;
  let raw: DynamoDBClient;
  let names: { routerTable: string; messageTable: string };
  let log: RecordingLogger;
  let stores: DynamoDbStores;

  beforeAll(async () => {
    server = await startDynalite();
    names = uniqueTableNames();
    log = new RecordingLogger();
    await createTables({ endpoint: server.endpoint, ...names, log });
    stores = createDynamoDbStores({ endpoint: server.endpoint, ...names, log });
    raw = createDynamoDbClient({ endpoint: server.endpoint });
  });
  afterAll(async () => {
    stores?.close();
    raw?.destroy();
    await server?.stop();
  });

  it('writes router records with the documented attributes and drops the empty channel set', async () => {
    const uaid = newUaid();
    const channelId = newChannelId();
    await stores.routerStore.addChannel(uaid, channelId, owner);
    const before = (
      await raw.send(
        new GetItemCommand({ TableName: names.routerTable, Key: { uaid: { S: uaid } } }),
      )
    ).Item!;
    expect(before).toMatchObject({
      uaid: { S: uaid },
      node_id: { S: 'node-a' },
      connected_at: { N: '1000' },
      channels: { SS: [channelId] },
    });
    const lastSeenMs = Number(before.last_seen!.N);
    expect(Number(before.expiry!.N)).toBe(Math.floor(lastSeenMs / 1000) + 60 * 24 * 60 * 60);

    await stores.routerStore.removeChannel(uaid, channelId);
    const after = (
      await raw.send(
        new GetItemCommand({ TableName: names.routerTable, Key: { uaid: { S: uaid } } }),
      )
    ).Item!;
    expect(after).not.toHaveProperty('channels');
  });

  it('writes messages with an expiry of floor(received_at / 1000) + ttl seconds', async () => {
    const uaid = newUaid();
    const channelId = newChannelId();
    const storageKey = `01:${channelId}:t`;
    await stores.messageStore.save({
      uaid,
      channelId,
      messageId: 'm1' as MessageId,
      storageKey,
      topic: 't',
      ttlSeconds: 60,
      receivedAtMs: 1_700_000_000_999,
      urgency: 'low',
    });
    const key = { uaid: { S: uaid }, sk: { S: storageKey } };
    const item = (await raw.send(new GetItemCommand({ TableName: names.messageTable, Key: key })))
      .Item!;
    expect(item).toEqual({
      uaid: { S: uaid },
      sk: { S: storageKey },
      message_id: { S: 'm1' },
      channel_id: { S: channelId },
      topic: { S: 't' },
      ttl: { N: '60' },
      received_at: { N: '1700000000999' },
      urgency: { S: 'low' },
      expiry: { N: '1700000060' },
    });
  });

  it('skips and logs a malformed message row instead of failing the fetch', async () => {
    const uaid = newUaid();
    const channelId = newChannelId();
    const nowMs = Date.now();
    const good = {
      uaid,
      channelId,
      messageId: 'good' as MessageId,
      storageKey: `02:${String(nowMs * 1000 + 1).padStart(16, '0')}:${channelId}`,
      ttlSeconds: 60,
      receivedAtMs: nowMs,
      urgency: 'normal' as const,
    };
    await raw.send(
      new PutItemCommand({
        TableName: names.messageTable,
        Item: {
          uaid: { S: uaid },
          sk: { S: `02:${String(nowMs * 1000).padStart(16, '0')}:${channelId}` },
          message_id: { S: 'bad' },
          channel_id: { S: channelId },
          ttl: { N: '60' },
          received_at: { N: String(nowMs) },
          urgency: { S: 'whenever' },
          data: { S: 'c2VjcmV0' },
          expiry: { N: String(Math.floor(nowMs / 1000) + 60) },
        },
      }),
    );
    await stores.messageStore.save(good);
    const logged = log.entries.length;

    expect(await stores.messageStore.fetch(uaid, { limit: 10, nowMs })).toEqual([good]);
    const entries = log.entries.slice(logged);
    expect(entries).toEqual([
      expect.objectContaining({ level: 'error', message: 'skipping malformed message item' }),
    ]);
    expect(JSON.stringify(entries)).not.toContain('c2VjcmV0');
  });

  it('treats a malformed router record as unknown, and says so in the log', async () => {
    const uaid = newUaid();
    await raw.send(
      new PutItemCommand({
        TableName: names.routerTable,
        Item: {
          uaid: { S: uaid },
          node_id: { S: 'not a node id!' },
          connected_at: { N: '1' },
          last_seen: { N: '1' },
        },
      }),
    );
    const logged = log.entries.length;
    expect(await stores.routerStore.get(uaid)).toBeUndefined();
    expect(log.entries.slice(logged)).toEqual([
      expect.objectContaining({ level: 'error', message: 'skipping malformed router item' }),
    ]);
  });

  it('treats a router record past its expiry as gone until registration starts it afresh', async () => {
    let nowMs = Date.now();
    const clock: Clock = { nowMs: () => nowMs };
    const client = createWireClient({ endpoint: server.endpoint });
    const store = new DynamoDbRouterStore({ client, tableName: names.routerTable, log, clock });
    try {
      const uaid = newUaid();
      const stale = newChannelId();
      await store.addChannel(uaid, stale, owner);
      nowMs += 61 * DAY_MS;

      expect(await store.get(uaid)).toBeUndefined();
      expect(await store.claim(uaid, { nodeId: 'node-b' as NodeId, connectedAtMs: nowMs })).toEqual(
        { kind: 'unknown' },
      );
      expect(await store.removeChannel(uaid, stale)).toBe(false);

      const fresh = newChannelId();
      await store.addChannel(uaid, fresh, { nodeId: 'node-b' as NodeId, connectedAtMs: nowMs });
      const record = await store.get(uaid);
      expect(record).toMatchObject({ nodeId: 'node-b', connectedAtMs: nowMs, lastSeenMs: nowMs });
      expect([...record!.channelIds]).toEqual([fresh]);
    } finally {
      client.destroy();
    }
  });
});
