import type { DynamoDbWireClient } from './wire/dynamodb-wire-client';
import type { Broadcasts, BroadcastStore, Logger } from '@herald/core';
import { readString, stringValue } from './attribute-values';
import type { Item } from './attribute-values';
import { attempt } from './storage-failure';

/**
 * The reserved partition of the message table that holds broadcast versions. A real uaid
 * is 32 lowercase hex characters, so no user agent's messages can ever share it, and the
 * message store's reads (always keyed by a uaid) never see these rows.
 */
export const BROADCASTS_PARTITION = 'broadcasts';

export interface DynamoDbBroadcastStoreOptions {
  readonly client: DynamoDbWireClient;
  /** The message table. */
  readonly tableName: string;
  readonly log: Logger;
}

/**
 * `BroadcastStore` on the message table: one row per broadcast id, `uaid = "broadcasts"`,
 * `sk = <broadcast id>`, `version` S. No `expiry`: a broadcast lives until an operator
 * changes it. `list` is one strongly consistent Query of the partition (paged), so a
 * version set on one node is seen by the next poll of every other node.
 */
export class DynamoDbBroadcastStore implements BroadcastStore {
  private readonly client: DynamoDbWireClient;
  private readonly tableName: string;
  private readonly log: Logger;

  constructor(options: DynamoDbBroadcastStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.log = options.log;
  }

  async list(): Promise<Broadcasts> {
    const broadcasts: Record<string, string> = {};
    let startKey: Item | undefined;
    do {
      const output = await attempt('Query broadcasts', () =>
        this.client.send('Query', {
          TableName: this.tableName,
          KeyConditionExpression: 'uaid = :b',
          ExpressionAttributeValues: { ':b': stringValue(BROADCASTS_PARTITION) },
          ProjectionExpression: 'sk, version',
          ConsistentRead: true,
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of output.Items ?? []) {
        const id = readString(item, 'sk');
        const version = readString(item, 'version');
        if (typeof id === 'string' && id !== '' && typeof version === 'string') {
          broadcasts[id] = version;
        } else {
          this.log.error({ table: this.tableName }, 'skipping malformed broadcast item');
        }
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
    return broadcasts;
  }

  async set(broadcastId: string, version: string): Promise<void> {
    // An unconditional put: setting the same version twice is a no-op in effect, and the
    // last writer wins, which is what an operator re-running a command expects.
    await attempt('PutItem broadcast', () =>
      this.client.send('PutItem', {
        TableName: this.tableName,
        Item: {
          uaid: stringValue(BROADCASTS_PARTITION),
          sk: stringValue(broadcastId),
          version: stringValue(version),
        },
      }),
    );
  }
}
