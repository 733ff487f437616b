/**
 * The stores the endpoint tests run against: the production DynamoDB adapters on a
 * dynalite server of their own, so conditional writes, topic replacement and expiry
 * are the real ones, not a mock's.
 */
import type { Logger, MessageStore, RouterStore } from '@herald/core';
import { createDynamoDbStores, createTables } from '@herald/storage-dynamodb';
import { startDynalite } from '@herald/testkit';

export interface TestStores {
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  /** Stops the database under the stores (they stay open): every call then fails. */
  stopDatabase(): Promise<void>;
  close(): Promise<void>;
}

export async function openTestStores(log: Logger): Promise<TestStores> {
  const dynalite = await startDynalite();
  const options = {
    endpoint: dynalite.endpoint,
    routerTable: 'herald_router',
    messageTable: 'herald_message',
    // A stopped database must turn into a 503 quickly, not after the production timeout.
    requestTimeoutMs: 1_000,
    log,
  };
  try {
    await createTables(options);
  } catch (error) {
    await dynalite.stop();
    throw error;
  }
  const stores = createDynamoDbStores(options);
  return {
    routerStore: stores.routerStore,
    messageStore: stores.messageStore,
    stopDatabase: () => dynalite.stop(),
    async close() {
      stores.close();
      await dynalite.stop();
    },
  };
}
