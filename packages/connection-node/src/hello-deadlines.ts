/** A socket that must say `hello` in time; `openedAtMs` comes from the deadlines' own clock. */
export interface AwaitingHello {
  readonly openedAtMs: number;
  /** Closes the socket if it is still waiting for `hello`; a no-op otherwise. */
  expireHello(): void;
}

/**
 * Enforces the hello timeout with one interval timer per node instead of one timer per
 * socket. Sockets enter in connect order and share one timeout, so deadlines are sorted:
 * a sweep pops from the head until it meets a deadline still in the future. Sockets that
 * said `hello` (or closed) stay queued until their deadline and are then skipped, which
 * bounds the queue to the connections opened within one timeout.
 */
export class HelloDeadlines<T extends AwaitingHello> {
  private queue: (T | undefined)[] = [];
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

  /** The current time on the clock `openedAtMs` must be taken from. */
  now(): number {
    return this.nowMs();
  }

  add(socket: T): void {
    this.queue.push(socket);
  }

  /** Expires every socket whose deadline has passed; runs from the timer, callable in tests. */
  sweep(): void {
    const nowMs = this.nowMs();
    while (this.head < this.queue.length) {
      const socket = this.queue[this.head];
      if (socket === undefined || socket.openedAtMs + this.timeoutMs > nowMs) break;
      this.queue[this.head] = undefined;
      this.head += 1;
      socket.expireHello();
    }
    // Drop the consumed prefix once it dominates, so the array does not grow forever.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  get pendingCount(): number {
    return this.queue.length - this.head;
  }

  stop(): void {
    clearInterval(this.timer);
    this.queue = [];
    this.head = 0;
  }
}
