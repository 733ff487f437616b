import { newUaid } from '@herald/core';
import type { Notification } from '@herald/core';
import { startDynalite, startDynamoDbLocal } from '@herald/testkit';
import type { DynamoDbServerFixture } from '@herald/testkit';
import { Registry } from 'prom-client';
import { createDynamoDbStores, createTables } from '../src';
import type { DynamoDbStores } from '../src';
import { uniqueTableNames } from './fresh-tables';
import { storedNotification } from './message-fixtures';
import { RecordingLogger } from './recording-logger';

/** How many calls of `operation` the stores have sent, from their duration histogram. */
async function calls(registry: Registry, operation: string): Promise<number> {
  const metric = registry.getSingleMetric('herald_dynamodb_call_duration_seconds')!;
  const { values } = await metric.get();
  const count = values.find(
    (v) =>
      v.labels.operation === operation &&
      (v as { metricName?: string }).metricName?.endsWith('_count') === true,
  );
  return count?.value ?? 0;
}

describe.each([
  ['dynalite', () => startDynalite()],
  ['DynamoDB Local', startDynamoDbLocal],
])('acks of stored messages on %s', (_name, start: () => Promise<DynamoDbServerFixture>) => {
  let server: DynamoDbServerFixture;
  let stores: DynamoDbStores;
  let registry: Registry;

  beforeAll(async () => {
    server = await start();
    const options = {
      endpoint: server.endpoint,
      ...uniqueTableNames(),
      log: new RecordingLogger(),
    };
    await createTables(options);
    registry = new Registry();
    stores = createDynamoDbStores({ ...options, registry });
  });
  afterAll(async () => {
    stores?.close();
    await server?.stop();
  });

  async function saveAll(notifications: readonly Notification[]): Promise<void> {
    for (const n of notifications) await stores.messageStore.save(n);
  }
  function ack(n: Notification): Promise<void> {
    return stores.messageStore.delete(n.uaid, n.storageKey, n.messageId);
  }
  async function stored(uaid: Notification['uaid']): Promise<string[]> {
    const rows = await stores.messageStore.fetch(uaid, { limit: 100, nowMs: Date.now() });
    return rows.map((n) => n.messageId);
  }

  it('deletes 60 messages acked at once with three BatchWriteItems and no DeleteItem', async () => {
    const uaids = [newUaid(), newUaid(), newUaid()];
    const messages = uaids.flatMap((uaid) =>
      Array.from({ length: 20 }, () => storedNotification(uaid)),
    );
    await saveAll(messages);
    const batchesBefore = await calls(registry, 'BatchWriteItem');
    const deletesBefore = await calls(registry, 'DeleteItem');

    await Promise.all(messages.map(ack));

    for (const uaid of uaids) expect(await stored(uaid)).toEqual([]);
    expect((await calls(registry, 'BatchWriteItem')) - batchesBefore).toBe(3);
    expect((await calls(registry, 'DeleteItem')) - deletesBefore).toBe(0);
  });

  it('never deletes a topic message that replaced the acked one, even amid batched acks', async () => {
    const uaid = newUaid();
    const original = storedNotification(uaid, { topic: 'score' });
    const replacement = {
      ...storedNotification(uaid, { topic: 'score', channelId: original.channelId }),
    };
    expect(replacement.storageKey).toBe(original.storageKey);
    const others = Array.from({ length: 10 }, () => storedNotification(uaid));
    await saveAll([original, ...others, replacement]);

    await Promise.all([...others.map(ack), ack(original)]);

    expect(await stored(uaid)).toEqual([replacement.messageId]);
  });

  it('sends a row acked twice within one window once and settles both acks', async () => {
    const uaid = newUaid();
    const [twice, once] = [storedNotification(uaid), storedNotification(uaid)];
    await saveAll([twice, once]);
    const batchesBefore = await calls(registry, 'BatchWriteItem');

    // DynamoDB refuses a batch that names one key twice: the duplicate must be merged.
    await Promise.all([ack(twice), ack(once), ack(twice)]);

    expect(await stored(uaid)).toEqual([]);
    expect((await calls(registry, 'BatchWriteItem')) - batchesBefore).toBe(1);
  });
});
