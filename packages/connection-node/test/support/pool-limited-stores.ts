import { MemoryMessageStore, MemoryRouterStore } from '@herald/core';
import type { MessageStore, RouterStore } from '@herald/core';
import { messageStoreThrough, routerStoreThrough } from '../../src/storage/stores-through';

/**
 * Memory stores that behave like a storage client with a small connection pool in
 * front of a slow database: every call takes `latencyMs`, and a call made while
 * `poolSize` calls are already in flight fails at once, as the AWS SDK's requests did
 * when they timed out waiting for a pooled socket. `peakInFlight` records the most calls
 * ever in flight together.
 */
export class PoolLimitedStores {
  readonly rawRouterStore = new MemoryRouterStore();
  readonly rawMessageStore = new MemoryMessageStore();
  readonly routerStore: RouterStore;
  readonly messageStore: MessageStore;
  peakInFlight = 0;
  rejected = 0;
  /** Fail this many calls (after the pool check) before behaving again. */
  failNext = 0;
  private inFlight = 0;

  constructor(
    private readonly poolSize: number,
    private readonly latencyMs: number,
  ) {
    const call = <T>(operation: () => Promise<T>): Promise<T> => this.call(operation);
    this.routerStore = routerStoreThrough(this.rawRouterStore, call);
    this.messageStore = messageStoreThrough(this.rawMessageStore, call);
  }

  private async call<T>(operation: () => Promise<T>): Promise<T> {
    if (this.inFlight >= this.poolSize) {
      this.rejected += 1;
      throw new Error('timed out waiting for a pooled connection');
    }
    this.inFlight += 1;
    this.peakInFlight = Math.max(this.peakInFlight, this.inFlight);
    try {
      await new Promise((resolve) => setTimeout(resolve, this.latencyMs));
      if (this.failNext > 0) {
        this.failNext -= 1;
        throw new Error('storage hiccup');
      }
      return await operation();
    } finally {
      this.inFlight -= 1;
    }
  }
}
