import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { BroadcastStore, MessageStore, RouterStore } from '@herald/core';
import type { Registry } from 'prom-client';
import { DynamoDbBroadcastStore } from './dynamodb-broadcast-store';
import { createDynamoDbClient } from './dynamodb-client';
import type { DynamoDbStoresOptions } from './dynamodb-client';
import { instrumentDynamoDbClient } from './dynamodb-metrics';
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
  /** Releases the HTTP connections. The stores must not be used afterwards. */
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

/** The router, message and broadcast stores over one shared SDK client. */
export function createDynamoDbStores(options: CreateDynamoDbStoresOptions): DynamoDbStores {
  const client = createDynamoDbClient(options);
  if (options.registry !== undefined) instrumentDynamoDbClient(client, options.registry);
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
      client.destroy();
    },
  };
}
