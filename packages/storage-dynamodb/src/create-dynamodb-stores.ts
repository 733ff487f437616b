import type { BroadcastStore, MessageStore, RouterStore } from '@herald/core';
import type { Registry } from 'prom-client';
import { DynamoDbBroadcastStore } from './dynamodb-broadcast-store';
import { createWireClient } from './dynamodb-client';
import type { DynamoDbStoresOptions } from './dynamodb-client';
import { createDynamoDbCallMetrics } from './dynamodb-metrics';
import { DynamoDbMessageStore } from './dynamodb-message-store';
import { DynamoDbRouterStore } from './dynamodb-router-store';
import { attempt } from './storage-failure';

export interface DynamoDbStores {
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  /** Broadcast versions, in the message table's reserved `broadcasts` partition. */
  readonly broadcastStore: BroadcastStore;
  /**
   * Resolves when both tables answer a read; rejects with `StorageUnavailableError`
   * otherwise (missing table, bad credentials, unreachable endpoint). For health checks.
   */
  ping(): Promise<void>;
  /**
   * Releases the HTTP connections and rejects acks still waiting to be batched (their rows
   * stay stored). The stores must not be used afterwards.
   */
  close(): void;
}

/** A key no uaid can have (uaids are hex), so the ping reads nothing. */
const PING_KEY = 'herald-ping';

export interface CreateDynamoDbStoresOptions extends DynamoDbStoresOptions {
  /**
   * Where the DynamoDB call metrics are declared (`herald_dynamodb_*`, dynamodb-metrics.ts);
   * absent → nothing is measured. One set of stores per registry.
   */
  readonly registry?: Registry;
}

/**
 * The router, message and broadcast stores over one shared wire client (one bounded
 * connection pool). Nothing connects until the first call.
 */
export function createDynamoDbStores(options: CreateDynamoDbStoresOptions): DynamoDbStores {
  const client = createWireClient(
    options,
    options.registry !== undefined ? createDynamoDbCallMetrics(options.registry) : undefined,
  );
  const log = options.log.child({ component: 'storage-dynamodb' });
  // A data-plane read rather than DescribeTable: control-plane calls are rate-limited
  // per account, and heartbeats from many nodes would eat into that budget.
  const probe = (table: string, key: Record<string, { S: string }>) =>
    attempt(`GetItem ${table} (ping)`, () =>
      client.send('GetItem', { TableName: table, Key: key }),
    );
  const messageStore = new DynamoDbMessageStore({
    client,
    tableName: options.messageTable,
    log,
  });
  return {
    routerStore: new DynamoDbRouterStore({ client, tableName: options.routerTable, log }),
    messageStore,
    broadcastStore: new DynamoDbBroadcastStore({ client, tableName: options.messageTable, log }),
    async ping() {
      // allSettled: a ping must not settle while its other request is still in flight.
      const results = await Promise.allSettled([
        probe(options.routerTable, { uaid: { S: PING_KEY } }),
        probe(options.messageTable, { uaid: { S: PING_KEY }, sk: { S: PING_KEY } }),
      ]);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
    },
    close() {
      messageStore.close();
      client.destroy();
    },
  };
}
