import { StorageUnavailableError } from '@herald/core';
import type { Item } from './attribute-values';
import { attempt } from './storage-failure';
import type { DynamoDbWireClient } from './wire/dynamodb-wire-client';

/** BatchWriteItem takes at most 25 requests. */
export const BATCH_SIZE = 25;

/** Rounds of resubmitting UnprocessedItems before giving up. */
const MAX_ROUNDS = 8;
const FIRST_BACKOFF_MS = 25;
const MAX_BACKOFF_MS = 1_000;

/**
 * Deletes `keys` from the message table with BatchWriteItem, 25 per request, one request
 * after another.
 */
export async function deleteKeys(
  client: DynamoDbWireClient,
  tableName: string,
  keys: readonly Item[],
): Promise<void> {
  for (let start = 0; start < keys.length; start += BATCH_SIZE) {
    await deleteBatch(client, tableName, keys.slice(start, start + BATCH_SIZE));
  }
}

/**
 * Deletes at most 25 distinct message-table `keys` in one BatchWriteItem. DynamoDB may
 * process only part of a batch (throttling) and return the rest as UnprocessedItems,
 * which are resubmitted with exponential backoff. `onWritten` is told about each key as
 * soon as DynamoDB reports it deleted; the call rejects with `StorageUnavailableError`
 * when a request fails (after the client's retries) or keys are still unprocessed after
 * {@link MAX_ROUNDS} rounds, and the keys not yet reported are the ones not deleted.
 */
export async function deleteBatch(
  client: DynamoDbWireClient,
  tableName: string,
  keys: readonly Item[],
  onWritten: (key: Item) => void = () => undefined,
): Promise<void> {
  let pending = keys;
  for (let round = 0; pending.length > 0; round++) {
    if (round === MAX_ROUNDS) {
      throw new StorageUnavailableError(
        `DynamoDB BatchWriteItem left ${pending.length} deletes unprocessed`,
      );
    }
    if (round > 0) await delay(Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (round - 1)));
    const requests = pending.map((key) => ({ DeleteRequest: { Key: key } }));
    const output = await attempt('BatchWriteItem message', () =>
      client.send('BatchWriteItem', { RequestItems: { [tableName]: requests } }),
    );
    const unprocessed = new Set<string>();
    for (const request of output.UnprocessedItems?.[tableName] ?? []) {
      const key = request.DeleteRequest?.Key;
      if (key !== undefined) unprocessed.add(messageKeyId(key));
    }
    const next: Item[] = [];
    for (const key of pending) {
      if (unprocessed.has(messageKeyId(key))) next.push(key);
      else onWritten(key);
    }
    pending = next;
  }
}

/** A string naming a message-table key (`uaid`, `sk`), to match keys DynamoDB returns. */
export function messageKeyId(key: Item): string {
  return `${key.uaid?.S ?? ''}\u0000${key.sk?.S ?? ''}`;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
