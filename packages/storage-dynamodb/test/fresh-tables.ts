import { randomBytes } from 'node:crypto';
import type { BroadcastStore, MessageStore, RouterStore } from '@herald/core';
import type { StoreFixture } from '@herald/testkit';
import { createDynamoDbStores, createTables } from '../src';
import type { DynamoDbStores } from '../src';
import { RecordingLogger } from './recording-logger';

/** Table names no other suite on the same server uses. */
export function uniqueTableNames(): { routerTable: string; messageTable: string } {
  const suffix = randomBytes(6).toString('hex');
  return { routerTable: `herald_router_${suffix}`, messageTable: `herald_message_${suffix}` };
}

/** Creates a fresh pair of tables on the server at `endpoint` and stores over them. */
export async function storesOnFreshTables(
  endpoint: string,
  names: { routerTable: string; messageTable: string } = uniqueTableNames(),
): Promise<DynamoDbStores> {
  const log = new RecordingLogger();
  const options = { endpoint, ...names, log };
  await createTables(options);
  return createDynamoDbStores(options);
}

/** Contract factories over fresh tables on the server `endpoint()` names when called. */
export function contractFactories(endpoint: () => string): {
  router: () => Promise<StoreFixture<RouterStore>>;
  message: () => Promise<StoreFixture<MessageStore>>;
  broadcast: () => Promise<StoreFixture<BroadcastStore>>;
} {
  return {
    async router() {
      const stores = await storesOnFreshTables(endpoint());
      return { store: stores.routerStore, dispose: () => stores.close() };
    },
    async message() {
      const stores = await storesOnFreshTables(endpoint());
      return { store: stores.messageStore, dispose: () => stores.close() };
    },
    async broadcast() {
      const stores = await storesOnFreshTables(endpoint());
      return { store: stores.broadcastStore, dispose: () => stores.close() };
    },
  };
}
