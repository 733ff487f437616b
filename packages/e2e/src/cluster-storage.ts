import { parseUaid, type Logger, type RouterRecord } from '@herald/core';
import { createDynamoDbStores, type DynamoDbStores } from '@herald/storage-dynamodb';
import type { HeraldCluster } from './cluster';

const quietLog: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => quietLog,
};

/**
 * Reads the cluster's DynamoDB tables through the product's own adapter, so tests can
 * say where the router table points a uaid and what is still stored for it.
 * `close()` in `afterAll`.
 */
export class ClusterStorage {
  private readonly stores: DynamoDbStores;

  constructor(cluster: HeraldCluster) {
    this.stores = createDynamoDbStores({
      endpoint: cluster.dynamoDb.endpoint,
      routerTable: 'herald_router',
      messageTable: 'herald_message',
      log: quietLog,
    });
  }

  /** The router record of a uaid as a user agent reported it; undefined when unknown. */
  async routerRecord(uaid: string): Promise<RouterRecord | undefined> {
    const parsed = parseUaid(uaid);
    if (parsed === undefined) throw new Error(`not a uaid: ${uaid}`);
    return this.stores.routerStore.get(parsed);
  }

  /** How many unexpired messages are stored for the uaid (up to `limit`). */
  async storedCount(uaid: string, limit = 100): Promise<number> {
    const parsed = parseUaid(uaid);
    if (parsed === undefined) throw new Error(`not a uaid: ${uaid}`);
    const stored = await this.stores.messageStore.fetch(parsed, { limit, nowMs: Date.now() });
    return stored.length;
  }

  close(): void {
    this.stores.close();
  }
}
