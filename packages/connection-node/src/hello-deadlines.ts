/** A socket that must say `hello` in time. */
export interface AwaitingHello {
  /** Closes the socket if it is still waiting for `hello`; a no-op otherwise. */
  expireHello(): void;
}

/**
 * Enforces the hello timeout with one interval timer per node instead of one timer per
 * socket. Sockets enter in connect order and share one timeout, so deadlines are sorted:
 * a sweep takes from the head until it meets a deadline still in the future.
 *
 * Only sockets still waiting are held: the transport calls {@link delete} once a socket
 * says anything (its first frame is `hello`, or it is closed) or closes, normally within
 * milliseconds of opening. A socket past its `hello` then costs nothing here, and a closed
 * one is not kept alive (with its session) until its deadline. The open times live here,
 * not on the socket: an identified socket carries no timestamp.
 */
export class HelloDeadlines<T extends AwaitingHello> {
  /** Waiting sockets → when each was added (this object's clock); a Map iterates in insertion order. */
  private readonly openedAtMs = new Map<T, number>();
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
    this.openedAtMs.set(socket, this.nowMs());
  }

  /** Forgets the socket: it is no longer waiting for `hello`. A no-op if not held. */
  delete(socket: T): void {
    this.openedAtMs.delete(socket);
  }

  /** Expires every socket whose deadline has passed; runs from the timer, callable in tests. */
  sweep(): void {
    const nowMs = this.nowMs();
    for (const [socket, openedAtMs] of this.openedAtMs) {
      if (openedAtMs + this.timeoutMs > nowMs) break;
      this.openedAtMs.delete(socket);
      socket.expireHello();
    }
  }

  get pendingCount(): number {
    return this.openedAtMs.size;
  }

  stop(): void {
    clearInterval(this.timer);
    this.openedAtMs.clear();
  }
}
