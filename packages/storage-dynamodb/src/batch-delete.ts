import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import { StorageUnavailableError } from '@herald/core';
import type { Item } from './attribute-values';
import { attempt } from './storage-failure';

/** BatchWriteItem takes at most 25 requests. */
const BATCH_SIZE = 25;

/** Rounds of resubmitting UnprocessedItems before giving up. */
const MAX_ROUNDS = 8;
const FIRST_BACKOFF_MS = 25;
const MAX_BACKOFF_MS = 1_000;

/**
 * Deletes `keys` from `tableName` with BatchWriteItem. DynamoDB may process only part of
 * a batch (throttling) and returns the rest as UnprocessedItems, which are resubmitted
 * with exponential backoff; rows still unprocessed after that reject the whole call.
 */
export async function deleteKeys(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Item[],
): Promise<void> {
  for (let start = 0; start < keys.length; start += BATCH_SIZE) {
    let pending: WriteRequest[] = keys
      .slice(start, start + BATCH_SIZE)
      .map((key) => ({ DeleteRequest: { Key: key } }));
    for (let round = 0; pending.length > 0; round++) {
      if (round === MAX_ROUNDS) {
        throw new StorageUnavailableError(
          `DynamoDB BatchWriteItem left ${pending.length} deletes unprocessed`,
        );
      }
      if (round > 0) await delay(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (round - 1)));
      const requests = pending;
      const output = await attempt('BatchWriteItem message', () =>
        client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: requests } })),
      );
      pending = output.UnprocessedItems?.[tableName] ?? [];
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
