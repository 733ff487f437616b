import type { DynamoDbWireClient } from './wire/dynamodb-wire-client';
import type { Logger, MessageId, MessageStore, Notification, Uaid } from '@herald/core';
import { numberValue, stringValue } from './attribute-values';
import type { Item } from './attribute-values';
import { deleteKeys } from './batch-delete';
import { CoalescedDeletes, DEFAULT_COALESCE_WINDOW_MS } from './coalesced-deletes';
import { decodeMessageItem, encodeMessageItem, isSingleUseStorageKey } from './message-item-codec';
import { attempt, isConditionalCheckFailed, storageUnavailable } from './storage-failure';

export interface DynamoDbMessageStoreOptions {
  readonly client: DynamoDbWireClient;
  readonly tableName: string;
  readonly log: Logger;
  /**
   * How long an ack's delete waits for others to share its BatchWriteItem.
   * Default {@link DEFAULT_COALESCE_WINDOW_MS}.
   */
  readonly deleteWindowMs?: number;
}

/**
 * `MessageStore` on the message table: one partition per uaid, sorted by storage key.
 * Because `01:` sorts before `02:`, one ascending Query yields the drain order the port
 * promises (topic rows, then arrival order) without a second range query.
 *
 * Deletes of arrival-ordered rows (most acks) are coalesced into BatchWriteItems of up to
 * 25 for a few milliseconds; topic rows are deleted one by one, on a condition.
 */
export class DynamoDbMessageStore implements MessageStore {
  private readonly client: DynamoDbWireClient;
  private readonly tableName: string;
  private readonly log: Logger;
  private readonly coalescedDeletes: CoalescedDeletes;

  constructor(options: DynamoDbMessageStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.log = options.log;
    this.coalescedDeletes = new CoalescedDeletes({
      client: options.client,
      tableName: options.tableName,
      windowMs: options.deleteWindowMs ?? DEFAULT_COALESCE_WINDOW_MS,
    });
  }

  async save(notification: Notification): Promise<void> {
    // An unconditional put: a topic message replaces the whole older row, attributes
    // it lacks (data, headers) included.
    await attempt('PutItem message', () =>
      this.client.send('PutItem', {
        TableName: this.tableName,
        Item: encodeMessageItem(notification),
      }),
    );
  }

  async fetch(uaid: Uaid, options: { limit: number; nowMs: number }): Promise<Notification[]> {
    const notifications: Notification[] = [];
    if (options.limit < 1) return notifications;
    let startKey: Item | undefined;
    do {
      const output = await attempt('Query message', () =>
        this.client.send('Query', {
          TableName: this.tableName,
          KeyConditionExpression: 'uaid = :u',
          // DynamoDB deletes expired rows up to 48 h late, so the read hides them itself.
          FilterExpression: 'expiry > :now',
          ExpressionAttributeValues: {
            ':u': stringValue(uaid),
            ':now': numberValue(Math.floor(options.nowMs / 1000)),
          },
          ConsistentRead: true,
          // Limit counts rows read before the filter, so a page can come back short
          // (or empty) while more live rows follow: keep paging until full or done.
          Limit: options.limit - notifications.length,
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      for (const item of output.Items ?? []) {
        const decoded = decodeMessageItem(uaid, item);
        if (decoded.ok) notifications.push(decoded.value);
        else
          this.log.error(
            { table: this.tableName, reason: decoded.reason },
            'skipping malformed message item',
          );
      }
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined && notifications.length < options.limit);
    return notifications.slice(0, options.limit);
  }

  async delete(uaid: Uaid, storageKey: string, messageId: MessageId): Promise<void> {
    // No other message can hold this row, so the condition below could only ever hold.
    if (isSingleUseStorageKey(storageKey)) return this.coalescedDeletes.delete(uaid, storageKey);
    try {
      await this.client.send('DeleteItem', {
        TableName: this.tableName,
        Key: { uaid: stringValue(uaid), sk: stringValue(storageKey) },
        // A topic row may since hold a newer message; an old ack must leave it alone.
        ConditionExpression: 'message_id = :m',
        ExpressionAttributeValues: { ':m': stringValue(messageId) },
      });
    } catch (error) {
      // Replaced or already gone: both mean this message is no longer stored.
      if (isConditionalCheckFailed(error)) return;
      throw storageUnavailable('DeleteItem message', error);
    }
  }

  async deleteAll(uaid: Uaid): Promise<void> {
    let startKey: Item | undefined;
    do {
      const output = await attempt('Query message keys', () =>
        this.client.send('Query', {
          TableName: this.tableName,
          KeyConditionExpression: 'uaid = :u',
          ExpressionAttributeValues: { ':u': stringValue(uaid) },
          ProjectionExpression: 'uaid, sk',
          ConsistentRead: true,
          ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      await deleteKeys(this.client, this.tableName, output.Items ?? []);
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
  }

  /** Rejects deletes still waiting to be batched; see `CoalescedDeletes.close`. */
  close(): void {
    this.coalescedDeletes.close();
  }
}
