import {
  newChannelId,
  newUaid,
  StorageUnavailableError,
  type MessageId,
  type NodeId,
} from '@herald/core';
import { createDynamoDbStores, createTables } from '../src';
import { closedPort } from './closed-port';
import { uniqueTableNames } from './fresh-tables';
import { RecordingLogger } from './recording-logger';

describe('DynamoDB stores when the database is unreachable', () => {
  let endpoint: string;

  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`;
  });

  it('reject every operation with StorageUnavailableError carrying the SDK error as cause', async () => {
    const stores = createDynamoDbStores({
      endpoint,
      ...uniqueTableNames(),
      requestTimeoutMs: 500,
      log: new RecordingLogger(),
    });
    const uaid = newUaid();
    const channelId = newChannelId();
    const owner = { nodeId: 'node-a' as NodeId, connectedAtMs: 1 };
    try {
      const calls: Array<() => Promise<unknown>> = [
        () => stores.ping(),
        () => stores.routerStore.get(uaid),
        () => stores.routerStore.claim(uaid, owner),
        () => stores.routerStore.addChannel(uaid, channelId, owner),
        () => stores.routerStore.removeChannel(uaid, channelId),
        () => stores.routerStore.remove(uaid),
        () => stores.messageStore.fetch(uaid, { limit: 10, nowMs: Date.now() }),
        () => stores.messageStore.delete(uaid, '02:0:x', 'm' as MessageId),
        () => stores.messageStore.deleteAll(uaid),
        () =>
          stores.messageStore.save({
            uaid,
            channelId,
            messageId: 'm' as MessageId,
            storageKey: `01:${channelId}:t`,
            ttlSeconds: 60,
            receivedAtMs: Date.now(),
            urgency: 'normal',
          }),
      ];
      for (const call of calls) {
        const error: unknown = await call().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(StorageUnavailableError);
        expect((error as Error).cause).toBeDefined();
      }
    } finally {
      stores.close();
    }
  });

  it('makes createTables reject with StorageUnavailableError', async () => {
    await expect(
      createTables({
        endpoint,
        ...uniqueTableNames(),
        requestTimeoutMs: 500,
        log: new RecordingLogger(),
      }),
    ).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
