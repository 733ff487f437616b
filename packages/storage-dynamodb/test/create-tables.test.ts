import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { startDynalite, startDynamoDbLocal } from '@herald/testkit';
import type { DynamoDbServerFixture } from '@herald/testkit';
import { createTables } from '../src';
import { uniqueTableNames } from './fresh-tables';
import { RecordingLogger } from './recording-logger';

describe.each([
  ['DynamoDB Local', startDynamoDbLocal],
  ['dynalite', () => startDynalite()],
])('createTables on %s', (_name, start: () => Promise<DynamoDbServerFixture>) => {
  let server: DynamoDbServerFixture;
  let client: DynamoDBClient;

  beforeAll(async () => {
    server = await start();
    client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('creates both tables once and reports them as existing afterwards', async () => {
    const names = uniqueTableNames();
    const options = { endpoint: server.endpoint, ...names, log: new RecordingLogger() };

    expect(await createTables(options)).toEqual({
      created: [names.routerTable, names.messageTable],
      existing: [],
    });
    expect(await createTables(options)).toEqual({
      created: [],
      existing: [names.routerTable, names.messageTable],
    });
  });

  it('leaves both tables ACTIVE, on demand, with the documented keys', async () => {
    const names = uniqueTableNames();
    await createTables({ endpoint: server.endpoint, ...names, log: new RecordingLogger() });

    const router = (await client.send(new DescribeTableCommand({ TableName: names.routerTable })))
      .Table!;
    const message = (await client.send(new DescribeTableCommand({ TableName: names.messageTable })))
      .Table!;
    expect(router.TableStatus).toBe('ACTIVE');
    expect(message.TableStatus).toBe('ACTIVE');
    expect(router.BillingModeSummary?.BillingMode).toBe('PAY_PER_REQUEST');
    expect(router.KeySchema).toEqual([{ AttributeName: 'uaid', KeyType: 'HASH' }]);
    expect(message.KeySchema).toEqual([
      { AttributeName: 'uaid', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ]);
  });
});

describe('createTables TTL', () => {
  let server: DynamoDbServerFixture;
  let client: DynamoDBClient;

  beforeAll(async () => {
    server = await startDynamoDbLocal();
    client = new DynamoDBClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });

  it('enables DynamoDB TTL on expiry for both tables where the server supports it', async () => {
    const names = uniqueTableNames();
    await createTables({ endpoint: server.endpoint, ...names, log: new RecordingLogger() });

    for (const table of [names.routerTable, names.messageTable]) {
      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table }));
      expect(ttl.TimeToLiveDescription).toMatchObject({
        TimeToLiveStatus: 'ENABLED',
        AttributeName: 'expiry',
      });
    }
  });
});
