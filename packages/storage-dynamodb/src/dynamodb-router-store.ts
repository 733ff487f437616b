import type { DynamoDbWireClient } from './wire/dynamodb-wire-client';
import { StorageUnavailableError, systemClock } from '@herald/core';
import type {
  ChannelId,
  ClaimOutcome,
  Clock,
  Logger,
  Owner,
  RouterRecord,
  RouterStore,
  Uaid,
} from '@herald/core';
import { numberValue, stringValue } from './attribute-values';
import type { Item } from './attribute-values';
import {
  decodeChannels,
  decodeOwner,
  decodeRouterItem,
  isRouterItemExpired,
  routerKey,
} from './router-item-codec';
import { attempt, isConditionalCheckFailed, storageUnavailable } from './storage-failure';
import { ROUTER_RECORD_LIFETIME_SECONDS } from './table-definitions';

export interface DynamoDbRouterStoreOptions {
  readonly client: DynamoDbWireClient;
  readonly tableName: string;
  readonly log: Logger;
  /** Stamps `last_seen` and the record's expiry. Default: the system clock. */
  readonly clock?: Clock;
}

/**
 * `RouterStore` on the router table. Every write is a single conditional or atomic
 * UpdateItem, so concurrent nodes never read-modify-write a record.
 */
export class DynamoDbRouterStore implements RouterStore {
  private readonly client: DynamoDbWireClient;
  private readonly tableName: string;
  private readonly log: Logger;
  private readonly clock: Clock;

  constructor(options: DynamoDbRouterStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.log = options.log;
    this.clock = options.clock ?? systemClock;
  }

  async get(uaid: Uaid): Promise<RouterRecord | undefined> {
    const output = await attempt('GetItem router', () =>
      this.client.send('GetItem', {
        TableName: this.tableName,
        Key: routerKey(uaid),
        ConsistentRead: true,
      }),
    );
    if (output.Item === undefined || isRouterItemExpired(output.Item, this.clock.nowMs()))
      return undefined;
    const decoded = decodeRouterItem(output.Item);
    if (decoded.ok) return decoded.value;
    // A record we cannot read is treated as absent: the user agent re-registers, which
    // is autopush's answer to a bad record too.
    this.log.error(
      { table: this.tableName, reason: decoded.reason },
      'skipping malformed router item',
    );
    return undefined;
  }

  async claim(uaid: Uaid, owner: Owner): Promise<ClaimOutcome> {
    const lastSeenMs = this.clock.nowMs();
    let old: Item | undefined;
    try {
      const output = await this.client.send('UpdateItem', {
        TableName: this.tableName,
        Key: routerKey(uaid),
        UpdateExpression: 'SET node_id = :n, connected_at = :c, last_seen = :s, expiry = :e',
        // attribute_exists keeps a claim from resurrecting a record that was reset; the
        // expiry test treats a record TTL has not yet deleted as the absent one it is.
        ConditionExpression: 'attribute_exists(uaid) AND connected_at < :c AND expiry > :now',
        ExpressionAttributeValues: {
          ':n': stringValue(owner.nodeId),
          ':c': numberValue(owner.connectedAtMs),
          ':now': numberValue(Math.floor(lastSeenMs / 1000)),
          ...freshness(lastSeenMs),
        },
        ReturnValues: 'ALL_OLD',
      });
      old = output.Attributes;
    } catch (error) {
      if (!isConditionalCheckFailed(error))
        throw storageUnavailable('UpdateItem router (claim)', error);
      // Either there is no record or a newer connection holds it; only a read tells which.
      return (await this.get(uaid)) === undefined ? { kind: 'unknown' } : { kind: 'superseded' };
    }
    const previous = old === undefined ? undefined : decodeOwner(old);
    const channels = old === undefined ? undefined : decodeChannels(old);
    if (previous === undefined || channels === undefined || !previous.ok || !channels.ok) {
      const reason =
        previous?.ok === false
          ? previous.reason
          : channels?.ok === false
            ? channels.reason
            : 'no old image';
      this.log.error({ table: this.tableName, reason }, 'claimed a malformed router item');
      return { kind: 'unknown' };
    }
    return {
      kind: 'claimed',
      record: { uaid, ...pickOwner(owner), channelIds: channels.value, lastSeenMs },
      previous: previous.value,
    };
  }

