import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { MessageStore, RouterStore } from '@herald/core';
import { createDynamoDbClient } from './dynamodb-client';
import type { DynamoDbStoresOptions } from './dynamodb-client';
import { DynamoDbMessageStore } from './dynamodb-message-store';
import { DynamoDbRouterStore } from './dynamodb-router-store';
import { attempt } from './storage-failure';

export interface DynamoDbStores {
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  /**
   * Resolves when both tables answer a read; rejects with `StorageUnavailableError`
   * otherwise (missing table, bad credentials, unreachable endpoint). For health checks.
   */
  ping(): Promise<void>;
  /** Releases the HTTP connections. The stores must not be used afterwards. */
  close(): void;
}

/** A key no uaid can have (uaids are hex), so the ping reads nothing. */
const PING_KEY = 'herald-ping';

/** The router and message stores over one shared SDK client. */
export function createDynamoDbStores(options: DynamoDbStoresOptions): DynamoDbStores {
  const client = createDynamoDbClient(options);
  const log = options.log.child({ component: 'storage-dynamodb' });
  // A data-plane read rather than DescribeTable: control-plane calls are rate-limited
  // per account, and heartbeats from many nodes would eat into that budget.
  const probe = (table: string, key: Record<string, { S: string }>) =>
    attempt(`GetItem ${table} (ping)`, () =>
      client.send(new GetItemCommand({ TableName: table, Key: key })),
    );
  return {
    routerStore: new DynamoDbRouterStore({ client, tableName: options.routerTable, log }),
    messageStore: new DynamoDbMessageStore({ client, tableName: options.messageTable, log }),
    async ping() {
      // allSettled: a ping must not settle while its other request is still in flight.
      const results = await Promise.allSettled([
        probe(options.routerTable, { uaid: { S: PING_KEY } }),
        probe(options.messageTable, { uaid: { S: PING_KEY }, sk: { S: PING_KEY } }),
      ]);
      for (const result of results) if (result.status === 'rejected') throw result.reason;
    },
    close() {
      client.destroy();
    },
  };
}
