import { DeleteItemCommand, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger, MessageId, MessageStore, Notification, Uaid } from '@herald/core';
import { numberValue, stringValue } from './attribute-values';
import type { Item } from './attribute-values';
import { deleteKeys } from './batch-delete';
import { decodeMessageItem, encodeMessageItem } from './message-item-codec';
import { attempt, isConditionalCheckFailed, storageUnavailable } from './storage-failure';

export interface DynamoDbMessageStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  readonly log: Logger;
}

/**
 * `MessageStore` on the message table: one partition per uaid, sorted by storage key.
 * Because `01:` sorts before `02:`, one ascending Query yields the drain order the port
 * promises (topic rows, then arrival order) without a second range query.
 */
export class DynamoDbMessageStore implements MessageStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly log: Logger;

  constructor(options: DynamoDbMessageStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.log = options.log;
  }

  async save(notification: Notification): Promise<void> {
    // An unconditional put: a topic message replaces the whole older row, attributes
    // it lacks (data, headers) included.
    await attempt('PutItem message', () =>
      this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: encodeMessageItem(notification) }),
      ),
    );
  }

  async fetch(uaid: Uaid, options: { limit: number; nowMs: number }): Promise<Notification[]> {
    const notifications: Notification[] = [];
    if (options.limit < 1) return notifications;
    let startKey: Item | undefined;
    do {
      const output = await attempt('Query message', () =>
        this.client.send(
          new QueryCommand({
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
        ),
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
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { uaid: stringValue(uaid), sk: stringValue(storageKey) },
          // A topic row may since hold a newer message; an old ack must leave it alone.
          ConditionExpression: 'message_id = :m',
          ExpressionAttributeValues: { ':m': stringValue(messageId) },
        }),
      );
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
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: 'uaid = :u',
            ExpressionAttributeValues: { ':u': stringValue(uaid) },
            ProjectionExpression: 'uaid, sk',
            ConsistentRead: true,
            ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
          }),
        ),
      );
      await deleteKeys(this.client, this.tableName, output.Items ?? []);
      startKey = output.LastEvaluatedKey;
    } while (startKey !== undefined);
  }
}
