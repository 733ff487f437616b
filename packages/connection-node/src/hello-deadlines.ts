/** A socket that must say `hello` in time. */
export interface AwaitingHello {
  /** Closes the socket if it is still waiting for `hello`; a no-op otherwise. */
  expireHello(): void;
}

/**
 * Enforces the hello timeout with one interval timer per node instead of one timer per
 * socket. Sockets enter in connect order and share one timeout, so deadlines are sorted:
 * a sweep pops from the head until it meets a deadline still in the future. Sockets that
 * said `hello` (or closed) stay queued until their deadline and are then skipped, which
 * bounds the queue to the connections opened within one timeout.
 *
 * Open times are kept here, in an array of plain numbers beside the queue, not on the
 * socket: an idle socket past its deadline carries no timestamp.
 */
export class HelloDeadlines<T extends AwaitingHello> {
  private queue: (T | undefined)[] = [];
  /** `openedAtMs[i]` is when `queue[i]` was added (this object's clock). */
  private openedAtMs: number[] = [];
  private head = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly timeoutMs: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {
    // A quarter of the timeout keeps the overshoot small without waking often.
    const sweepIntervalMs = Math.min(1000, Math.max(10, Math.floor(timeoutMs / 4)));
    this.timer = setInterval(() => this.sweep(), sweepIntervalMs);
    this.timer.unref();
  }

  /** Starts the socket's hello deadline now. */
  add(socket: T): void {
    this.queue.push(socket);
    this.openedAtMs.push(this.nowMs());
  }

  /** Expires every socket whose deadline has passed; runs from the timer, callable in tests. */
  sweep(): void {
    const nowMs = this.nowMs();
    while (this.head < this.queue.length) {
      const socket = this.queue[this.head];
      const openedAtMs = this.openedAtMs[this.head];
      if (socket === undefined || openedAtMs === undefined) break;
      if (openedAtMs + this.timeoutMs > nowMs) break;
      this.queue[this.head] = undefined;
      this.head += 1;
      socket.expireHello();
    }
    // Drop the consumed prefix once it dominates, so the arrays do not grow forever.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.openedAtMs = this.openedAtMs.slice(this.head);
      this.head = 0;
    }
  }

  get pendingCount(): number {
    return this.queue.length - this.head;
  }

  stop(): void {
    clearInterval(this.timer);
    this.queue = [];
    this.openedAtMs = [];
    this.head = 0;
  }
}
