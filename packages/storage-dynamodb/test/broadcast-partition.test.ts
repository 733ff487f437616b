import { GetItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { newUaid } from '@herald/core';
import { startDynalite, type DynamoDbServerFixture } from '@herald/testkit';
import { BROADCASTS_PARTITION, type DynamoDbStores } from '../src';
import { storesOnFreshTables, uniqueTableNames } from './fresh-tables';

describe('broadcasts in the message table', () => {
  let server: DynamoDbServerFixture;
  let stores: DynamoDbStores;
  let client: DynamoDBClient;
  let messageTable: string;

  beforeAll(async () => {
    server = await startDynalite();
    const names = uniqueTableNames();
    messageTable = names.messageTable;
    stores = await storesOnFreshTables(server.endpoint, names);
    client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'heraldlocal', secretAccessKey: 'heraldlocal' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    stores?.close();
    await server?.stop();
  });

  it('live under the reserved uaid "broadcasts" with the id as sort key and no expiry', async () => {
    await stores.broadcastStore.set('remote-settings/monitor_changes', '"42"');
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: messageTable,
        Key: { uaid: { S: BROADCASTS_PARTITION }, sk: { S: 'remote-settings/monitor_changes' } },
      }),
    );
    expect(Item).toEqual({
      uaid: { S: 'broadcasts' },
      sk: { S: 'remote-settings/monitor_changes' },
      version: { S: '"42"' },
    });
  });

  it('are never read as a user agent’s messages', async () => {
    await stores.broadcastStore.set('b', '1');
    const uaid = newUaid();
    expect(uaid).not.toBe(BROADCASTS_PARTITION);
    expect(await stores.messageStore.fetch(uaid, { limit: 10, nowMs: Date.now() })).toEqual([]);
  });
});
