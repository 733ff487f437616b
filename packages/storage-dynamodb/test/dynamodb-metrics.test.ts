import { createServer, type AddressInfo } from 'node:net';
import { newChannelId, newUaid, type MessageId } from '@herald/core';
import { startDynalite, type DynamoDbServerFixture } from '@herald/testkit';
import { Registry } from 'prom-client';
import { createDynamoDbStores, createTables } from '../src';
import { uniqueTableNames } from './fresh-tables';
import { RecordingLogger } from './recording-logger';

/** The value of one series of a counter or histogram `_count`, 0 when absent. */
async function seriesValue(
  registry: Registry,
  name: string,
  operation: string,
  suffix: '' | '_count' = '',
): Promise<number> {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`${name} is not registered`);
  const { values } = await metric.get();
  // Histogram values carry the series name (`…_count`); counter values do not.
  const series = values.find(
    (v) =>
      v.labels.operation === operation &&
      (suffix === '' || (v as { metricName?: string }).metricName === name + suffix),
  );
  return series?.value ?? 0;
}

describe('DynamoDB call metrics', () => {
  let server: DynamoDbServerFixture;
  beforeAll(async () => {
    server = await startDynalite();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('declares nothing and measures nothing without a registry', async () => {
    const options = {
      endpoint: server.endpoint,
      ...uniqueTableNames(),
      log: new RecordingLogger(),
    };
    await createTables(options);
    const stores = createDynamoDbStores(options);
    try {
      await stores.ping();
    } finally {
      stores.close();
    }
  });

  it('times every call by its API action', async () => {
    const registry = new Registry();
    const options = {
      endpoint: server.endpoint,
      ...uniqueTableNames(),
      log: new RecordingLogger(),
    };
    await createTables(options);
    const stores = createDynamoDbStores({ ...options, registry });
    try {
      await stores.ping();
      await stores.broadcastStore.set('a', '1');
      await stores.broadcastStore.list();
      await stores.messageStore.fetch(newUaid(), { limit: 10, nowMs: Date.now() });
      const name = 'herald_dynamodb_call_duration_seconds';
      expect(await seriesValue(registry, name, 'GetItem', '_count')).toBe(2);
      expect(await seriesValue(registry, name, 'PutItem', '_count')).toBe(1);
      expect(await seriesValue(registry, name, 'Query', '_count')).toBe(2);
      expect(await seriesValue(registry, 'herald_dynamodb_errors_total', 'GetItem')).toBe(0);
    } finally {
      stores.close();
    }
  });

  it('does not count a failed condition (an old ack) as an error', async () => {
    const registry = new Registry();
    const options = {
      endpoint: server.endpoint,
      ...uniqueTableNames(),
      log: new RecordingLogger(),
    };
    await createTables(options);
    const stores = createDynamoDbStores({ ...options, registry });
    try {
      const uaid = newUaid();
      await stores.messageStore.delete(uaid, `02:0:${newChannelId()}`, 'gone' as MessageId);
      expect(
        await seriesValue(
          registry,
          'herald_dynamodb_call_duration_seconds',
          'DeleteItem',
          '_count',
        ),
      ).toBe(1);
      expect(await seriesValue(registry, 'herald_dynamodb_errors_total', 'DeleteItem')).toBe(0);
    } finally {
      stores.close();
    }
  });

  it('counts a call that fails after its retries as an error of its action', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const registry = new Registry();
    const stores = createDynamoDbStores({
      endpoint: `http://127.0.0.1:${port}`,
      ...uniqueTableNames(),
      requestTimeoutMs: 300,
      log: new RecordingLogger(),
      registry,
    });
    try {
      await expect(stores.broadcastStore.list()).rejects.toThrow(/Query broadcasts/);
      expect(await seriesValue(registry, 'herald_dynamodb_errors_total', 'Query')).toBe(1);
      expect(
        await seriesValue(registry, 'herald_dynamodb_call_duration_seconds', 'Query', '_count'),
      ).toBe(1);
    } finally {
      stores.close();
    }
  });
});
