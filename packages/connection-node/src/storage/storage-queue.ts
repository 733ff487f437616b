/**
 * Bounds how many storage calls a connection node has in flight; the rest wait in
 * arrival order. A reconnect storm (every client of a failed node saying `hello` within
 * a second) then turns into a queue that drains at the storage's pace, instead of ten
 * thousand concurrent requests that overflow the storage client's connection pool and
 * time out waiting for a socket, which closed the clients (bench, 2026-11-28).
 *
 * The queue holds only waiting calls: an idle node holds nothing here.
 */
export class StorageQueue {
  private running = 0;
  /** Waiting starters, oldest first, from `head` on (a consumed prefix is dropped lazily). */
  private waiting: ((() => void) | undefined)[] = [];
  private head = 0;

  /** @param limit calls in flight at once; at least 1. */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError('a storage queue needs a limit of at least 1');
    }
  }

  /**
   * Runs `call` once fewer than `limit` calls are in flight, in the order `run` was
   * called, and settles as `call` does. `call` is never started synchronously when
   * others are waiting, so a late caller cannot overtake the queue.
   */
  run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running < this.limit && this.head === this.waiting.length) {
      return this.start(call);
    }
    return new Promise<T>((resolve, reject) => {
      this.waiting.push(() => {
        this.start(call).then(resolve, reject);
      });
    });
  }

  /** Calls started and not yet settled. */
  get inFlightCount(): number {
    return this.running;
  }

  /** Calls waiting for a slot. */
  get waitingCount(): number {
    return this.waiting.length - this.head;
  }

  private start<T>(call: () => Promise<T>): Promise<T> {
    this.running += 1;
    let started: Promise<T>;
    try {
      started = call();
    } catch (error) {
      started = Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return started.finally(() => {
      this.running -= 1;
      this.startNext();
    });
  }

  private startNext(): void {
    if (this.head === this.waiting.length) return;
    const next = this.waiting[this.head];
    this.waiting[this.head] = undefined;
    this.head += 1;
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    next?.();
  }
}