  async addChannel(uaid: Uaid, channelId: ChannelId, owner: Owner): Promise<void> {
    const nowMs = this.clock.nowMs();
    if (await this.addToLiveOrNewRecord(uaid, channelId, owner, nowMs)) return;
    // The record has expired but TTL has not deleted it yet: it must not come back with
    // its old channels, so delete it (only if still expired) and create a fresh one.
    await attempt('DeleteItem router (expired)', async () => {
      try {
        await this.client.send('DeleteItem', {
          TableName: this.tableName,
          Key: routerKey(uaid),
          ConditionExpression: 'NOT (expiry > :now)',
          ExpressionAttributeValues: { ':now': numberValue(Math.floor(nowMs / 1000)) },
        });
      } catch (error) {
        // Someone else refreshed or replaced it meanwhile; the retry below sorts it out.
        if (!isConditionalCheckFailed(error)) throw error;
      }
    });
    if (!(await this.addToLiveOrNewRecord(uaid, channelId, owner, nowMs))) {
      throw new StorageUnavailableError(
        'DynamoDB UpdateItem router (addChannel) kept failing its condition',
      );
    }
  }

  /** Adds the channel unless the record exists and has expired; false in that case. */
  private async addToLiveOrNewRecord(
    uaid: Uaid,
    channelId: ChannelId,
    owner: Owner,
    nowMs: number,
  ): Promise<boolean> {
    try {
      await this.client.send('UpdateItem', {
        TableName: this.tableName,
        Key: routerKey(uaid),
        // if_not_exists: registering on an existing record must not steal ownership
        // from a newer connection; the owner is only set when this creates the record.
        UpdateExpression:
          'ADD channels :ch SET node_id = if_not_exists(node_id, :n), connected_at = if_not_exists(connected_at, :c), last_seen = :s, expiry = :e',
        ConditionExpression: 'attribute_not_exists(uaid) OR expiry > :now',
        ExpressionAttributeValues: {
          ':ch': { SS: [channelId] },
          ':n': stringValue(owner.nodeId),
          ':c': numberValue(owner.connectedAtMs),
          ':now': numberValue(Math.floor(nowMs / 1000)),
          ...freshness(nowMs),
        },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw storageUnavailable('UpdateItem router (addChannel)', error);
    }
  }

  async removeChannel(uaid: Uaid, channelId: ChannelId): Promise<boolean> {
    const nowMs = this.clock.nowMs();
    try {
      await this.client.send('UpdateItem', {
        TableName: this.tableName,
        Key: routerKey(uaid),
        // DELETE on the last member removes the attribute: DynamoDB has no empty sets.
        UpdateExpression: 'DELETE channels :ch SET last_seen = :s, expiry = :e',
        // The condition decides the answer in the same atomic step, and keeps the
        // update from creating a bare record for an unknown (or expired) uaid.
        ConditionExpression: 'attribute_exists(uaid) AND expiry > :now AND contains(channels, :id)',
        ExpressionAttributeValues: {
          ':ch': { SS: [channelId] },
          ':id': stringValue(channelId),
          ':now': numberValue(Math.floor(nowMs / 1000)),
          ...freshness(nowMs),
        },
      });
      return true;
    } catch (error) {
      if (isConditionalCheckFailed(error)) return false;
      throw storageUnavailable('UpdateItem router (removeChannel)', error);
    }
  }

  async remove(uaid: Uaid): Promise<void> {
    await attempt('DeleteItem router', () =>
      this.client.send('DeleteItem', { TableName: this.tableName, Key: routerKey(uaid) }),
    );
  }
}

/** `last_seen` and the TTL derived from it, refreshed by every write. */
function freshness(lastSeenMs: number): Item {
  return {
    ':s': numberValue(lastSeenMs),
    ':e': numberValue(Math.floor(lastSeenMs / 1000) + ROUTER_RECORD_LIFETIME_SECONDS),
  };
}

function pickOwner(owner: Owner): Owner {
  return { nodeId: owner.nodeId, connectedAtMs: owner.connectedAtMs };
}
