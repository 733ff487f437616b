import { StorageUnavailableError } from '@herald/core';
import type { Uaid } from '@herald/core';
import { stringValue } from './attribute-values';
import type { Item } from './attribute-values';
import { BATCH_SIZE, deleteBatch, messageKeyId } from './batch-delete';
import type { DynamoDbWireClient } from './wire/dynamodb-wire-client';

/** How long the first delete of a batch waits for others to join it. */
export const DEFAULT_COALESCE_WINDOW_MS = 4;

interface QueuedDelete {
  readonly key: Item;
  readonly waiters: Array<{ resolve(): void; reject(error: unknown): void }>;
}

/**
 * Unconditional deletes of message rows, gathered for `windowMs` (or until 25 are
 * queued) and sent as one BatchWriteItem: acks arrive from many connections at once, and
 * one request per 25 acks costs the node and DynamoDB far less than 25 DeleteItems.
 *
 * Only for rows whose key no other message can ever take (see `isSingleUseStorageKey`):
 * BatchWriteItem has no conditions. Each `delete` settles on its own row: it resolves
 * once DynamoDB reports the row deleted (a missing row counts), and rejects with
 * `StorageUnavailableError` if it could not be, without affecting the rest of its batch.
 * Deleting the same row twice within a window sends it once and settles both.
 */
export class CoalescedDeletes {
  private readonly client: DynamoDbWireClient;
  private readonly tableName: string;
  private readonly windowMs: number;
  private queue = new Map<string, QueuedDelete>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: { client: DynamoDbWireClient; tableName: string; windowMs: number }) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.windowMs = options.windowMs;
  }

  delete(uaid: Uaid, storageKey: string): Promise<void> {
    if (this.closed) {
      return Promise.reject(new StorageUnavailableError('DynamoDB stores are closed'));
    }
    const key = { uaid: stringValue(uaid), sk: stringValue(storageKey) };
    const id = messageKeyId(key);
    let queued = this.queue.get(id);
    if (queued === undefined) {
      queued = { key, waiters: [] };
      this.queue.set(id, queued);
    }
    const waiters = queued.waiters;
    const settled = new Promise<void>((resolve, reject) => waiters.push({ resolve, reject }));
    if (this.queue.size >= BATCH_SIZE) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    return settled;
  }

  /**
   * Rejects the deletes still waiting for their window (the rows stay stored and are
   * delivered again later) and refuses new ones. Batches already sent settle as usual.
   */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    const error = new StorageUnavailableError('DynamoDB stores closed before the delete was sent');
    for (const queued of this.queue.values()) for (const w of queued.waiters) w.reject(error);
    this.queue.clear();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.queue;
    this.queue = new Map();
    deleteBatch(
      this.client,
      this.tableName,
      [...batch.values()].map((queued) => queued.key),
      (key) => {
        const id = messageKeyId(key);
        for (const w of batch.get(id)?.waiters ?? []) w.resolve();
        batch.delete(id);
      },
    ).catch((error: unknown) => {
      // What onWritten has not removed is exactly what was not deleted.
      for (const queued of batch.values()) for (const w of queued.waiters) w.reject(error);
    });
  }
}
