import type { MessageId, MessageStore, Uaid } from '@herald/core';

/**
 * Deletes of acked messages, held for up to `windowMs` after the first one and then all
 * started in the same tick, so the storage adapter can send them as one batch request
 * (DynamoDB: one BatchWriteItem for up to 25 rows). Acks of live pushes arrive one at a
 * time at ordinary rates (every 5 ms at 200/s): started as they come, each delete was a
 * request of its own, several hundred µs of CPU, and the largest cost of a push on a
 * connection node. Nothing waits for these deletes but shutdown; a node that dies within
 * the window leaves the rows stored, and they are delivered again (Firefox drops the
 * repeated version).
 *
 * Each `delete` settles as the store's own delete does. After `stop()` deletes start at
 * once. A window of 0 holds nothing.
 */
export class DeferredDeletes {
  private held: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly store: Pick<MessageStore, 'delete'>,
    private readonly windowMs: number,
  ) {}

  delete(uaid: Uaid, storageKey: string, messageId: MessageId): Promise<void> {
    if (this.stopped || this.windowMs === 0) {
      return this.store.delete(uaid, storageKey, messageId);
    }
    return new Promise<void>((resolve, reject) => {
      this.held.push(() => {
        this.store.delete(uaid, storageKey, messageId).then(resolve, reject);
      });
      this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  /** Starts every held delete now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const held = this.held;
    this.held = [];
    for (const start of held) start();
  }

  /** Starts the held deletes; later ones are not held. For shutdown. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.flush();
  }

  get heldCount(): number {
    return this.held.length;
  }
}
